"""Text messages: a keyed queue sent through the default gateway, every outcome recorded.

``sms_enqueue`` writes the row in the caller's transaction (so an SLA warning commits with the
sweep that decided it) and hands it to the job queue after commit. ``sms_deliver`` claims the
row with one conditional UPDATE (queued -> sending), so two workers never send it; a claim
older than the lease belongs to a dead worker and is taken again. A ``key`` makes the message
unique: asking twice for the same warning queues it once. Temporary gateway failures retry with
back-off; permanent ones (and the last attempt) end ``failed``. Sent and failed messages about
a ticket are recorded on it.

Exactly once, honestly: an HTTP gateway has no transaction with us, so a worker killed after
the gateway accepted but before the row was marked sent resends after the lease, with the same
``Idempotency-Key`` header and ``$key`` in the payload, which gateways use to drop the copy.
"""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.channels.choices import SmsGatewayKindChoices, SmsStateChoices
from kefu.channels.constants import (
    SMS_BACKOFF_BASE_SECONDS,
    SMS_BACKOFF_MAX_SECONDS,
    SMS_CLAIM_LEASE_SECONDS,
    SMS_MAX_ATTEMPTS,
)
from kefu.channels.crypto import secret_encrypt
from kefu.channels.models import SmsGateway, SmsMessage
from kefu.channels.services.outbound import template_render
from kefu.channels.sms.gateways import SmsSendError, transport_for
from kefu.customers import facade as customers
from kefu.service import facade as service

logger = logging.getLogger(__name__)

MAX_SMS_TEXT = 1000
LANGUAGES = ("zh-hans", "en")


def _clean(to: str, text: str) -> tuple[str, str]:
    number = customers.normalize_phone(to or "")
    errors = {}
    if number is None:
        errors["to"] = [_("Enter a valid phone number.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write the message first.")]
    elif len(text) > MAX_SMS_TEXT:
        errors["text"] = [_("A text message has at most 1,000 characters.")]
    if errors:
        raise ValidationError(errors)
    return number, text


def _language_for(number: str, ticket: dict | None, language: str | None) -> str:
    """The caller's choice, else the language of the contact with this number, else the
    ticket's, else Chinese."""
    if language in LANGUAGES:
        return language
    contact_id = customers.contact_find_by_identity("phone", number)
    contact = customers.contact_get_summary(contact_id) if contact_id else None
    preferred = (contact or {}).get("preferred_language")
    if preferred in LANGUAGES:
        return preferred
    if ticket and ticket.get("language") in LANGUAGES:
        return ticket["language"]
    return "zh-hans"


def sms_render(*, text: str, ticket_id: int | None, number: str, language: str | None) -> str:
    """Wrap ``text`` in the SMS template of the recipient's language (admin-editable)."""
    ticket = service.ticket_mail_summary(ticket_id) if ticket_id else None
    values = {
        "ticket_number": (ticket or {}).get("number") or "",
        "ticket_subject": (ticket or {}).get("subject") or "",
        "contact_name": "",
        "agent_name": "",
        "body": text,
    }
    language = _language_for(number, ticket, language)
    _subject, body = template_render(key="sms", language=language, values=values)
    return " ".join(body.split())[:MAX_SMS_TEXT]


def _default_gateway() -> SmsGateway:
    return SmsGateway.objects.filter(is_active=True).order_by(
        "-is_default", "pk"
    ).first() or SmsGateway(name="console", kind=SmsGatewayKindChoices.CONSOLE)


def sms_key(*, to: str, text: str, ticket_id: int | None) -> str:
    """The default key: the same text to the same number about the same ticket is one SMS."""
    return hashlib.sha256(f"{ticket_id or ''}|{to}|{text}".encode()).hexdigest()


