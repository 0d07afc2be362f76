"""The outbox: agent replies, acknowledgements and notifications, each sent exactly once.

``outbound_enqueue`` writes a row in the caller's transaction and schedules the send after
commit. ``outbox_send`` claims the row with a conditional UPDATE (queued -> sending), so two
workers never send the same row; a claim older than the lease belongs to a worker that died
mid-send and is retried with the same Message-ID, which receivers (and our own intake) use to
drop the second copy. Temporary SMTP failures retry with back-off; permanent ones are recorded
on the ticket.
"""

import email.utils
import logging
import smtplib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.channels.choices import OutboundKindChoices, OutboundStateChoices
from kefu.channels.constants import (
    MESSAGE_ID_PREFIX,
    OUTBOX_BACKOFF_BASE_SECONDS,
    OUTBOX_BACKOFF_MAX_SECONDS,
    OUTBOX_CLAIM_LEASE_SECONDS,
    OUTBOX_MAX_ATTEMPTS,
)
from kefu.channels.email.templates import default_for, render_text
from kefu.channels.models import InboundMessage, Mailbox, MailTemplate, OutboundMessage
from kefu.core.configstamp import snapshot
from kefu.customers import facade as customers
from kefu.service import facade as service

logger = logging.getLogger(__name__)

AUTOMATIC_KINDS = (OutboundKindChoices.ACKNOWLEDGEMENT, OutboundKindChoices.NOTIFICATION)


def mail_domain() -> str:
    """The domain of Kefu's own Message-IDs: that of ``DEFAULT_FROM_EMAIL``."""
    address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return (address.rpartition("@")[2] or "kefu.localhost").lower()


def message_id_new() -> str:
    """Return a fresh Message-ID (without brackets) in Kefu's own domain."""
    return f"{MESSAGE_ID_PREFIX}{uuid.uuid4().hex}@{mail_domain()}"


def _one_line(text: str, limit: int = 400) -> str:
    return " ".join((text or "").split())[:limit]


@dataclass(frozen=True)
class MailConfig:
    """The administrators' mail templates and the active mailboxes, as one snapshot per
    process (``kefu.core.configstamp``: one query per use while nothing changed). Shared by
    every request: never change or save what it holds."""

    templates: dict  # (key, language) -> (subject, body)
    mailboxes: tuple  # active mailboxes by id
    own_addresses: frozenset  # every mailbox's from address, lower-cased (active or not)

    def mailbox_for_queue(self, queue_id: int | None) -> Mailbox | None:
        """The mailbox that answers for a queue (else the first active one)."""
        for mailbox in self.mailboxes:
            if mailbox.queue_id == queue_id:
                return mailbox
        return self.mailboxes[0] if self.mailboxes else None


def _mail_config_build() -> MailConfig:
    templates: dict = {}
    for row in MailTemplate.objects.all():
        templates.setdefault((row.key, row.language), (row.subject, row.body))
    mailboxes = list(Mailbox.objects.order_by("pk"))
    return MailConfig(
        templates=templates,
        mailboxes=tuple(m for m in mailboxes if m.is_active),
        own_addresses=frozenset(m.from_address.lower() for m in mailboxes),
    )


def mail_config() -> MailConfig:
    """The current :class:`MailConfig`."""
    return snapshot("channels.mail", _mail_config_build)


def template_render(
    *, key: str, language: str, values: dict[str, str], config: MailConfig | None = None
) -> tuple[str, str]:
    """Return (subject, body) of template ``key`` in ``language`` (an admin's row, else built-in)."""
    row = (config or mail_config()).templates.get((key, language))
    subject, body = row if row else default_for(key, language)
    return _one_line(render_text(subject, values)), render_text(body, values)


def mailbox_for_queue(queue_id: int | None, *, config: MailConfig | None = None) -> Mailbox | None:
    """The mailbox that answers for a queue (else the first active one)."""
    return (config or mail_config()).mailbox_for_queue(queue_id)


def _sender(mailbox: Mailbox | None) -> str:
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    return email.utils.formataddr((mailbox.from_name, mailbox.from_address))


