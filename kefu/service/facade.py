"""The service desk as other apps see it (channels, portal, automation, analytics, SLA).

Writes are thin calls into ``services``; reads return plain dicts and ids, never model
instances, so other apps never depend on the shape of our models.

Start here:

* an inbound message (mail, SMS, web form): :func:`ticket_find_by_reference` to thread it, then
  :func:`ticket_open` for a new request or :func:`ticket_customer_reply` for a follow-up;
* showing a ticket elsewhere (portal, timeline): :func:`ticket_get_summary`,
  :func:`tickets_of_contact`.
"""

from typing import Any

from kefu.service import services, signals
from kefu.service.choices import ACTIVE_CATEGORIES
from kefu.service.models import Ticket, TicketEntry

__all__ = [
    "ACTIVE_CATEGORIES",
    "ticket_customer_reply",
    "ticket_find_by_reference",
    "ticket_get_summary",
    "ticket_open",
    "ticket_open_summary",
    "tickets_of_contact",
]


def _summary(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status_key": ticket.status.key,
        "status_label": ticket.status.label,
        "status_category": ticket.status_category,
        "priority": ticket.priority,
        "queue_id": ticket.queue_id,
        "assignee_id": ticket.assignee_id,
        "requester_id": ticket.requester_id,
        "organization_id": ticket.organization_id,
        "site_id": ticket.site_id,
        "channel": ticket.channel,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "resolved_at": ticket.resolved_at,
        "url": ticket.get_absolute_url(),
    }


def ticket_open(*, actor, **fields: Any) -> int:
    """Create a ticket (see ``services.ticket_create`` for the fields); return its id."""
    return services.ticket_create(actor=actor, **fields).pk


def ticket_open_summary(*, actor, **fields: Any) -> dict[str, Any]:
    """Create a ticket like :func:`ticket_open`; return its :func:`ticket_mail_summary` plus
    ``entry_id`` (its first message's entry, or None) and ``requester`` (the requester's
    contact summary, or None), all known without reading them back."""
    ticket = services.ticket_create(actor=actor, **fields)
    summary = ticket_mail_summary_of(ticket)
    summary["entry_id"] = ticket.first_entry_id
    summary["requester"] = ticket.requester_summary
    return summary


def ticket_customer_reply(
    *, ticket_id: int, contact_id: int, body: str, message_id: str = "", attachments=None
) -> int:
    """Add a customer's reply (reopens a resolved ticket); return the entry id.

    Raises ``Ticket.DoesNotExist`` for an unknown ticket (the reply reads it once, locked)."""
    entry = services.ticket_reply_add(
        actor=None,
        ticket=ticket_id,
        body=body,
        author_contact_id=contact_id,
        message_id=message_id,
        attachments=attachments,
    )
    return entry.pk


def ticket_find_by_reference(
    *, number: str = "", message_ids: list[str] | None = None
) -> int | None:
    """Return the id of the ticket a message belongs to: by number ("T-000123") or by the
    Message-IDs it replies to (the ticket's source reference or any entry's message id)."""
    if number:
        found = Ticket.objects.filter(number=number.strip().upper()).values_list("pk", flat=True)
        if found:
            return found[0]
    ids = [m for m in (message_ids or []) if m]
    if not ids:
        return None
    found = Ticket.objects.filter(source_ref__in=ids).values_list("pk", flat=True).first()
    if found:
        return found
    return (
        TicketEntry.objects.filter(message_id__in=ids).values_list("ticket_id", flat=True).first()
    )


def ticket_get_summary(ticket_id: int) -> dict[str, Any] | None:
    """Return a ticket's number, subject, status, people and times as plain data."""
    ticket = Ticket.objects.select_related("status").filter(pk=ticket_id).first()
    return _summary(ticket) if ticket else None


