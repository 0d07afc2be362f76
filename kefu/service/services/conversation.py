"""The conversation: public replies, internal notes, attachments and canned responses."""

import mimetypes
import os
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.policy import is_staff
from kefu.customers import facade as customers
from kefu.service import events, tasks
from kefu.service.choices import EntryKindChoices, StatusCategoryChoices
from kefu.service.constants import ATTACHMENT_FORBIDDEN_EXTENSIONS, ATTACHMENT_MAX_BYTES
from kefu.service.models import CannedResponse, Ticket, TicketAttachment, TicketEntry
from kefu.service.services._common import lock_ticket, save_ticket, status_of_category
from kefu.service.services.lifecycle import move_to_status, reopen_for_customer

MAX_BODY = 100_000
MENTION = re.compile(r"(?<![\w.])@([\w.\-]{2,150})")


def _clean_body(body: str, *, time_spent_minutes: int) -> str:
    body = (body or "").strip()
    errors = {}
    if not body:
        errors["body"] = [_("Write something first.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("A message has at most 100,000 characters.")]
    if time_spent_minutes < 0 or time_spent_minutes > 24 * 60:
        errors["time_spent_minutes"] = [_("Enter the minutes spent (0 to 1,440).")]
    if errors:
        raise ValidationError(errors)
    return body


def attachment_check(*, name: str, size: int) -> str:
    """Return the content type for an upload, or refuse it for size or type.

    Raises ``ValidationError`` on ``file`` for files over the size limit, empty files and
    executable or script types.
    """
    ext = os.path.splitext(name or "")[1].lower().lstrip(".")
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("“%(name)s” is larger than %(limit)d MB.")
                    % {"name": name, "limit": ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                ]
            }
        )
    if size == 0:
        raise ValidationError({"file": [_("“%(name)s” is empty.") % {"name": name}]})
    if ext in ATTACHMENT_FORBIDDEN_EXTENSIONS:
        raise ValidationError(
            {"file": [_("Files of type .%(ext)s cannot be attached.") % {"ext": ext}]}
        )
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def save_attachments(ticket: Ticket, entry: TicketEntry | None, files, *, actor, public: bool):
    saved = []
    for upload in files or []:
        content_type = attachment_check(name=upload.name, size=upload.size)
        attachment = TicketAttachment(
            ticket=ticket,
            entry=entry,
            filename=os.path.basename(upload.name)[:255],
            content_type=content_type,
            size=upload.size,
            is_public=public,
            uploaded_by=actor if is_staff(actor) else None,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def _mentioned_user_ids(body: str, *, exclude: int | None) -> list[int]:
    names = set(MENTION.findall(body))
    if not names:
        return []
    users = get_user_model().objects.filter(username__in=names, is_active=True, is_staff=True)
    return [pk for pk in users.values_list("pk", flat=True) if pk != exclude]


@transaction.atomic
def ticket_reply_add(
    *,
    actor,
    ticket: Ticket | int,
    body: str,
    author_contact_id: int | None = None,
    time_spent_minutes: int = 0,
    attachments=None,
    message_id: str = "",
    version: int | None = None,
) -> TicketEntry:
    """Add a public reply from an agent, or from the customer (``author_contact_id``).

    ``ticket``: the ticket or its id (it is re-read under a lock either way).

    A customer's reply reopens a resolved ticket and notifies the assignee; an agent's first
    reply moves a new ticket to open and mails the requester after commit. Attachments are
    checked first (size and type), so a refused file saves nothing.
    """
    body = _clean_body(body, time_spent_minutes=time_spent_minutes)
    for upload in attachments or []:
        attachment_check(name=upload.name, size=upload.size)
    ticket = lock_ticket(ticket, version=version)
    from_customer = author_contact_id is not None or not is_staff(actor)
    if from_customer and author_contact_id is None:
        author_contact_id = ticket.requester_id
    entry = TicketEntry.objects.create(
        ticket=ticket,
        kind=EntryKindChoices.REPLY,
        author=None if from_customer else actor,
        author_contact_id=author_contact_id if from_customer else None,
        body=body,
        time_spent_minutes=0 if from_customer else time_spent_minutes,
        message_id=(message_id or "")[:255],
    )
    save_attachments(ticket, entry, attachments, actor=actor, public=True)
    if from_customer and ticket.status_category == StatusCategoryChoices.RESOLVED:
        reopen_for_customer(ticket, actor=None)
    elif not from_customer and ticket.status_category == StatusCategoryChoices.NEW:
        opened = status_of_category(ticket.status.lifecycle_id, StatusCategoryChoices.OPEN)
        if opened is not None:
            move_to_status(ticket, opened, actor=actor)
        else:
            save_ticket(ticket, {})
    else:
        save_ticket(ticket, {})
    events.ticket_replied_event(ticket, actor=actor, entry=entry)
    ticket_id = ticket.pk
    if from_customer:
        if ticket.assignee_id:
            assignee = ticket.assignee_id
            transaction.on_commit(
                lambda: tasks.ticket_notify(ticket_id, "customer_replied", [assignee], body)
            )
    else:
        transaction.on_commit(lambda: tasks.ticket_notify_requester(ticket_id, "replied", body))
    return entry


@transaction.atomic
def ticket_note_add(
    *,
    actor,
    ticket: Ticket,
    body: str,
    time_spent_minutes: int = 0,
    attachments=None,
    version: int | None = None,
) -> TicketEntry:
    """Add an internal note (staff only; never shown or sent to the customer).

    ``@username`` mentions of staff users are mailed after commit. Attachments of a note are
    internal too.
    """
    if not is_staff(actor):
        raise ValidationError({"body": [_("Only staff can write internal notes.")]})
    body = _clean_body(body, time_spent_minutes=time_spent_minutes)
    for upload in attachments or []:
        attachment_check(name=upload.name, size=upload.size)
    ticket = lock_ticket(ticket, version=version)
    entry = TicketEntry.objects.create(
        ticket=ticket,
        kind=EntryKindChoices.NOTE,
        author=actor,
        body=body,
        time_spent_minutes=time_spent_minutes,
    )
    save_attachments(ticket, entry, attachments, actor=actor, public=False)
    save_ticket(ticket, {})
    mentioned = _mentioned_user_ids(body, exclude=actor.pk)
    if mentioned:
        entry.data = {"mentions": mentioned}
        entry.save(update_fields=["data"])
        ticket_id = ticket.pk
        transaction.on_commit(lambda: tasks.ticket_notify(ticket_id, "mentioned", mentioned, body))
    return entry


@transaction.atomic
def ticket_attachment_add(
    *, actor, ticket: Ticket, upload, is_public: bool = True
) -> TicketAttachment:
    """Attach one file to the ticket itself (not to an entry). Refuses oversize or bad types."""
    attachment_check(name=upload.name, size=upload.size)
    ticket = lock_ticket(ticket)
    (attachment,) = save_attachments(ticket, None, [upload], actor=actor, public=is_public)
    save_ticket(ticket, {})
    return attachment


def canned_response_render(*, canned: CannedResponse, ticket: Ticket, agent=None) -> str:
    """Fill a canned response's placeholders for ``ticket`` in the requester's language.

    Known placeholders: ``{ticket_number}``, ``{ticket_subject}``, ``{contact_name}``,
    ``{organization_name}``, ``{agent_name}``. Others are left as written.
    """
    contact = customers.contact_get_summary(ticket.requester_id) if ticket.requester_id else None
    values = {
        "ticket_number": ticket.number or "",
        "ticket_subject": ticket.subject,
        "contact_name": (contact or {}).get("name", ""),
        "organization_name": (contact or {}).get("organization_name") or "",
        "agent_name": agent.display_name if agent is not None else "",
    }
    text = canned.text_for(ticket.language)
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)
