"""Issue #3's bad input, through the API and the workspace: each a clear 4xx, nothing changes."""

import json

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.customers.tests.factories import ContactFactory
from kefu.service.models import Ticket, TicketAttachment, TicketEntry

PROBLEM = "application/problem+json"


@pytest.fixture
def agent(make_agent):
    return make_agent(username="bad-input-agent")


def _counts():
    return (
        Ticket.objects.count(),
        TicketEntry.objects.count(),
        TicketAttachment.objects.count(),
        LogEntry.objects.count(),
    )


@pytest.mark.parametrize("name", ["setup.exe", "run.sh", "macro.JS"])
def test_forbidden_attachment_type_is_422_through_the_api(api, agent, make_ticket, name):
    ticket = make_ticket()
    http = api(agent)
    before = _counts()
    upload = SimpleUploadedFile(name, b"MZ\x90\x00", content_type="application/octet-stream")
    response = http.post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload})
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["errors"][0]["pointer"] == "#/file"
    assert _counts() == before


def test_forbidden_attachment_with_a_reply_in_the_workspace_writes_nothing(
    client, agent, make_ticket
):
    ticket = make_ticket()
    client.force_login(agent)
    before = _counts()
    upload = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        f"/service/tickets/{ticket.pk}/entries/",
        {"kind": "reply", "body": "附件", "attachment": upload},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "virus.exe" not in TicketAttachment.objects.values_list("filename", flat=True)
    assert _counts() == before
    assert 'class="message error"' in response.content.decode()


def test_unknown_queue_in_the_workspace_form_is_a_field_error(client, agent, desk):
    client.force_login(agent)
    response = client.post(
        "/service/tickets/new/",
        {
            "subject": "新工单",
            "channel": "phone",
            "ticket_type": "question",
            "impact": 2,
            "urgency": 2,
            "queue": 999_999,
        },
    )
    assert response.status_code == 200
    assert 'id="field-queue"' in response.content.decode()
    assert "has-error" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_unknown_queue_through_the_api_is_4xx_and_creates_nothing(api, agent, desk):
    response = api(agent).post(
        "/api/v1/tickets",
        json.dumps({"subject": "x", "queue_id": 999_999}),
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith(PROBLEM)
    assert Ticket.objects.count() == 0


def test_merge_across_organizations_without_permission_is_409_through_the_api(
    api, agent, make_ticket
):
    source = make_ticket(requester_id=ContactFactory().pk)
    target = make_ticket(requester_id=ContactFactory().pk)
    assert source.organization_id != target.organization_id
    http = api(agent)
    before = _counts()
    response = http.post(
        f"/api/v1/tickets/{source.pk}/merge",
        json.dumps({"target_id": target.pk}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["detail"]
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    assert _counts() == before


def test_merge_across_organizations_in_the_workspace_is_refused_in_place(
    client, agent, make_ticket
):
    source = make_ticket(requester_id=ContactFactory().pk)
    target = make_ticket(requester_id=ContactFactory().pk)
    client.force_login(agent)
    before = _counts()
    response = client.post(
        f"/service/tickets/{source.pk}/merge/",
        {"target_number": target.number},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert 'id="workspace-messages"' in response.content.decode()
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    assert _counts() == before


def test_invalid_transition_in_the_workspace_changes_nothing(client, agent, make_ticket):
    ticket = make_ticket()
    client.force_login(agent)
    before = _counts()
    response = client.post(
        f"/service/tickets/{ticket.pk}/status/",
        {"status": "resolved", "version": ticket.version},
        HTTP_HX_REQUEST="true",
    )
    # Resolving needs a resolution code: refused with a message, nothing written.
    assert response.status_code in (409, 422)
    assert 'class="message error"' in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status_id == ticket.status_id
    assert _counts() == before
