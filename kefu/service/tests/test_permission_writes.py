"""Denied writes change nothing: every ticket-page action and the API's writes, for an agent
outside the queue, a portal customer and an anonymous visitor (with and without htmx)."""

import json

import pytest
from auditlog.models import LogEntry

from kefu.customers.models import TimelineEvent
from kefu.service.models import Ticket, TicketEntry

UI_ACTIONS = [
    ("entries", {"kind": "reply", "body": "不该写入"}),
    ("entries", {"kind": "note", "body": "不该写入"}),
    (
        "properties",
        {"subject": "改了", "ticket_type": "incident", "impact": 1, "urgency": 1, "priority": 1},
    ),
    ("status", {"status": "open"}),
    ("assign", {"assignee": ""}),
    ("escalate", {"reason": "升级"}),
    ("merge", {"target_number": "TARGET"}),
]
API_WRITES = [
    ("post", "replies", {"body": "不该写入"}),
    ("post", "notes", {"body": "不该写入"}),
    ("post", "transition", {"status": "open"}),
    ("post", "assign", {"assignee_id": None}),
    ("patch", "", {"subject": "改了"}),
    ("post", "merge", {"target_id": 0}),
]


def _snapshot(*tickets):
    rows = list(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets])
        .order_by("pk")
        .values(
            "version",
            "subject",
            "status_id",
            "assignee_id",
            "queue_id",
            "merged_into_id",
            "priority",
        )
    )
    return (
        rows,
        TicketEntry.objects.count(),
        LogEntry.objects.count(),
        TimelineEvent.objects.count(),
    )


@pytest.fixture
def outsiders(make_user):
    return {
        "agent_outside": make_user("agent", username="outsider"),
        "portal": make_user(None, username="portal-customer"),
        "anonymous": None,
    }


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("who", ["agent_outside", "portal", "anonymous"])
@pytest.mark.parametrize(("action", "data"), UI_ACTIONS)
def test_denied_ui_action_changes_nothing(client, outsiders, make_ticket, who, action, data, htmx):
    ticket = make_ticket(subject="原主题")
    target = make_ticket(subject="目标", requester_id=ticket.requester_id)
    if outsiders[who] is not None:
        client.force_login(outsiders[who])
    payload = {**data, "version": ticket.version}
    if action == "merge":
        payload["target_number"] = target.number
    before = _snapshot(ticket, target)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(f"/service/tickets/{ticket.pk}/{action}/", payload, **headers)
    expected = {"agent_outside": {404}, "portal": {403}, "anonymous": {302, 401, 403}}[who]
    assert response.status_code in expected
    assert _snapshot(ticket, target) == before


@pytest.mark.parametrize("who", ["agent_outside", "portal", "anonymous"])
@pytest.mark.parametrize(("method", "path", "body"), API_WRITES)
def test_denied_api_write_changes_nothing(
    api, client, outsiders, make_ticket, who, method, path, body
):
    ticket = make_ticket(subject="原主题")
    target = make_ticket(subject="目标", requester_id=ticket.requester_id)
    if path == "merge":
        body = {"target_id": target.pk}
    elif method == "patch":
        body = {**body, "version": ticket.version}
    http = api(outsiders[who]) if outsiders[who] is not None else client
    before = _snapshot(ticket, target)
    url = f"/api/v1/tickets/{ticket.pk}" + (f"/{path}" if path else "")
    response = getattr(http, method)(url, json.dumps(body), content_type="application/json")
    expected = {"agent_outside": {404}, "portal": {403}, "anonymous": {401}}[who]
    assert response.status_code in expected, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert _snapshot(ticket, target) == before


def test_denied_bulk_action_changes_nothing(client, outsiders, make_ticket):
    tickets = [make_ticket(), make_ticket()]
    client.force_login(outsiders["agent_outside"])
    before = _snapshot(*tickets)
    client.post(
        "/service/tickets/bulk/",
        {"action": "priority", "priority": 1, "ticket_ids": [t.pk for t in tickets]},
    )
    assert _snapshot(*tickets) == before