def tickets_of_contact(contact_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    """Return a contact's tickets, newest first (for the portal's "my requests")."""
    tickets = (
        Ticket.objects.select_related("status")
        .filter(requester_id=contact_id)
        .order_by("-created_at")[:limit]
    )
    return [_summary(ticket) for ticket in tickets]


# --- For the mail channel (kefu.channels) ---------------------------------------------------

__all__ += [
    "attachment_check",
    "entry_attachments",
    "entry_get_summary",
    "queue_choices",
    "requester_notifier_register",
    "ticket_agent_reply",
    "ticket_channel_event_add",
    "ticket_follow_merges",
    "ticket_link_related",
    "ticket_mail_summary",
    "ticket_mail_summary_of",
    "ticket_participant_contact_ids",
]


def queue_choices() -> list[tuple[int, str]]:
    """Return the active queues as ``(id, label)`` pairs, in order (a mailbox's queue field)."""
    from kefu.service.models import Queue

    return [(q.pk, q.label) for q in Queue.objects.filter(is_active=True).order_by("pk")]


# Sent inside the transaction of every ticket change (see ``kefu.service.signals``).
ticket_changed = signals.ticket_changed
__all__ += ["ticket_changed"]


def requester_notifier_register(notifier) -> None:
    """Let a channel notify requesters: ``notifier(ticket_id=, event=, text=) -> int``.

    The mail channel registers its outbox here (``AppConfig.ready``), so the desk's own plain
    mail is not sent as well; ``None`` restores the plain mail.
    """
    from kefu.service.services.notifications import requester_notifier_register as register

    register(notifier)


def attachment_check(*, name: str, size: int) -> str:
    """Return the content type of a file the desk accepts; ``ValidationError`` if refused."""
    return services.attachment_check(name=name, size=size)


def ticket_mail_summary(ticket_id: int) -> dict[str, Any] | None:
    """Return what mail needs of a ticket: number, subject, requester, queue, language, merge."""
    row = (
        Ticket.objects.filter(pk=ticket_id)
        .values(
            "id",
            "number",
            "subject",
            "requester_id",
            "queue_id",
            "language",
            "merged_into_id",
            "source_ref",
        )
        .first()
    )
    return dict(row) if row else None


def ticket_mail_summary_of(ticket: Ticket) -> dict[str, Any]:
    """:func:`ticket_mail_summary` of a ticket instance in hand (a ``ticket_changed``
    receiver's), without reading the row."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "requester_id": ticket.requester_id,
        "queue_id": ticket.queue_id,
        "language": ticket.language,
        "merged_into_id": ticket.merged_into_id,
        "source_ref": ticket.source_ref,
    }


def ticket_follow_merges(ticket_id: int | None) -> int | None:
    """Return the ticket a merged duplicate now lives in (the ticket itself if not merged)."""
    seen = set()
    while ticket_id is not None and ticket_id not in seen:
        seen.add(ticket_id)
        target = (
            Ticket.objects.filter(pk=ticket_id).values_list("merged_into_id", flat=True).first()
        )
        if target is None:
            return ticket_id
        ticket_id = target
    return ticket_id


def ticket_participant_contact_ids(ticket_id: int) -> set[int]:
    """Return the contacts who took part: the requester and every customer author of a reply."""
    requester = Ticket.objects.filter(pk=ticket_id, requester_id__isnull=False)
    authors = TicketEntry.objects.filter(ticket_id=ticket_id, author_contact_id__isnull=False)
    # One statement: the requester and the authors (UNION drops the repeats).
    both = (
        authors.order_by()
        .values_list("author_contact_id", flat=True)
        .union(requester.order_by().values_list("requester_id", flat=True))
    )
    return set(both)


def ticket_agent_reply(
    *, actor, ticket_id: int, body: str, message_id: str = "", attachments=None
) -> int:
    """Add a public reply written by staff user ``actor`` (e.g. by mail); return the entry id."""
    entry = services.ticket_reply_add(
        actor=actor,
        ticket=Ticket.objects.get(pk=ticket_id),
        body=body,
        message_id=message_id,
        attachments=attachments,
    )
    return entry.pk


def ticket_link_related(*, actor, ticket_id: int, other_id: int) -> None:
    """Link two tickets as related (idempotent)."""
    services.ticket_link_add(
        actor=actor,
        ticket=Ticket.objects.get(pk=ticket_id),
        other=Ticket.objects.get(pk=other_id),
        kind="related",
    )


def ticket_channel_event_add(
    *, ticket_id: int, verb: str, title: str, data: dict[str, Any] | None = None
) -> None:
    """Record a channel event on the ticket (a bounce, a failed delivery) and its timeline."""
    from kefu.service import events

    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        events._record(ticket, actor=None, verb=verb, title=title[:500], data=data)


def entry_get_summary(entry_id: int) -> dict[str, Any] | None:
    """Return an entry's ticket, kind, body, authors and Message-ID, or None."""
    row = (
        TicketEntry.objects.filter(pk=entry_id)
        .values("id", "ticket_id", "kind", "body", "author_id", "author_contact_id", "message_id")
        .first()
    )
    return dict(row) if row else None


def entry_attachments(entry_id: int, *, public_only: bool = True) -> list[dict[str, Any]]:
    """Return an entry's files as ``{"filename", "content_type", "content"}`` (bytes read)."""
    from kefu.service.models import TicketAttachment

    rows = TicketAttachment.objects.filter(entry_id=entry_id)
    if public_only:
        rows = rows.filter(is_public=True)
    result = []
    for attachment in rows.order_by("id"):
        with attachment.file.open("rb") as handle:
            content = handle.read()
        result.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type,
                "content": content,
            }
        )
    return result


