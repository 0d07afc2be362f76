"""What happened to a ticket: a system entry in its conversation and a row on the customer's
360° timeline (through the customer master's facade): the requester's, and the ticket's
organization's when it has one. Called by services inside their
transaction, so the event commits or rolls back with the change it records."""

from typing import Any

from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service.choices import EntryKindChoices
from kefu.service.models import Ticket, TicketEntry
from kefu.service.signals import ticket_changed

TIMELINE_KIND = "ticket"
SOURCE_TYPE = "service.ticket"


def _record(
    ticket: Ticket,
    *,
    actor,
    verb: str,
    title: str,
    data: dict[str, Any] | None = None,
    **context: Any,
):
    """Write the event entry and the timeline row, and tell the receivers.

    ``context``: what the service already read and the receivers may use instead of reading
    it again (sent with the signal, never stored).
    """
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    payload = {"event": verb, **(data or {})}
    TicketEntry.objects.create(
        ticket=ticket, kind=EntryKindChoices.EVENT, author=actor_user, body=title, data=payload
    )
    ticket_changed.send(
        sender=Ticket, ticket=ticket, verb=verb, actor=actor_user, data=payload, **context
    )
    if ticket.organization_id is None and ticket.requester_id is None:
        return
    customers.timeline_event_add(
        kind=TIMELINE_KIND,
        verb=f"ticket_{verb}",
        title=f"{ticket.number} {title}"[:300],
        actor=actor_user,
        organization_id=ticket.organization_id,
        contact_id=ticket.requester_id,
        site_id=ticket.site_id,
        data={"ticket_id": ticket.pk, "number": ticket.number, **(data or {})},
        source_type=SOURCE_TYPE,
        source_id=ticket.pk,
        contact_organization=False,
    )


def ticket_created_event(ticket: Ticket, *, actor, requester: dict | None = None) -> None:
    """``requester``: the requester's customer-master summary when the creator has it."""
    context = {"requester": requester} if requester is not None else {}
    _record(
        ticket,
        actor=actor,
        verb="created",
        title=_("Created: %(subject)s") % {"subject": ticket.subject},
        data={"queue_id": ticket.queue_id, "channel": ticket.channel},
        **context,
    )


def ticket_status_changed_event(ticket: Ticket, *, actor, old_status, new_status) -> None:
    _record(
        ticket,
        actor=actor,
        verb="status_changed",
        title=_("Status: %(old)s → %(new)s") % {"old": old_status.label, "new": new_status.label},
        data={
            "from": old_status.key,
            "to": new_status.key,
            "resolution_code": ticket.resolution_code,
        },
    )


def ticket_assigned_event(ticket: Ticket, *, actor, old_assignee_id, reason: str = "") -> None:
    _record(
        ticket,
        actor=actor,
        verb="assigned",
        title=_("Assigned") if ticket.assignee_id else _("Unassigned"),
        data={"from": old_assignee_id, "to": ticket.assignee_id, "reason": reason},
    )


def ticket_escalated_event(ticket: Ticket, *, actor, old_queue_id, reason: str) -> None:
    _record(
        ticket,
        actor=actor,
        verb="escalated",
        title=(_("Escalated: %(reason)s") % {"reason": reason})[:300],
        data={"from_queue": old_queue_id, "to_queue": ticket.queue_id, "reason": reason},
    )


def ticket_replied_event(ticket: Ticket, *, actor, entry: TicketEntry) -> None:
    """Only public replies reach the customer's timeline; notes stay inside the desk."""
    ticket_changed.send(
        sender=Ticket,
        ticket=ticket,
        verb="replied",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data={"entry": entry, "from_customer": entry.author_contact_id is not None},
    )
    if ticket.organization_id is None and ticket.requester_id is None:
        return
    customers.timeline_event_add(
        kind=TIMELINE_KIND,
        verb="ticket_replied",
        title=f"{ticket.number} {ticket.subject}"[:300],
        body=entry.body[:2000],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        organization_id=ticket.organization_id,
        contact_id=ticket.requester_id,
        site_id=ticket.site_id,
        data={
            "ticket_id": ticket.pk,
            "entry_id": entry.pk,
            "from_customer": entry.author_contact_id is not None,
        },
        source_type=SOURCE_TYPE,
        source_id=ticket.pk,
        contact_organization=False,
    )


def ticket_merged_event(source: Ticket, target: Ticket, *, actor) -> None:
    _record(
        source,
        actor=actor,
        verb="merged",
        title=_("Merged into %(number)s") % {"number": target.number},
        data={"into": target.pk},
    )
    _record(
        target,
        actor=actor,
        verb="merged_from",
        title=_("%(number)s merged into this ticket") % {"number": source.number},
        data={"from": source.pk},
    )


def ticket_linked_event(ticket: Ticket, other: Ticket, *, actor, kind: str) -> None:
    _record(
        ticket,
        actor=actor,
        verb="linked",
        title=_("Linked to %(number)s") % {"number": other.number},
        data={"other": other.pk, "kind": kind},
    )


def ticket_split_event(source: Ticket, new: Ticket, *, actor) -> None:
    _record(
        source,
        actor=actor,
        verb="split",
        title=_("Split into %(number)s") % {"number": new.number},
        data={"new": new.pk},
    )


def ticket_call_event(ticket: Ticket, *, actor, call) -> None:
    _record(
        ticket,
        actor=actor,
        verb="call",
        title=_("Call %(number)s: %(outcome)s")
        % {"number": call.number, "outcome": call.get_outcome_display()},
        data={
            "call_id": call.pk,
            "talk_seconds": call.talk_seconds,
            "wait_seconds": call.wait_seconds,
        },
    )


def ticket_updated_event(ticket: Ticket, *, actor, changed: list[str]) -> None:
    TicketEntry.objects.create(
        ticket=ticket,
        kind=EntryKindChoices.EVENT,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        body=_("Updated: %(fields)s") % {"fields": ", ".join(changed)},
        data={"event": "updated", "fields": changed},
    )
    ticket_changed.send(
        sender=Ticket,
        ticket=ticket,
        verb="updated",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data={"fields": changed},
    )