@transaction.atomic
def outbound_enqueue(
    *,
    kind: str,
    to: list[str],
    subject: str,
    body: str,
    mailbox: Mailbox | None = None,
    cc: list[str] | None = None,
    ticket_id: int | None = None,
    entry_id: int | None = None,
    in_reply_to: str = "",
    references: list[str] | None = None,
    attachment_entry_ids: list[int] | None = None,
) -> OutboundMessage:
    """Put one mail in the outbox; it is sent after the caller's transaction commits.

    Automatic kinds carry ``Auto-Submitted`` (RFC 3834) and ``Precedence: bulk`` so that
    well-behaved systems never answer them.
    """
    headers = {}
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    refs = [r for r in dict.fromkeys(references or []) if r][-20:]
    if refs:
        headers["References"] = " ".join(f"<{r}>" for r in refs)
    if kind == OutboundKindChoices.ACKNOWLEDGEMENT and in_reply_to:
        headers["Auto-Submitted"] = "auto-replied"
    elif kind in AUTOMATIC_KINDS:
        # RFC 3834: "auto-replied" answers a message; a notice nobody wrote to us about
        # (a portal request's acknowledgement, a resolution) is "auto-generated".
        headers["Auto-Submitted"] = "auto-generated"
    if kind in AUTOMATIC_KINDS:
        headers["Precedence"] = "bulk"
        headers["X-Auto-Response-Suppress"] = "All"
    row = OutboundMessage.objects.create(
        message_id=message_id_new(),
        kind=kind,
        mailbox=mailbox,
        from_address=_sender(mailbox),
        to=list(to),
        cc=list(cc or []),
        subject=_one_line(subject),
        body=body,
        headers=headers,
        attachment_entry_ids=list(attachment_entry_ids or []),
        ticket_id=ticket_id,
        entry_id=entry_id,
        next_attempt_at=timezone.now(),
    )
    from kefu.channels import tasks

    transaction.on_commit(lambda: tasks.outbox_send(row.pk))
    return row


def _thread_ids(ticket_id: int) -> list[str]:
    """Message-IDs of the ticket's mail so far, oldest first (for References)."""
    inbound = InboundMessage.objects.filter(ticket_id=ticket_id).exclude(message_id="")
    outbound = OutboundMessage.objects.filter(ticket_id=ticket_id)
    rows = [(m.received_at, m.message_id) for m in inbound.only("received_at", "message_id")]
    rows += [(m.created_at, m.message_id) for m in outbound.only("created_at", "message_id")]
    return [mid for _at, mid in sorted(rows)]


def _contact_values(ticket: dict, *, requester: dict | None = None) -> tuple[dict | None, str]:
    if requester is not None and requester["id"] == ticket["requester_id"]:
        contact = requester
    else:
        contact = (
            customers.contact_get_summary(ticket["requester_id"])
            if ticket["requester_id"]
            else None
        )
    language = (contact or {}).get("preferred_language") or ticket["language"] or "zh-hans"
    return contact, language


def ticket_reply_mail(*, entry_id: int, agent_name: str = "") -> OutboundMessage | None:
    """Mail an agent's public reply to the requester, threaded under the customer's mail.

    The subject carries the ticket reference; In-Reply-To is the customer's latest mail and
    References the whole thread; the entry's public attachments go along. One entry is mailed
    once: asking again returns the row queued the first time. Returns None when the entry is
    not a public reply, when the requester has no deliverable address (recorded on the ticket
    if their address bounced), or when the agent wrote by mail with the requester among the
    recipients (they have it already).
    """
    existing = OutboundMessage.objects.filter(entry_id=entry_id, kind=OutboundKindChoices.REPLY)
    if (row := existing.first()) is not None:
        return row
    entry = service.entry_get_summary(entry_id)
    if entry is None or entry["kind"] != "reply" or entry["author_contact_id"] is not None:
        return None
    ticket = service.ticket_mail_summary(entry["ticket_id"])
    contact, language = _contact_values(ticket)
    address = _deliverable_email(contact)
    if address is None:
        _undeliverable_record(ticket["id"], contact, what=_("The reply"))
        return None
    if entry["message_id"] and _was_recipient(entry["message_id"], address):
        return None
    values = {
        "ticket_number": ticket["number"] or "",
        "ticket_subject": ticket["subject"],
        "contact_name": contact["name"],
        "agent_name": agent_name,
        "body": entry["body"],
    }
    subject, body = template_render(key="reply", language=language, values=values)
    thread = _thread_ids(ticket["id"])
    latest_inbound = (
        InboundMessage.objects.filter(ticket_id=ticket["id"])
        .exclude(message_id="")
        .order_by("-received_at", "-id")
        .values_list("message_id", flat=True)
        .first()
    )
    return outbound_enqueue(
        kind=OutboundKindChoices.REPLY,
        to=[address],
        subject=subject,
        body=body,
        mailbox=mailbox_for_queue(ticket["queue_id"]),
        ticket_id=ticket["id"],
        entry_id=entry_id,
        in_reply_to=latest_inbound or (thread[-1] if thread else ""),
        references=thread,
        attachment_entry_ids=[entry_id],
    )


