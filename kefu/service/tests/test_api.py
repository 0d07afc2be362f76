import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.customers.tests.factories import ContactFactory, IdentityFactory
from kefu.service.constants import ATTACHMENT_MAX_BYTES
from kefu.service.models import CallRecord, Ticket, TicketAttachment, TicketEntry

PROBLEM = "application/problem+json"


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def agent_in_queue(make_agent):
    return make_agent(username="queue-agent")


@pytest.fixture
def ticket(make_ticket):
    return make_ticket(requester_id=ContactFactory().pk)


def test_create_ticket_returns_201_and_writes_rows(api, agent_in_queue, desk):
    response = _post(
        api(agent_in_queue),
        "/api/v1/tickets",
        {
            "subject": "无法登录",
            "description": "密码正确但无法登录",
            "requester_email": "u@example.cn",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["number"] == ticket.number
    assert body["status"] == "new"
    assert body["channel"] == "api"
    assert ticket.entries.filter(kind="reply", body="密码正确但无法登录").exists()


def test_create_with_idempotency_key_creates_once(api, agent_in_queue, desk):
    client = api(agent_in_queue)
    payload = {"subject": "重复提交"}
    first = _post(client, "/api/v1/tickets", payload, HTTP_IDEMPOTENCY_KEY="k-1")
    second = _post(client, "/api/v1/tickets", payload, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert Ticket.objects.filter(subject="重复提交").count() == 1


def test_unknown_queue_is_a_problem_with_pointer(api, agent_in_queue, desk):
    response = _post(api(agent_in_queue), "/api/v1/tickets", {"subject": "x", "queue_id": 987654})
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert {"pointer": "#/queue_id", "detail": "No such queue."} in response.json()["errors"]
    assert Ticket.objects.count() == 0


def test_invalid_transition_is_409_and_changes_nothing(api, agent_in_queue, ticket, admin_user):
    from kefu.service.services import ticket_transition

    ticket_transition(actor=admin_user, ticket=ticket, status_key="closed")
    response = _post(
        api(agent_in_queue), f"/api/v1/tickets/{ticket.pk}/transition", {"status": "open"}
    )
    assert response.status_code == 409
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "invalid_transition"
    assert Ticket.objects.get(pk=ticket.pk).status.key == "closed"


def test_resolve_without_code_is_422(api, agent_in_queue, ticket):
    response = _post(
        api(agent_in_queue), f"/api/v1/tickets/{ticket.pk}/transition", {"status": "resolved"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/resolution_code"


def test_self_merge_is_409(api, agent_in_queue, ticket):
    response = _post(
        api(agent_in_queue), f"/api/v1/tickets/{ticket.pk}/merge", {"target_id": ticket.pk}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "merge_refused"
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_merge_returns_target(api, supervisor, make_ticket):
    contact = ContactFactory()
    source, target = make_ticket(requester_id=contact.pk), make_ticket(requester_id=contact.pk)
    response = _post(
        api(supervisor), f"/api/v1/tickets/{source.pk}/merge", {"target_id": target.pk}
    )
    assert response.status_code == 200
    assert response.json()["id"] == target.pk
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_stale_patch_is_409_with_clear_message(api, agent_in_queue, ticket):
    client = api(agent_in_queue)
    ok = client.patch(
        f"/api/v1/tickets/{ticket.pk}",
        json.dumps({"version": ticket.version, "subject": "新主题"}),
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == ticket.version + 1
    stale = client.patch(
        f"/api/v1/tickets/{ticket.pk}",
        json.dumps({"version": ticket.version, "subject": "旧的修改"}),
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    assert "reload" in stale.json()["detail"]
    assert Ticket.objects.get(pk=ticket.pk).subject == "新主题"


def test_oversize_attachment_is_422_and_stores_nothing(api, agent_in_queue, ticket, settings):
    upload = SimpleUploadedFile("big.pdf", b"x" * 10)
    import kefu.service.services.conversation as conversation

    original = conversation.ATTACHMENT_MAX_BYTES
    conversation.ATTACHMENT_MAX_BYTES = 5
    try:
        response = api(agent_in_queue).post(
            f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}
        )
    finally:
        conversation.ATTACHMENT_MAX_BYTES = original
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/file"
    assert TicketAttachment.objects.count() == 0
    assert original == ATTACHMENT_MAX_BYTES


def test_attachment_upload_and_download(api, agent_in_queue, ticket, client):
    upload = SimpleUploadedFile("日志.txt", "错误日志".encode(), content_type="text/plain")
    response = api(agent_in_queue).post(
        f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}
    )
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    client.force_login(agent_in_queue)
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).decode() == "错误日志"
    assert "attachment" in download["Content-Disposition"]


def test_reply_and_note_endpoints_write_entries(api, agent_in_queue, ticket):
    client = api(agent_in_queue)
    reply = _post(
        client, f"/api/v1/tickets/{ticket.pk}/replies", {"body": "已处理", "time_spent_minutes": 10}
    )
    note = _post(client, f"/api/v1/tickets/{ticket.pk}/notes", {"body": "内部说明"})
    assert reply.status_code == note.status_code == 201
    assert reply.json()["kind"] == "reply"
    assert note.json()["kind"] == "note"
    assert TicketEntry.objects.filter(ticket=ticket, kind="note", body="内部说明").exists()


def test_assign_endpoint_refuses_outsider_assignee(api, agent_in_queue, ticket, make_user):
    outsider = make_user("agent")
    response = _post(
        api(agent_in_queue), f"/api/v1/tickets/{ticket.pk}/assign", {"assignee_id": outsider.pk}
    )
    assert response.status_code == 422
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None
    ok = _post(
        api(agent_in_queue),
        f"/api/v1/tickets/{ticket.pk}/assign",
        {"assignee_id": agent_in_queue.pk, "reason": "我来处理"},
    )
    assert ok.status_code == 200
    assert ok.json()["assignee_id"] == agent_in_queue.pk


def test_telephony_lookup_returns_contact_and_open_tickets(api, agent_in_queue, make_ticket):
    contact = ContactFactory()
    IdentityFactory(contact=contact, kind="phone", value="13900139000", normalized="+8613900139000")
    ticket = make_ticket(requester_id=contact.pk)
    response = api(agent_in_queue).get("/api/v1/telephony/lookup", {"number": "139 0013 9000"})
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "+8613900139000"
    assert [c["id"] for c in body["contacts"]] == [contact.pk]
    assert [t["id"] for t in body["open_tickets"]] == [ticket.pk]


def test_call_endpoint_records_call(api, agent_in_queue, desk):
    response = _post(
        api(agent_in_queue),
        "/api/v1/calls",
        {
            "direction": "inbound",
            "number": "13800138000",
            "talk_seconds": 60,
            "outcome": "answered",
        },
    )
    assert response.status_code == 201, response.content
    call = CallRecord.objects.get(pk=response.json()["id"])
    assert call.agent == agent_in_queue
    assert call.talk_seconds == 60


def test_links_endpoint(api, agent_in_queue, make_ticket):
    a, b = make_ticket(), make_ticket()
    response = _post(api(agent_in_queue), f"/api/v1/tickets/{a.pk}/links", {"other_id": b.pk})
    assert response.status_code == 201
    listed = api(agent_in_queue).get(f"/api/v1/tickets/{a.pk}/links").json()
    assert [(link["from_ticket_id"], link["to_ticket_id"]) for link in listed] == [(a.pk, b.pk)]


def test_openapi_schema_lists_ticket_operations(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/v1/tickets/{ticket_id}/merge" in schema["paths"]
    assert "/api/v1/telephony/lookup" in schema["paths"]
