"""Is this mail from a robot? RFC 3834 and the habits of real mail systems.

An automatic reply (our acknowledgement) goes only to mail with none of these signs; answering
a robot starts a mail loop. The signs are recorded on the inbound message for the admin page.
"""

from kefu.channels.constants import MESSAGE_ID_PREFIX
from kefu.channels.email.parse import ParsedMail

ROBOT_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce"}
)
ROBOT_FLAG_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply", "x-autoresponder")


def is_own_message_id(message_id: str, *, domain: str) -> bool:
    """True for a Message-ID Kefu generated (``kefu.<random>@<our domain>``)."""
    local, _at, host = (message_id or "").rpartition("@")
    return bool(local) and local.startswith(MESSAGE_ID_PREFIX) and host.lower() == domain.lower()


def robot_reasons(parsed: ParsedMail, *, domain: str, own_addresses: set[str]) -> list[str]:
    """Return why ``parsed`` must get no automatic reply (empty list: a person wrote it)."""
    headers = parsed.headers
    reasons = []
    auto_submitted = headers.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        reasons.append(f"auto-submitted:{auto_submitted}")
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        reasons.append(f"precedence:{precedence}")
    if headers.get("x-auto-response-suppress", "").strip():
        reasons.append("x-auto-response-suppress")
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if name in headers:
            reasons.append(name)
    for name in ROBOT_FLAG_HEADERS:
        if name in headers:
            reasons.append(name)
    if parsed.return_path is not None and parsed.return_path in ("", "<>"):
        reasons.append("empty-return-path")
    if parsed.from_address.split("@")[0] in ROBOT_LOCAL_PARTS:
        reasons.append("robot-sender")
    if parsed.report is not None or "multipart/report" in headers.get("content-type", "").lower():
        reasons.append("delivery-report")
    if is_own_message_id(parsed.message_id, domain=domain):
        reasons.append("own-message-id")
    if parsed.from_address in own_addresses:
        reasons.append("own-address")
    return reasons