def _was_recipient(message_id: str, address: str) -> bool:
    """Whether ``address`` was among the other recipients of the inbound mail ``message_id``."""
    others = (
        InboundMessage.objects.filter(message_id=message_id)
        .values_list("cc_addresses", flat=True)
        .first()
    )
    return address.lower() in [a.lower() for a in others or []]


# The template and mail kind of each automatic notice; anything else is a "notification".
EVENT_MAILS = {
    "created": ("acknowledgement", OutboundKindChoices.ACKNOWLEDGEMENT),
    "resolved": ("resolved", OutboundKindChoices.NOTIFICATION),
    "survey": ("survey", OutboundKindChoices.NOTIFICATION),
}


def ticket_event_mail(
    *,
    ticket_id: int,
    event: str,
    text: str = "",
    ticket: dict | None = None,
    requester: dict | None = None,
    thread: list[str] | None = None,
) -> OutboundMessage | None:
    """Mail the requester an automatic notice about their ticket (the acknowledgement of a
    request opened elsewhere, its resolution, or a notification with ``text``).

    Written with the template of the event in the requester's language, threaded under the
    ticket's mail, marked ``Auto-Submitted: auto-generated`` and ``Precedence: bulk``. Returns
    None for an unknown ticket or a requester without a deliverable address. What the caller
    already holds is not read again: ``ticket`` (its ``ticket_mail_summary``), ``requester``
    (the requester's contact summary) and ``thread`` (the Message-IDs so far: none for a ticket
    created in the caller's transaction).
    """
    ticket = ticket or service.ticket_mail_summary(ticket_id)
    if ticket is None:
        return None
    contact, language = _contact_values(ticket, requester=requester)
    address = _deliverable_email(contact)
    if address is None:
        _undeliverable_record(ticket_id, contact, what=_("The automatic notice"))
        return None
    key, kind = EVENT_MAILS.get(event, ("notification", OutboundKindChoices.NOTIFICATION))
    values = {
        "ticket_number": ticket["number"] or "",
        "ticket_subject": ticket["subject"],
        "contact_name": contact["name"],
        "agent_name": "",
        "body": text,
    }
    config = mail_config()
    subject, body = template_render(key=key, language=language, values=values, config=config)
    thread = _thread_ids(ticket_id) if thread is None else thread
    return outbound_enqueue(
        kind=kind,
        to=[address],
        subject=subject,
        body=body,
        mailbox=config.mailbox_for_queue(ticket["queue_id"]),
        ticket_id=ticket_id,
        in_reply_to=thread[-1] if thread else "",
        references=thread,
    )


def ticket_notification_mail(*, ticket_id: int, text: str) -> OutboundMessage | None:
    """Mail the requester an automatic notice with ``text`` (marked auto-generated)."""
    return ticket_event_mail(ticket_id=ticket_id, event="notification", text=text)


def _undeliverable_record(ticket_id: int, contact: dict | None, *, what: str) -> None:
    """Note on the ticket that nothing was mailed because every address of the requester
    bounced (a requester without any email address is not worth a note)."""
    emails = [i["value"] for i in (contact or {}).get("identities", []) if i["kind"] == "email"]
    if not emails:
        return
    service.ticket_channel_event_add(
        ticket_id=ticket_id,
        verb="mail_not_sent",
        title=_("%(what)s was not mailed: %(addresses)s is marked undeliverable.")
        % {"what": what, "addresses": ", ".join(emails)},
        data={"addresses": emails},
    )


def mail_not_queued_record(*, ticket_id: int, verb: str, error: str) -> None:
    """Note on the ticket that the mail of an event could not be queued (a bug or bad data)."""
    service.ticket_channel_event_add(
        ticket_id=ticket_id,
        verb="mail_failed",
        title=_("The mail for this change could not be prepared: %(error)s")
        % {"error": error[:300]},
        data={"event": verb},
    )


