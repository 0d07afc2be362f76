"""SMS: the console gateway, a generic HTTP gateway served on loopback, failures recorded."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ValidationError

from kefu.channels import facade
from kefu.channels.models import SmsMessage
from kefu.channels.services import sms_gateway_save, sms_send


@pytest.fixture
def gateway_server():
    requests = []
    status = {"code": 200}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            requests.append(
                {"auth": self.headers.get("Authorization"), "body": self.rfile.read(length)}
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


def test_http_gateway_refusal_is_recorded_as_failed(db, gateway_server):
    url, _requests, status = gateway_server
    status["code"] = 500
    sms_gateway_save(actor=None, name="gw", kind="http", url=url, is_default=True)
    message = sms_send(to="+8613800138000", text="hello")
    assert message.state == "failed" and "500" in message.error


def test_bad_number_is_refused_and_nothing_recorded(db):
    with pytest.raises(ValidationError):
        sms_send(to="not a number", text="hello")
    assert SmsMessage.objects.count() == 0


def test_gateway_secret_is_stored_encrypted(db):
    gateway = sms_gateway_save(
        actor=None, name="gw", kind="http", url="http://127.0.0.1:9/x", auth_header="Bearer top"
    )
    assert "top" not in gateway.auth_header_encrypted
