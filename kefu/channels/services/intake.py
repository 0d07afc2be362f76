"""Inbound mail: store raw first, then turn it into a ticket, a reply, a bounce or quarantine.

``inbound_receive`` commits the raw bytes (and their sha256) before anything else, so a crash
afterwards loses nothing: the row stays ``received`` and is processed again. ``inbound_process``
parses and acts in one transaction; anything that fails ends in the quarantine with the error,
never dropped. Threading trusts only what a participant could know: a follow-up from anyone
else becomes a new ticket linked to the one it names, and that sender learns nothing of it.
"""

import email.utils
import hashlib
import logging
import re
import traceback
from datetime import timedelta
from email import policy
from email.parser import BytesHeaderParser

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.roster import staff_id_by_email
from kefu.channels.choices import (
    InboundKindChoices,
    InboundSourceChoices,
    InboundStateChoices,
    OutboundKindChoices,
)
from kefu.channels.constants import (
    AUTO_REPLIES_PER_SENDER_PER_DAY,
    MAIL_ATTACHMENT_MAX_BYTES,
    TICKET_REF_PATTERN,
)
from kefu.channels.email.parse import MailRejected, ParsedMail, normalize_message_id, parse_message
from kefu.channels.email.robots import robot_reasons
from kefu.channels.models import AutoReplyLog, InboundMessage, Mailbox, OutboundMessage
from kefu.channels.services.outbound import (
    MailConfig,
    mail_config,
    mail_domain,
    outbound_enqueue,
    template_render,
)
from kefu.core import configstamp
from kefu.core.search.indexing import flush as search_flush
from kefu.customers import facade as customers
from kefu.service import facade as service

logger = logging.getLogger(__name__)

MAX_BODY = 100_000
CJK = re.compile(r"[\u3400-\u9fff]")


