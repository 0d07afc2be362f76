"""SMS transports: one class per gateway kind, all with ``send(to, text, key=) -> reference``."""

import json
import logging
import sys
import urllib.error
import urllib.request
import uuid
from string import Template

from kefu.channels.choices import SmsGatewayKindChoices
from kefu.channels.crypto import secret_decrypt

logger = logging.getLogger(__name__)


class SmsSendError(Exception):
    """The gateway refused or could not be reached.

    ``permanent``: retrying cannot help (the gateway refused the request itself); otherwise
    the message is retried with back-off.
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsTransport:
    """The interface: deliver ``text`` to the E.164 number ``to``; return the gateway's id.

    ``key`` identifies the message across retries (gateways that support it drop a copy).
    """

    def __init__(self, gateway):
        self.gateway = gateway

    def send(self, to: str, text: str, *, key: str = "") -> str:
        raise SmsSendError("this gateway kind cannot send", permanent=True)


class ConsoleTransport(SmsTransport):
    """Development: write the message to standard error and the log."""

    def send(self, to: str, text: str, *, key: str = "") -> str:
        reference = f"console-{uuid.uuid4().hex[:12]}"
        print(f"SMS to {to}: {text}", file=sys.stderr)
        logger.info("SMS to %s (%s): %s", to, reference, text)
        return reference


def _json_escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


class HttpTransport(SmsTransport):
    """A generic HTTP gateway: POST the payload template (JSON) with an Authorization header.

    ``$to``, ``$text`` and ``$key`` are substituted JSON-escaped, so a message cannot break the
    payload; the key also goes in an ``Idempotency-Key`` header. A 2xx answer is success (its
    body's ``id``, if JSON, becomes the reference); 408, 429 and 5xx answers and network errors
    are temporary, any other refusal permanent.
    """

    timeout = 15

    def payload(self, to: str, text: str, key: str = "") -> bytes:
        body = Template(self.gateway.payload_template).safe_substitute(
            to=_json_escape(to), text=_json_escape(text), key=_json_escape(key)
        )
        try:
            json.loads(body)
        except ValueError as exc:
            raise SmsSendError(
                f"the payload template is not valid JSON: {exc}", permanent=True
            ) from exc
        return body.encode("utf-8")

    def send(self, to: str, text: str, *, key: str = "") -> str:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if key:
            headers["Idempotency-Key"] = key
        request = urllib.request.Request(  # noqa: S310 - the URL is an admin's gateway setting
            self.gateway.url, data=self.payload(to, text, key), method="POST", headers=headers
        )
        auth = secret_decrypt(self.gateway.auth_header_encrypted)
        if auth:
            request.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise SmsSendError(
                f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}",
                permanent=exc.code < 500 and exc.code not in (408, 429),
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SmsSendError(str(exc)) from exc
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        return str(data.get("id", "") if isinstance(data, dict) else "")[:200]


TRANSPORTS = {
    SmsGatewayKindChoices.CONSOLE: ConsoleTransport,
    SmsGatewayKindChoices.HTTP: HttpTransport,
}


def transport_for(gateway) -> SmsTransport:
    return TRANSPORTS[gateway.kind](gateway)
