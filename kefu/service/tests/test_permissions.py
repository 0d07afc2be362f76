"""The permission matrix: who may see and change which tickets, through the API and the UI."""

import json

import pytest

from kefu.service.models import Ticket, TicketEntry
from kefu.service.tests.factories import QueueFactory


@pytest.fixture
def other_queue_ticket(make_ticket):
    return make_ticket(queue_id=QueueFactory(key="vip").pk, subject="VIP 工单")


@pytest.fixture
def own_queue_ticket(make_ticket):
    return make_ticket(subject="普通工单")


@pytest.fixture
def members(make_agent, make_user, supervisor, admin_user):
    return {
        "agent_in_queue": make_agent(username="in-queue"),
        "agent_outside": make_user("agent", username="outside"),
        "supervisor": supervisor,
        "admin": admin_user,
        "portal": make_user(None, username="portal-customer"),
    }


def _transition(client, ticket):
    return client.post(
        f"/api/v1/tickets/{ticket.pk}/transition",
        json.dumps({"status": "open"}),
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("agent_in_queue", 200),
        ("agent_outside", 404),
        ("supervisor", 200),
        ("admin", 200),
        ("portal", 403),
    ],
)
def test_ticket_change_matrix(api, members, own_queue_ticket, who, expected):
    response = _transition(api(members[who]), own_queue_ticket)
    assert response.status_code == expected
    stored = Ticket.objects.get(pk=own_queue_ticket.pk)
    if expected == 200:
        assert stored.status.key == "open"
    else:
        assert stored.status.key == "new"
        assert stored.version == own_queue_ticket.version
        assert not TicketEntry.objects.filter(ticket=stored, data__event="status_changed").exists()


def test_anonymous_is_401_and_changes_nothing(client, own_queue_ticket):
    response = _transition(client, own_queue_ticket)
    assert response.status_code == 401
    assert Ticket.objects.get(pk=own_queue_ticket.pk).status.key == "new"
    assert client.get("/api/v1/tickets").status_code == 401


@pytest.mark.parametrize(
    ("who", "sees_other_queue"),
    [("agent_in_queue", False), ("supervisor", True), ("admin", True)],
)
def test_ticket_list_is_scoped_by_queue_membership(
    api, members, own_queue_ticket, other_queue_ticket, who, sees_other_queue
):
    response = api(members[who]).get("/api/v1/tickets", {"view": "all"})
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert own_queue_ticket.pk in ids
    assert (other_queue_ticket.pk in ids) is sees_other_queue


def test_agent_outside_queue_sees_nothing(api, members, own_queue_ticket):
    client = api(members["agent_outside"])
    assert client.get("/api/v1/tickets", {"view": "all"}).json()["items"] == []
    assert client.get(f"/api/v1/tickets/{own_queue_ticket.pk}").status_code == 404


def test_portal_user_cannot_list_or_create(api, members, desk):
    client = api(members["portal"])
    assert client.get("/api/v1/tickets").status_code == 403
    response = client.post(
        "/api/v1/tickets", json.dumps({"subject": "x"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_agent_sees_each_ticket_once_without_distinct(api, members, own_queue_ticket):
    """Member of the queue and assignee of the ticket, in a second queue too: one row each,
    and the scope is a subquery (DISTINCT would make the list read every visible ticket)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.accounts.policy import scope
    from kefu.service.models import QueueMembership

    agent = members["agent_in_queue"]
    QueueMembership.objects.create(queue=QueueFactory(key="second"), user=agent)
    Ticket.objects.filter(pk=own_queue_ticket.pk).update(assignee=agent)
    items = api(agent).get("/api/v1/tickets", {"view": "all"}).json()["items"]
    assert [item["id"] for item in items] == [own_queue_ticket.pk]
    with CaptureQueriesContext(connection) as captured:
        assert list(scope(agent, Ticket.objects.all())) == [own_queue_ticket]
    assert "DISTINCT" not in captured.captured_queries[-1]["sql"].upper()


def test_assignee_outside_queue_still_sees_own_ticket(api, make_user, make_ticket, admin_user):
    from kefu.service.models import QueueMembership

    helper = make_user("agent", username="helper")
    queue = QueueFactory(key="temp")
    QueueMembership.objects.create(queue=queue, user=helper)
    ticket = make_ticket(queue_id=queue.pk, assignee_id=helper.pk)
    QueueMembership.objects.filter(user=helper).delete()
    assert api(helper).get(f"/api/v1/tickets/{ticket.pk}").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("agent_in_queue", 200), ("agent_outside", 404), ("supervisor", 200), ("portal", 403)],
)
def test_ticket_page_matrix(client, members, own_queue_ticket, who, status):
    client.force_login(members[who])
    assert client.get(f"/service/tickets/{own_queue_ticket.pk}/").status_code == status


def test_ticket_page_redirects_anonymous_to_login(client, own_queue_ticket):
    response = client.get(f"/service/tickets/{own_queue_ticket.pk}/")
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_ui_post_by_outsider_changes_nothing(client, members, own_queue_ticket):
    client.force_login(members["agent_outside"])
    response = client.post(
        f"/service/tickets/{own_queue_ticket.pk}/status/", {"status": "open", "version": 1}
    )
    assert response.status_code == 404
    assert Ticket.objects.get(pk=own_queue_ticket.pk).status.key == "new"