def sms_enqueue(
    *,
    to: str,
    text: str,
    ticket_id: int | None = None,
    key: str = "",
    language: str | None = None,
    use_template: bool = True,
) -> tuple[SmsMessage, bool]:
    """Queue a text message in the caller's transaction; return ``(row, created)``.

    The row is handed to the job queue after commit (and the periodic sweep catches any that
    were not). ``key`` (default: a hash of number, text and ticket) makes it unique: the same
    key again returns the first row, whatever its state. ``text`` is wrapped in the ``sms``
    template of the recipient's language unless ``use_template`` is false. Raises
    ``ValidationError`` for a bad number or empty text; nothing is written then.
    """
    number, text = _clean(to, text)
    key = (key or sms_key(to=number, text=text, ticket_id=ticket_id))[:64]
    if (found := SmsMessage.objects.filter(key=key).first()) is not None:
        return found, False
    body = sms_render(text=text, ticket_id=ticket_id, number=number, language=language)
    try:
        with transaction.atomic():
            gateway = _default_gateway()
            row = SmsMessage.objects.create(
                key=key,
                gateway=gateway if gateway.pk else None,
                to=number,
                text=body if use_template else text,
                ticket_id=ticket_id,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        # Another worker queued the same key at the same moment: theirs is the one.
        return SmsMessage.objects.get(key=key), False
    from kefu.channels import tasks

    transaction.on_commit(lambda: tasks.sms_deliver(row.pk))
    return row, True


def sms_claim(*, sms_id: int) -> str | None:
    """Take a due (or abandoned) row for sending with one conditional UPDATE; return the token."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(state=SmsStateChoices.QUEUED, next_attempt_at__lte=now) | Q(
        state=SmsStateChoices.SENDING,
        claimed_at__lt=now - timedelta(seconds=SMS_CLAIM_LEASE_SECONDS),
    )
    claimed = SmsMessage.objects.filter(claimable, pk=sms_id, attempts__lt=SMS_MAX_ATTEMPTS).update(
        state=SmsStateChoices.SENDING,
        claimed_at=now,
        claim_token=token,
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


def _backoff(attempts: int) -> timedelta:
    seconds = SMS_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, SMS_BACKOFF_MAX_SECONDS))


def sms_deliver(*, sms_id: int) -> str | None:
    """Send one queued text message if it can be claimed; return its new state (or None).

    Sent: the gateway's reference is kept and the ticket gets an ``sms_sent`` event. A
    temporary failure goes back to the queue with exponential back-off; a permanent one (or
    the last attempt) ends ``failed`` with an ``sms_failed`` event on the ticket.
    """
    token = sms_claim(sms_id=sms_id)
    if token is None:
        return None
    row = SmsMessage.objects.select_related("gateway").get(pk=sms_id)
    mine = SmsMessage.objects.filter(pk=sms_id, claim_token=token)
    gateway = row.gateway or _default_gateway()
    try:
        reference = transport_for(gateway).send(row.to, row.text, key=row.key or str(row.pk))
    except SmsSendError as exc:
        error = str(exc)[:2000]
        if exc.permanent or row.attempts >= SMS_MAX_ATTEMPTS:
            mine.update(state=SmsStateChoices.FAILED, error=error)
            _record(row, verb="sms_failed", error=error)
            return SmsStateChoices.FAILED
        mine.update(
            state=SmsStateChoices.QUEUED,
            error=error,
            next_attempt_at=timezone.now() + _backoff(row.attempts),
        )
        logger.warning("SMS %s: temporary failure, retrying: %s", row.pk, error)
        return SmsStateChoices.QUEUED
    mine.update(
        state=SmsStateChoices.SENT, provider_ref=reference, sent_at=timezone.now(), error=""
    )
    _record(row, verb="sms_sent")
    return SmsStateChoices.SENT


def _record(row: SmsMessage, *, verb: str, error: str = "") -> None:
    if row.ticket_id is None:
        return
    if verb == "sms_sent":
        title = _("Text message sent to %(to)s.") % {"to": row.to}
    else:
        logger.error("SMS %s to %s failed: %s", row.pk, row.to, error)
        title = _("Text message to %(to)s failed: %(error)s") % {"to": row.to, "error": error}
    service.ticket_channel_event_add(
        ticket_id=row.ticket_id,
        verb=verb,
        title=title[:500],
        data={"sms_id": row.pk, "to": row.to, "error": error[:300]},
    )


def sms_send_due(*, limit: int = 100) -> int:
    """Send every due row (queued and due, or abandoned mid-send); return how many were sent."""
    now = timezone.now()
    lease = now - timedelta(seconds=SMS_CLAIM_LEASE_SECONDS)
    due = SmsMessage.objects.filter(
        Q(state=SmsStateChoices.QUEUED, next_attempt_at__lte=now)
        | Q(state=SmsStateChoices.SENDING, claimed_at__lt=lease),
        attempts__lt=SMS_MAX_ATTEMPTS,
    ).order_by("next_attempt_at", "pk")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        if sms_deliver(sms_id=pk) == SmsStateChoices.SENT:
            sent += 1
    return sent


def sms_send(
    *,
    to: str,
    text: str,
    ticket_id: int | None = None,
    gateway: SmsGateway | None = None,
    key: str = "",
) -> SmsMessage:
    """Send ``text`` to the phone number ``to`` now and return the recorded row.

    The text is sent as written (no template). Without ``gateway`` the default active one is
    used (the console when none is configured). Raises ``ValidationError`` for a bad number or
    empty text; a gateway failure is recorded on the row (``failed`` or queued for a retry),
    not raised.
    """
    number, text = _clean(to, text)
    gateway = gateway or _default_gateway()
    message = SmsMessage.objects.create(
        key=key[:64],
        gateway=gateway if gateway.pk else None,
        to=number,
        text=text,
        ticket_id=ticket_id,
        next_attempt_at=timezone.now(),
    )
    sms_deliver(sms_id=message.pk)
    message.refresh_from_db()
    return message


@transaction.atomic
def sms_gateway_save(
    *,
    actor,
    gateway: SmsGateway | None = None,
    name: str,
    kind: str,
    url: str = "",
    auth_header: str | None = None,
    payload_template: str | None = None,
    is_default: bool = False,
    is_active: bool = True,
) -> SmsGateway:
    """Create or change a gateway; ``auth_header=None`` keeps the stored secret.

    Making one the default clears the flag on the others.
    """
    gateway = gateway or SmsGateway()
    gateway.name = (name or "").strip()
    gateway.kind = kind
    gateway.url = url
    if payload_template is not None:
        gateway.payload_template = payload_template
    if auth_header is not None:
        gateway.auth_header_encrypted = secret_encrypt(auth_header)
    gateway.is_default = is_default
    gateway.is_active = is_active
    if kind == SmsGatewayKindChoices.HTTP and not url:
        raise ValidationError({"url": [_("An HTTP gateway needs a URL.")]})
    gateway.full_clean()
    gateway.save()
    if is_default:
        SmsGateway.objects.exclude(pk=gateway.pk).update(is_default=False)
    return gateway
