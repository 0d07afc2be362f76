"""SMS: the console gateway, a generic HTTP gateway served on loopback, the keyed queue
(exactly once, back-off, abandoned claims), templates, and outcomes recorded on the ticket."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kefu.channels import facade
from kefu.channels.models import SmsMessage
from kefu.channels.services import mail_template_save, sms_gateway_save, sms_send, sms_send_due
from kefu.channels.services.sms import sms_claim
from kefu.customers.tests.factories import IdentityFactory
from kefu.service.models import TicketEntry


@pytest.fixture
def ticket(desk, make_user):
    from kefu.service.services import ticket_create

    return ticket_create(actor=make_user("agent"), subject="空调漏水", requester_email="li@a.cn")


@pytest.fixture
def gateway_server():
    requests = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            requests.append(
                {
                    "auth": self.headers.get("Authorization"),
                    "key": self.headers.get("Idempotency-Key"),
                    "body": self.rfile.read(length),
                }
            )
            self.send_response(status["code"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "msg-42"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", requests, status
    server.shutdown()
    server.server_close()


def test_console_gateway_records_sent_message(db, capsys):
    result = facade.sms_send_now(to="138 0013 8000", text="您的工单 T-000001 已受理。")
    message = SmsMessage.objects.get(pk=result["id"])
    assert message.state == "sent" and message.to == "+8613800138000"
    assert "T-000001" in capsys.readouterr().err


def test_http_gateway_posts_json_escaped_payload_with_auth(db, gateway_server):
    url, requests, _status = gateway_server
    sms_gateway_save(
        actor=None,
        name="aliyun-like",
        kind="http",
        url=url,
        auth_header="Bearer sms-key",
        payload_template='{"phone": "$to", "content": "$text", "sign": "客服"}',
        is_default=True,
    )
    message = sms_send(to="+8613800138000", text='注意 "引号" 和\n换行', ticket_id=7)
    assert message.state == "sent" and message.provider_ref == "msg-42"
    (request,) = requests
    assert request["auth"] == "Bearer sms-key"
    assert json.loads(request["body"]) == {
        "phone": "+8613800138000",
        "content": '注意 "引号" 和\n换行',
        "sign": "客服",
    }


def test_http_gateway_refusal_is_failed_at_once_and_recorded_on_the_ticket(
    ticket, gateway_server, django_capture_on_commit_callbacks
):
    url, requests, status = gateway_server
    status["code"] = 400
    sms_gateway_save(actor=None, name="gw", kind="http", url=url, is_default=True)
    with django_capture_on_commit_callbacks(execute=True):
        sms_id = facade.sms_send_later(to="+8613800138000", text="即将超时", ticket_id=ticket.pk)
    message = SmsMessage.objects.get(pk=sms_id)
    assert message.state == "failed" and "400" in message.error and message.attempts == 1
    assert len(requests) == 1
    event = TicketEntry.objects.get(ticket=ticket, kind="event", data__event="sms_failed")
    assert "+8613800138000" in event.body


def test_server_error_is_retried_with_backoff_under_the_same_key(
    ticket, gateway_server, django_capture_on_commit_callbacks
):
    url, requests, status = gateway_server
    status["code"] = 503
    sms_gateway_save(
        actor=None,
        name="gw",
        kind="http",
        url=url,
        is_default=True,
        payload_template='{"to": "$to", "text": "$text", "ref": "$key"}',
    )
    with django_capture_on_commit_callbacks(execute=True):
        sms_id = facade.sms_send_later(to="+8613800138000", text="即将超时", ticket_id=ticket.pk)
    message = SmsMessage.objects.get(pk=sms_id)
    assert message.state == "queued" and message.attempts == 1 and "503" in message.error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert sms_send_due() == 0  # not due yet
    status["code"] = 200
    SmsMessage.objects.filter(pk=sms_id).update(next_attempt_at=timezone.now())
    assert sms_send_due() == 1
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 2 and message.provider_ref == "msg-42"
    assert [r["key"] for r in requests] == [message.key, message.key]
    assert json.loads(requests[1]["body"])["ref"] == message.key
    assert TicketEntry.objects.filter(ticket=ticket, data__event="sms_sent").count() == 1
    assert sms_send_due() == 0


def test_the_same_warning_asked_twice_is_one_message(
    ticket, gateway_server, django_capture_on_commit_callbacks
):
    url, requests, _status = gateway_server
    sms_gateway_save(actor=None, name="gw", kind="http", url=url, is_default=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = facade.sms_send_later(to="13800138000", text="即将超时", ticket_id=ticket.pk)
        second = facade.sms_send_later(to="+86 138 0013 8000", text="即将超时", ticket_id=ticket.pk)
        keyed = facade.sms_send_later(
            to="+8613800138000", text="other text", ticket_id=ticket.pk, key="sla:1:warn"
        )
        again = facade.sms_send_later(
            to="+8613800138000", text="yet another", ticket_id=ticket.pk, key="sla:1:warn"
        )
    assert first == second and keyed == again and first != keyed
    assert SmsMessage.objects.count() == 2 and len(requests) == 2
    assert sms_send_due() == 0


def test_rolled_back_caller_sends_nothing(ticket, gateway_server):
    url, requests, _status = gateway_server
    sms_gateway_save(actor=None, name="gw", kind="http", url=url, is_default=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        facade.sms_send_later(to="+8613800138000", text="即将超时", ticket_id=ticket.pk)
        raise RuntimeError
    assert SmsMessage.objects.count() == 0 and requests == []


def test_claim_of_a_dead_worker_is_taken_again_after_the_lease(ticket, gateway_server):
    url, requests, _status = gateway_server
    sms_gateway_save(actor=None, name="gw", kind="http", url=url, is_default=True)
    sms_id = facade.sms_send_later(to="+8613800138000", text="即将超时", ticket_id=ticket.pk)
    assert sms_claim(sms_id=sms_id) is not None  # a worker takes it, then dies
    assert sms_claim(sms_id=sms_id) is None
    assert sms_send_due() == 0 and requests == []
    SmsMessage.objects.filter(pk=sms_id).update(claimed_at=timezone.now() - timedelta(minutes=10))
    assert sms_send_due() == 1
    assert SmsMessage.objects.get(pk=sms_id).state == "sent" and len(requests) == 1


def test_last_temporary_failure_ends_failed(ticket, gateway_server):
    url, _requests, status = gateway_server
    status["code"] = 502
    sms_gateway_save(actor=None, name="gw", kind="http", url=url, is_default=True)
    sms_id = facade.sms_send_later(to="+8613800138000", text="即将超时", ticket_id=ticket.pk)
    SmsMessage.objects.filter(pk=sms_id).update(attempts=5)
    sms_send_due()
    assert SmsMessage.objects.get(pk=sms_id).state == "failed"
    assert TicketEntry.objects.filter(ticket=ticket, data__event="sms_failed").exists()


def test_text_is_wrapped_in_the_template_of_the_contacts_language(ticket, capsys):
    english = IdentityFactory(kind="phone", value="+8613900139000", normalized="+8613900139000")
    english.contact.preferred_language = "en"
    english.contact.save()
    en_id = facade.sms_send_later(to="13900139000", text="Due in 30 min", ticket_id=ticket.pk)
    zh_id = facade.sms_send_later(to="13800138000", text="30 分钟后超时", ticket_id=ticket.pk)
    assert SmsMessage.objects.get(pk=en_id).text == f"Kefu: {ticket.number} Due in 30 min"
    assert SmsMessage.objects.get(pk=zh_id).text == f"【客服中心】{ticket.number} 30 分钟后超时"
    mail_template_save(actor=None, key="sms", language="zh-hans", subject="x", body="$body")
    other = facade.sms_send_later(to="13800138000", text="改写后", language="zh-hans")
    assert SmsMessage.objects.get(pk=other).text == "改写后"


def test_bad_number_is_refused_and_nothing_recorded(db):
    with pytest.raises(ValidationError):
        sms_send(to="not a number", text="hello")
    assert SmsMessage.objects.count() == 0


def test_gateway_secret_is_stored_encrypted(db):
    gateway = sms_gateway_save(
        actor=None, name="gw", kind="http", url="http://127.0.0.1:9/x", auth_header="Bearer top"
    )
    assert "top" not in gateway.auth_header_encrypted