def _peek_message_id(raw: bytes) -> str:
    """The Message-ID from the header block only (cheap, and safe on any input)."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:262_144])
        return normalize_message_id(str(headers.get("message-id") or ""))
    except (ValueError, TypeError, IndexError, LookupError, UnicodeError):
        return ""


def _existing(*, mailbox_id, uid: str, message_id: str, sha256: str) -> InboundMessage | None:
    rows = InboundMessage.objects.defer("raw")
    if mailbox_id and uid:
        found = rows.filter(mailbox_id=mailbox_id, uid=uid).first()
        if found:
            return found
    if message_id:
        found = rows.filter(message_id=message_id).first()
        if found:
            return found
    return rows.filter(sha256=sha256).first()


def inbound_receive(
    *,
    raw: bytes,
    mailbox: Mailbox | None = None,
    uid: str = "",
    source: str = InboundSourceChoices.API,
) -> tuple[InboundMessage, bool]:
    """Store a raw message (committed on its own); return ``(row, created)``.

    The same message again (same mailbox UID, else Message-ID, else sha256) returns the first
    row with ``copies_seen`` bumped. Two workers storing the same message at once both end with
    the one row (the loser of the insert race reads the winner's).
    """
    digest = hashlib.sha256(raw).hexdigest()
    message_id = _peek_message_id(raw)
    mailbox_id = mailbox.pk if mailbox else None
    try:
        # Insert first: a new message (the usual case) costs one INSERT, not three look-ups;
        # the unique constraints (mailbox+UID, Message-ID, sha256) catch every duplicate.
        with transaction.atomic():
            row = InboundMessage.objects.create(
                mailbox=mailbox,
                source=source,
                uid=uid,
                message_id=message_id,
                sha256=digest,
                raw=raw,
                size=len(raw),
            )
        return row, True
    except IntegrityError:
        found = _existing(mailbox_id=mailbox_id, uid=uid, message_id=message_id, sha256=digest)
        if found is None:
            raise
    InboundMessage.objects.filter(pk=found.pk).update(copies_seen=F("copies_seen") + 1)
    return found, False


def inbound_process(*, inbound_id: int, raw: bytes | None = None) -> InboundMessage:
    """Parse a received message and act on it, or quarantine it with the reason.

    Only rows in state ``received`` are processed (so a second worker, or a second copy, does
    nothing). The ticket write and the row's new state commit together; a failure rolls the
    ticket side back and records the quarantine instead. ``raw``: the bytes the caller has
    just stored (saves reading them back); otherwise they are read from the row.
    """
    try:
        # One check of the configuration stamp for the mail, the desk and the customer master
        # (a change made by the processing itself is seen at once), and the search index rows
        # written in the same transaction instead of a second one after it.
        with configstamp.checked_once(), transaction.atomic():
            # (No select_related: FOR UPDATE cannot lock the nullable side of an outer join.)
            row = (
                InboundMessage.objects.select_for_update()
                .defer("raw", "html_body", "text_body")
                .get(pk=inbound_id)
            )
            if row.state != InboundStateChoices.RECEIVED:
                return row
            if raw is None:
                raw = InboundMessage.objects.values_list("raw", flat=True).get(pk=inbound_id)
            _process(row, bytes(raw))
            search_flush()
            return row
    except MailRejected as exc:
        return _quarantine(inbound_id, f"{exc.code}: {exc.detail}")
    except Exception as exc:
        logger.exception("inbound message %s could not be processed", inbound_id)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return _quarantine(inbound_id, f"error: {detail}"[:4000])


def _quarantine(inbound_id: int, error: str) -> InboundMessage:
    InboundMessage.objects.filter(pk=inbound_id).update(
        state=InboundStateChoices.QUARANTINED, error=error[:4000], processed_at=timezone.now()
    )
    logger.warning("inbound message %s quarantined: %s", inbound_id, error[:200])
    return InboundMessage.objects.get(pk=inbound_id)


def inbound_reprocess(*, actor, inbound: InboundMessage) -> InboundMessage:
    """Put a quarantined message back to ``received`` and process it again (administrators)."""
    if inbound.state != InboundStateChoices.QUARANTINED:
        raise ValidationError({"state": [_("Only quarantined messages can be reprocessed.")]})
    InboundMessage.objects.filter(pk=inbound.pk).update(
        state=InboundStateChoices.RECEIVED, error=""
    )
    return inbound_process(inbound_id=inbound.pk)


def mail_ingest(
    *, raw: bytes, mailbox: Mailbox | None = None, uid: str = "", source: str
) -> InboundMessage:
    """Store and process one raw message; the entry point of the pipe command and the API."""
    row, created = inbound_receive(raw=raw, mailbox=mailbox, uid=uid, source=source)
    if row.state == InboundStateChoices.RECEIVED:
        # A copy may differ from the first one's bytes (another sha256): process the stored.
        row = inbound_process(inbound_id=row.pk, raw=raw if created else None)
    return row


# --- Processing ---------------------------------------------------------------------------


def _own_addresses(config: MailConfig | None = None) -> set[str]:
    return set((config or mail_config()).own_addresses)


# What processing writes back to the row (never ``raw``: the stored bytes are not rewritten).
PROCESSED_FIELDS = (
    "from_address",
    "subject",
    "cc_addresses",
    "references",
    "html_body",
    "text_body",
    "robot_reasons",
    "defects",
    "kind",
    "ticket_id",
    "entry_id",
    "contact_id",
    "state",
    "processed_at",
)


def _process(row: InboundMessage, raw: bytes) -> None:
    parsed = parse_message(raw)
    config = mail_config()
    own = _own_addresses(config)
    reasons = robot_reasons(parsed, domain=mail_domain(), own_addresses=own)
    if parsed.defects:
        logger.warning("inbound message %s decoding defects: %s", row.pk, parsed.defects[:10])
    others = [
        address
        for _name, address in [*parsed.to, *parsed.cc]
        if address not in own and address != parsed.from_address
    ]
    row.from_address = parsed.from_address
    row.subject = parsed.subject[:300]
    row.cc_addresses = list(dict.fromkeys(others))[:100]
    row.references = parsed.all_references[:50]
    row.html_body = parsed.html
    row.text_body = parsed.text
    row.robot_reasons = reasons
    row.defects = parsed.defects[:100]
    if "own-message-id" in reasons or "own-address" in reasons:
        row.kind = InboundKindChoices.LOOP
    elif parsed.report is not None and parsed.report.recipients:
        _handle_bounce(row, parsed)
    else:
        _handle_request(row, parsed, reasons=reasons, config=config)
    row.state = InboundStateChoices.PROCESSED
    row.processed_at = timezone.now()
    row.save(update_fields=PROCESSED_FIELDS)


def _handle_bounce(row: InboundMessage, parsed: ParsedMail) -> None:
    """Flag hard-bounced addresses and note the failure on the ticket of the original mail."""
    report = parsed.report
    row.kind = InboundKindChoices.BOUNCE
    original = report.original_message_id
    ticket_id = None
    if original:
        ticket_id = (
            OutboundMessage.objects.filter(message_id=original)
            .values_list("ticket_id", flat=True)
            .first()
        ) or service.ticket_find_by_reference(message_ids=[original])
    row.ticket_id = ticket_id
    for recipient in report.recipients:
        if not recipient.is_permanent_failure:
            continue
        customers.identity_mark_undeliverable(kind="email", value=recipient.address)
        if ticket_id is not None:
            service.ticket_channel_event_add(
                ticket_id=ticket_id,
                verb="mail_bounced",
                title=_("Mail to %(address)s could not be delivered (%(status)s).")
                % {"address": recipient.address, "status": recipient.status or recipient.action},
                data={
                    "address": recipient.address,
                    "status": recipient.status,
                    "diagnostic": recipient.diagnostic,
                    "inbound_id": row.pk,
                },
            )


def _find_ticket(row: InboundMessage, parsed: ParsedMail) -> int | None:
    """The ticket this mail follows up: the reference in the subject, else a known Message-ID."""
    match = re.search(TICKET_REF_PATTERN, parsed.subject)
    if match:
        ticket_id = service.ticket_find_by_reference(number=match.group(1))
        if ticket_id is not None:
            return service.ticket_follow_merges(ticket_id)
    refs = parsed.all_references
    if not refs:
        return None
    # One statement: the newest of our own mails it names, else the newest mail taken in.
    ours = (
        OutboundMessage.objects.filter(message_id__in=refs, ticket_id__isnull=False)
        .order_by()
        .annotate(rank=Value(0))
        .values_list("rank", "id", "ticket_id")
    )
    theirs = (
        InboundMessage.objects.filter(message_id__in=refs, ticket_id__isnull=False)
        .exclude(pk=row.pk)
        .order_by()
        .annotate(rank=Value(1))
        .values_list("rank", "id", "ticket_id")
    )
    best = ours.union(theirs, all=True).order_by("rank", "-id").first()
    ticket_id = best[2] if best else None
    if ticket_id is None:
        ticket_id = service.ticket_find_by_reference(message_ids=refs)
    return service.ticket_follow_merges(ticket_id)


def _is_participant(ticket_id: int, *, address: str, contact_id: int | None, staff: bool) -> bool:
    """Requester, CC'd addresses and customer authors of the ticket, or any agent."""
    if staff:
        return True
    if contact_id is not None and contact_id in service.ticket_participant_contact_ids(ticket_id):
        return True
    for cc in InboundMessage.objects.filter(ticket_id=ticket_id).values_list(
        "cc_addresses", flat=True
    ):
        if address in (cc or []):
            return True
    for to, cc in OutboundMessage.objects.filter(ticket_id=ticket_id).values_list("to", "cc"):
        if address in [a.lower() for a in [*(to or []), *(cc or [])]]:
            return True
    return False


def _uploads(row: InboundMessage, parsed: ParsedMail) -> list[ContentFile]:
    """Attachments the desk accepts; refused ones are listed on the row (the raw keeps them)."""
    uploads = []
    for attachment in parsed.attachments:
        size = len(attachment.data)
        try:
            if size > MAIL_ATTACHMENT_MAX_BYTES:
                raise ValidationError(_("too large"))
            service.attachment_check(name=attachment.filename, size=size)
        except ValidationError as exc:
            row.defects = [
                *row.defects,
                f"attachment {attachment.filename!r} not attached: {'; '.join(exc.messages)}",
            ]
            continue
        uploads.append(ContentFile(attachment.data, name=attachment.filename))
    return uploads


def _body(text: str) -> str:
    text = text.strip()
    if not text:
        return _("(This mail has no text.)")
    if len(text) > MAX_BODY:
        return text[: MAX_BODY - 100] + "\n\n" + _("[Cut: the full mail is kept with the ticket.]")
    return text


def _handle_request(
    row: InboundMessage, parsed: ParsedMail, *, reasons: list[str], config: MailConfig
) -> None:
    sender = parsed.from_address
    staff_id = staff_id_by_email(sender)
    # The row's mailbox is an active one from the snapshot (no read), or read if inactive.
    mailbox = next((m for m in config.mailboxes if m.pk == row.mailbox_id), None)
    mailbox = mailbox or row.mailbox
    # Whether the contact is new only matters for the language of an acknowledgement.
    may_acknowledge = not reasons and (mailbox is None or mailbox.send_acknowledgement)
    contact_id, created = customers.contact_find_or_create(
        actor=None, email=sender, name=parsed.from_name
    )
    is_new_contact = may_acknowledge and created
    row.contact_id = contact_id
    uploads = _uploads(row, parsed)
    original_id = _find_ticket(row, parsed)
    if original_id is not None and _is_participant(
        original_id, address=sender, contact_id=contact_id, staff=staff_id is not None
    ):
        body = _body(parsed.text_new or parsed.text)
        if staff_id is not None:
            # The reply is mailed to the requester unless they were among this mail's
            # recipients (outbound.ticket_reply_mail reads them from the row: save them first).
            row.save(update_fields=["cc_addresses"])
            row.entry_id = service.ticket_agent_reply(
                actor=get_user_model().objects.get(pk=staff_id),
                ticket_id=original_id,
                body=body,
                attachments=uploads,
                message_id=parsed.message_id,
            )
        else:
            row.entry_id = service.ticket_customer_reply(
                ticket_id=original_id,
                contact_id=contact_id,
                body=body,
                attachments=uploads,
                message_id=parsed.message_id,
            )
        row.ticket_id = original_id
        row.kind = InboundKindChoices.FOLLOW_UP
        return
    language = "zh-hans" if CJK.search(f"{parsed.subject}\n{parsed.text[:2000]}") else "en"
    subject = parsed.subject
    if original_id is not None:
        # Their subject names another ticket: drop the reference so nothing echoes it back.
        subject = " ".join(re.sub(TICKET_REF_PATTERN, " ", subject).split())
    created = service.ticket_open_summary(
        actor=None,
        subject=(subject or _("(no subject)"))[:300],
        description=_body(parsed.text),
        requester_id=contact_id,
        queue_id=mailbox.queue_id if mailbox else None,
        language=language,
        message_id=parsed.message_id,
        channel="email",
        attachments=uploads,
    )
    row.ticket_id = created["id"]
    row.entry_id = created["entry_id"]
    row.kind = InboundKindChoices.NEW_TICKET
    if original_id is not None:
        # A stranger naming someone else's ticket: their own ticket, linked for the agents only.
        service.ticket_link_related(actor=None, ticket_id=created["id"], other_id=original_id)
        row.kind = InboundKindChoices.LINKED_TICKET
    _acknowledge(
        row,
        parsed,
        ticket=created,
        reasons=reasons,
        contact_id=contact_id,
        language=language if is_new_contact else None,
        config=config,
        mailbox=mailbox,
    )


def auto_reply_allowed(address: str) -> bool:
    """At most a few automatic replies per address per day, whatever else the mail says."""
    since = timezone.now() - timedelta(days=1)
    count = AutoReplyLog.objects.filter(address=address, sent_at__gte=since).count()
    return count < AUTO_REPLIES_PER_SENDER_PER_DAY


def _acknowledge(
    row,
    parsed: ParsedMail,
    *,
    ticket: dict,
    reasons: list[str],
    contact_id: int,
    language: str | None,
    config: MailConfig | None = None,
    mailbox: Mailbox | None = None,
):
    """Send the acknowledgement of a new ticket, unless a robot wrote in or the limit is hit.

    It is written in the contact's preferred language; for a contact created by this very
    mail, in the language the mail was written in.
    """
    mailbox = mailbox if mailbox is not None else row.mailbox
    if reasons or (mailbox is not None and not mailbox.send_acknowledgement):
        return
    address = parsed.from_address
    if not auto_reply_allowed(address):
        row.robot_reasons = [*row.robot_reasons, "auto-reply-limit"]
        return
    # ticket: what ticket_open_summary returned (with the requester's summary).
    contact = ticket.get("requester") or {}
    if contact.get("id") != contact_id:
        contact = customers.contact_get_summary(contact_id) or {}
    language = language or contact.get("preferred_language") or "zh-hans"
    values = {
        "ticket_number": ticket["number"] or "",
        "ticket_subject": ticket["subject"],
        "contact_name": contact.get("name") or address,
        "agent_name": "",
        "body": "",
    }
    subject, body = template_render(
        key="acknowledgement", language=language, values=values, config=config
    )
    outbound_enqueue(
        kind=OutboundKindChoices.ACKNOWLEDGEMENT,
        to=[email.utils.formataddr((parsed.from_name, address))],
        subject=subject,
        body=body,
        mailbox=mailbox,
        ticket_id=ticket["id"],
        in_reply_to=parsed.message_id,
        references=[parsed.message_id],
    )
    AutoReplyLog.objects.create(address=address, ticket_id=ticket["id"])
