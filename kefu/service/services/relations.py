"""Relations between tickets: merge, split, links, problem and incidents."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.policy import can
from kefu.service import events
from kefu.service.choices import (
    LinkKindChoices,
    ResolutionCodeChoices,
    StatusCategoryChoices,
    TicketTypeChoices,
)
from kefu.service.errors import MergeRefused
from kefu.service.models import CallRecord, Ticket, TicketAttachment, TicketEntry, TicketLink
from kefu.service.services._common import lock_ticket, save_ticket, status_of_category
from kefu.service.services.tickets import ticket_create

MERGE_ACROSS = "service.merge_across_organizations"


def _lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    # Always lock in primary-key order, or two opposite merges could deadlock.
    a, b = sorted([first.pk, second.pk])
    locked = {a: lock_ticket(a), b: lock_ticket(b)}
    return locked[first.pk], locked[second.pk]


@transaction.atomic
def ticket_merge(*, actor, source: Ticket, target: Ticket) -> Ticket:
    """Merge duplicate ``source`` into ``target``: its conversation moves, it closes with a pointer.

    Entries, attachments and calls move to ``target``; ``source`` is closed with resolution
    "duplicate", ``merged_into`` set and a duplicate link. Refuses (``MergeRefused``, 409)
    merging a ticket into itself, an already merged ticket, a closed target, and tickets of
    different organizations unless the actor holds ``service.merge_across_organizations``.
    Locks both rows in id order.
    """
    if source.pk == target.pk:
        raise MergeRefused(_("A ticket cannot be merged into itself."))
    source, target = _lock_pair(source, target)
    if source.merged_into_id is not None:
        raise MergeRefused(
            _("%(number)s is already merged into another ticket.") % {"number": source.number}
        )
    if target.status_category == StatusCategoryChoices.CLOSED:
        raise MergeRefused(_("Tickets cannot be merged into a closed ticket."))
    if source.organization_id != target.organization_id and not can(actor, MERGE_ACROSS):
        raise MergeRefused(
            _("These tickets belong to different organizations; you may not merge them.")
        )
    TicketEntry.objects.filter(ticket=source).update(ticket=target)
    TicketAttachment.objects.filter(ticket=source).update(ticket=target)
    CallRecord.objects.filter(ticket=source).update(ticket=target)
    Ticket.objects.filter(problem=source).update(problem=target)
    closed = status_of_category(source.status.lifecycle_id, StatusCategoryChoices.CLOSED)
    fields = {
        "merged_into_id": target.pk,
        "resolution_code": ResolutionCodeChoices.DUPLICATE,
    }
    if closed is not None:
        now = timezone.now()
        fields.update(
            status_id=closed.pk,
            status_category=closed.category,
            closed_at=now,
            resolved_at=source.resolved_at or now,
        )
    save_ticket(source, fields)
    save_ticket(target, {})
    TicketLink.objects.get_or_create(
        from_ticket=source,
        to_ticket=target,
        kind=LinkKindChoices.DUPLICATE,
        defaults={"created_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    target.followers.add(*source.followers.all())
    events.ticket_merged_event(source, target, actor=actor)
    return target


@transaction.atomic
def ticket_split(*, actor, entry: TicketEntry, subject: str) -> Ticket:
    """Make a new ticket from one reply: the entry moves there; the tickets are linked.

    The new ticket keeps the original's requester, organization, site, queue and category.
    Refuses splitting system events and the only entry of a ticket.
    """
    if entry.kind == "event":
        raise ValidationError({"entry_id": [_("System events cannot be split off.")]})
    source = lock_ticket(entry.ticket_id)
    if TicketEntry.objects.filter(ticket=source).exclude(kind="event").count() < 2:
        raise ValidationError({"entry_id": [_("A ticket's only message cannot be split off.")]})
    new = ticket_create(
        actor=actor,
        subject=subject,
        description=entry.body,
        requester_id=source.requester_id,
        organization_id=source.organization_id,
        site_id=source.site_id,
        asset_id=source.asset_id,
        channel=source.channel,
        ticket_type=source.ticket_type,
        category_id=source.category_id,
        impact=source.impact,
        urgency=source.urgency,
        queue_id=source.queue_id,
        language=source.language,
        first_entry=False,
    )
    TicketEntry.objects.filter(pk=entry.pk).update(ticket=new)
    TicketAttachment.objects.filter(entry_id=entry.pk).update(ticket=new)
    TicketLink.objects.create(
        from_ticket=new,
        to_ticket=source,
        kind=LinkKindChoices.RELATED,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    save_ticket(source, {})
    events.ticket_split_event(source, new, actor=actor)
    return new


@transaction.atomic
def ticket_link_add(*, actor, ticket: Ticket, other: Ticket, kind: str) -> TicketLink:
    """Link two tickets ("related" or "duplicate of"); linking twice returns the same link."""
    if kind not in LinkKindChoices.values:
        raise ValidationError({"kind": [_("Choose related or duplicate.")]})
    if ticket.pk == other.pk:
        raise ValidationError({"other_id": [_("A ticket cannot be linked to itself.")]})
    link, created = TicketLink.objects.get_or_create(
        from_ticket=ticket,
        to_ticket=other,
        kind=kind,
        defaults={"created_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    if created:
        events.ticket_linked_event(ticket, other, actor=actor, kind=kind)
    return link


@transaction.atomic
def ticket_problem_link(*, actor, incident: Ticket, problem: Ticket | None) -> Ticket:
    """Attach an incident to a problem ticket (or detach it with ``None``).

    Resolving the problem later resolves its incidents. Refuses a problem that is not of type
    problem, and linking a problem to itself.
    """
    incident = lock_ticket(incident)
    if problem is not None:
        if problem.ticket_type != TicketTypeChoices.PROBLEM:
            raise ValidationError({"problem_id": [_("Link incidents to a problem ticket.")]})
        if problem.pk == incident.pk:
            raise ValidationError({"problem_id": [_("A ticket cannot be its own problem.")]})
    save_ticket(incident, {"problem_id": problem.pk if problem else None})
    if problem is not None:
        events.ticket_linked_event(incident, problem, actor=actor, kind="problem")
    return incident