def _deliverable_email(contact: dict | None) -> str | None:
    """The contact's primary email unless it bounced, else any email that did not."""
    if not contact:
        return None
    usable = [
        i for i in contact["identities"] if i["kind"] == "email" and not i["is_undeliverable"]
    ]
    usable.sort(key=lambda identity: not identity["is_primary"])
    return usable[0]["value"] if usable else None


def _build(row: OutboundMessage) -> EmailMultiAlternatives:
    headers = {**row.headers, "Message-ID": f"<{row.message_id}>"}
    headers["Date"] = email.utils.format_datetime(row.created_at)
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_address,
        to=row.to,
        cc=row.cc,
        headers=headers,
    )
    for entry_id in row.attachment_entry_ids:
        for item in service.entry_attachments(entry_id):
            message.attach(item["filename"], item["content"], item["content_type"] or None)
    return message


def _is_permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _backoff(attempts: int) -> timedelta:
    seconds = OUTBOX_BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, OUTBOX_BACKOFF_MAX_SECONDS))


def outbox_claim(*, outbound_id: int) -> str | None:
    """Take the row for sending with one conditional UPDATE; return the claim token or None.

    A queued row that is due, or a "sending" row whose claim is older than the lease (its
    worker died), can be claimed; anything else (sent, failed, claimed by a live worker) not.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(state=OutboundStateChoices.QUEUED, next_attempt_at__lte=now) | Q(
        state=OutboundStateChoices.SENDING,
        claimed_at__lt=now - timedelta(seconds=OUTBOX_CLAIM_LEASE_SECONDS),
    )
    claimed = (
        OutboundMessage.objects.filter(claimable, pk=outbound_id)
        .filter(attempts__lt=OUTBOX_MAX_ATTEMPTS)
        .update(
            state=OutboundStateChoices.SENDING,
            claimed_at=now,
            claim_token=token,
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


def outbox_send(*, outbound_id: int, connection=None) -> str | None:
    """Send one outbox row if it can be claimed; return its new state (None if not claimed)."""
    token = outbox_claim(outbound_id=outbound_id)
    if token is None:
        return None
    row = OutboundMessage.objects.get(pk=outbound_id)
    mine = OutboundMessage.objects.filter(pk=outbound_id, claim_token=token)
    try:
        message = _build(row)
        message.connection = connection or get_connection(fail_silently=False)
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if _is_permanent(exc) or row.attempts >= OUTBOX_MAX_ATTEMPTS:
            mine.update(state=OutboundStateChoices.FAILED, last_error=error)
            _record_failure(row, error)
            return OutboundStateChoices.FAILED
        mine.update(
            state=OutboundStateChoices.QUEUED,
            last_error=error,
            next_attempt_at=timezone.now() + _backoff(row.attempts),
        )
        logger.warning("outbox %s: temporary failure, retrying: %s", row.message_id, error)
        return OutboundStateChoices.QUEUED
    mine.update(state=OutboundStateChoices.SENT, sent_at=timezone.now(), last_error="")
    return OutboundStateChoices.SENT


def _record_failure(row: OutboundMessage, error: str) -> None:
    logger.error("outbox %s: permanent failure: %s", row.message_id, error)
    if row.ticket_id is None:
        return
    service.ticket_channel_event_add(
        ticket_id=row.ticket_id,
        verb="mail_failed",
        title=_("Mail to %(to)s could not be sent: %(error)s")
        % {"to": ", ".join(row.to), "error": error[:300]},
        data={"message_id": row.message_id, "kind": row.kind},
    )


def outbox_send_due(*, limit: int = 100, connection=None) -> int:
    """Send every due row (queued and due, or abandoned mid-send); return how many were sent."""
    now = timezone.now()
    lease = now - timedelta(seconds=OUTBOX_CLAIM_LEASE_SECONDS)
    due = OutboundMessage.objects.filter(
        Q(state=OutboundStateChoices.QUEUED, next_attempt_at__lte=now)
        | Q(state=OutboundStateChoices.SENDING, claimed_at__lt=lease)
    ).order_by("next_attempt_at", "pk")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        if outbox_send(outbound_id=pk, connection=connection) == OutboundStateChoices.SENT:
            sent += 1
    return sent