# --- For the knowledge base (kefu.knowledge) ------------------------------------------------

__all__ += ["ticket_public_entries", "ticket_visible_to"]


def ticket_visible_to(user, ticket_id: int) -> bool:
    """Return whether staff ``user`` may see the ticket (its queue scope included)."""
    from kefu.accounts import policy

    return policy.scope(user, Ticket.objects.filter(pk=ticket_id)).exists()


def ticket_public_entries(ticket_id: int) -> list[dict[str, Any]]:
    """Return the ticket's public replies, oldest first, as ``{"id", "body", "author_id",
    "author_contact_id", "created_at"}`` (internal notes and events left out)."""
    rows = (
        TicketEntry.objects.filter(ticket_id=ticket_id, kind="reply")
        .order_by("id")
        .values("id", "body", "author_id", "author_contact_id", "created_at")
    )
    return [dict(row) for row in rows]


# --- For the customer portal (kefu.portal) --------------------------------------------------

__all__ += [
    "portal_attachment",
    "portal_ticket_close",
    "portal_ticket_detail",
    "portal_tickets",
]


def _portal_tickets_q(contact_id: int, admin_organization_ids: list[int]):
    from django.db.models import Q

    query = Q(requester_id=contact_id)
    if admin_organization_ids:
        query |= Q(organization_id__in=admin_organization_ids)
    return Ticket.objects.filter(query, merged_into__isnull=True)


def portal_tickets(
    *, contact_id: int, admin_organization_ids: list[int], limit: int = 100
) -> list[dict[str, Any]]:
    """Return the tickets a portal contact may follow: their own, and every ticket of the
    organizations they administer; newest first."""
    tickets = (
        _portal_tickets_q(contact_id, admin_organization_ids)
        .select_related("status")
        .order_by("-created_at")[:limit]
    )
    return [_summary(ticket) for ticket in tickets]


def portal_ticket_detail(
    *, ticket_id: int, contact_id: int, admin_organization_ids: list[int]
) -> dict[str, Any] | None:
    """Return what a customer may see of a ticket: summary, description, public replies and
    public files; None when the contact may not see it (or it does not exist)."""
    ticket = (
        _portal_tickets_q(contact_id, admin_organization_ids)
        .select_related("status")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return None
    from kefu.service.models import TicketAttachment

    entries = list(
        TicketEntry.objects.filter(ticket=ticket, kind="reply")
        .order_by("id")
        .values("id", "body", "author_id", "author_contact_id", "created_at")
    )
    files = (
        TicketAttachment.objects.filter(ticket=ticket, is_public=True)
        .filter(models_q_public_entry())
        .order_by("id")
        .values("token", "filename", "size", "entry_id")
    )
    data = _summary(ticket)
    data.update(
        description=ticket.description,
        entries=entries,
        attachments=list(files),
        is_done=ticket.status_category in ("resolved", "closed"),
    )
    return data


def models_q_public_entry():
    """Files on no entry or on a public reply (never on an internal note)."""
    from django.db.models import Q

    return Q(entry__isnull=True) | Q(entry__kind="reply")


def portal_attachment(
    *, token: str, contact_id: int, admin_organization_ids: list[int]
) -> dict[str, Any] | None:
    """Return ``{"file", "filename", "content_type"}`` of a public file on a ticket the contact
    may see; None otherwise (same answer whether the file exists or not)."""
    from kefu.service.models import TicketAttachment

    visible = _portal_tickets_q(contact_id, admin_organization_ids).values("pk")
    attachment = (
        TicketAttachment.objects.filter(token=token, is_public=True, ticket_id__in=visible)
        .filter(models_q_public_entry())
        .first()
    )
    if attachment is None:
        return None
    return {
        "file": attachment.file,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
    }


def portal_ticket_close(*, ticket_id: int, contact_id: int) -> None:
    """Close a ticket at its customer's request: resolved as "cancelled by customer" when
    still active, then closed when the lifecycle has a closed status."""
    from django.db import transaction

    from kefu.service.choices import ResolutionCodeChoices, StatusCategoryChoices
    from kefu.service.services._common import lock_ticket, status_of_category
    from kefu.service.services.lifecycle import move_to_status

    with transaction.atomic():
        ticket = lock_ticket(ticket_id)
        if ticket.status_category in (StatusCategoryChoices.RESOLVED, StatusCategoryChoices.CLOSED):
            return
        lifecycle_id = ticket.status.lifecycle_id
        target = status_of_category(lifecycle_id, StatusCategoryChoices.CLOSED) or (
            status_of_category(lifecycle_id, StatusCategoryChoices.RESOLVED)
        )
        if target is not None:
            move_to_status(
                ticket, target, actor=None, resolution_code=ResolutionCodeChoices.CANCELLED
            )


def portal_categories() -> list[tuple[int, str]]:
    """Return the active request categories as ``(id, name in the current language)``."""
    from kefu.service.models import Category

    return [(c.pk, str(c)) for c in Category.objects.filter(is_active=True).order_by("order")]


__all__ += ["portal_categories"]


# --- satisfaction surveys (for the portal's survey page) -------------------------------------


def _survey_dict(survey) -> dict[str, Any]:
    from kefu.service.services.surveys import survey_token

    return {
        "id": survey.pk,
        "token": survey_token(survey),
        "ticket_id": survey.ticket_id,
        "ticket_number": survey.ticket.number,
        "ticket_subject": survey.ticket.subject,
        "language": survey.language,
        "rating": survey.rating,
        "comment": survey.comment,
        "answered_at": survey.answered_at,
        "is_answered": survey.rating is not None,
    }


def survey_by_token(token: str) -> dict[str, Any] | None:
    """Return the survey a link's token names (None for a bad or unknown token)."""
    from kefu.service.services.surveys import survey_for_token

    survey = survey_for_token(token)
    return _survey_dict(survey) if survey else None


def survey_answer_by_token(*, token: str, rating, comment: str = "") -> dict[str, Any] | None:
    """Record the answer of the survey a token names; None for a bad token.

    Raises ``ValidationError`` (field errors ``rating``/``comment``) and
    ``SurveyAlreadyAnswered`` (a ``ValidationError``) when an answer exists already.
    """
    from kefu.service.services.surveys import survey_answer, survey_for_token

    survey = survey_for_token(token)
    if survey is None:
        return None
    return _survey_dict(survey_answer(survey=survey, rating=rating, comment=comment))


def portal_survey(*, ticket_id: int, contact_id: int) -> dict[str, Any] | None:
    """Return the ticket's survey when ``contact_id`` is its requester (only they answer it)."""
    from kefu.service.models import Survey

    survey = (
        Survey.objects.select_related("ticket")
        .filter(ticket_id=ticket_id, ticket__requester_id=contact_id)
        .first()
    )
    return _survey_dict(survey) if survey else None


__all__ += ["portal_survey", "survey_answer_by_token", "survey_by_token"]
