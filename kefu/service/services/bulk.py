"""Bulk actions from the agent workspace: all tickets change, or none do."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.policy import can
from kefu.service.models import Ticket
from kefu.service.services._common import lock_ticket
from kefu.service.services.lifecycle import ticket_transition
from kefu.service.services.relations import ticket_merge
from kefu.service.services.tickets import ticket_assign, ticket_update

MAX_BULK = 200


def _tickets(actor, ticket_ids: list[int]) -> list[Ticket]:
    if not ticket_ids:
        raise ValidationError({"ticket_ids": [_("Choose at least one ticket.")]})
    if len(ticket_ids) > MAX_BULK:
        raise ValidationError({"ticket_ids": [_("Choose at most 200 tickets at once.")]})
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids).order_by("pk"))
    for ticket in tickets:
        if not can(actor, "service.change_ticket", ticket):
            raise PermissionDenied
    return tickets


@transaction.atomic
def tickets_bulk_assign(*, actor, ticket_ids: list[int], assignee_id: int | None) -> int:
    """Assign every chosen ticket in one transaction; any refusal changes nothing."""
    tickets = _tickets(actor, ticket_ids)
    for ticket in tickets:
        ticket_assign(actor=actor, ticket=ticket, assignee_id=assignee_id)
    return len(tickets)


@transaction.atomic
def tickets_bulk_transition(
    *, actor, ticket_ids: list[int], status_key: str, resolution_code: str = ""
) -> int:
    """Move every chosen ticket to ``status_key`` in one transaction; any refusal changes
    nothing."""
    tickets = _tickets(actor, ticket_ids)
    for ticket in tickets:
        ticket_transition(
            actor=actor, ticket=ticket, status_key=status_key, resolution_code=resolution_code
        )
    return len(tickets)


@transaction.atomic
def tickets_bulk_set_priority(*, actor, ticket_ids: list[int], priority: int) -> int:
    """Set the priority of every chosen ticket in one transaction."""
    tickets = _tickets(actor, ticket_ids)
    for ticket in tickets:
        current = lock_ticket(ticket)
        ticket_update(actor=actor, ticket=current, version=current.version, priority=priority)
    return len(tickets)


@transaction.atomic
def tickets_bulk_tag(*, actor, ticket_ids: list[int], tag: str) -> int:
    """Add one tag to every chosen ticket in one transaction."""
    tag = (tag or "").strip()
    if not tag:
        raise ValidationError({"tag": [_("Give a tag.")]})
    tickets = _tickets(actor, ticket_ids)
    for ticket in tickets:
        current = lock_ticket(ticket)
        names = [*current.tags.values_list("name", flat=True), tag]
        ticket_update(actor=actor, ticket=current, version=current.version, tags=names)
    return len(tickets)


@transaction.atomic
def tickets_bulk_merge(*, actor, ticket_ids: list[int]) -> Ticket:
    """Merge every chosen ticket into the oldest of them, in one transaction."""
    tickets = _tickets(actor, ticket_ids)
    if len(tickets) < 2:
        raise ValidationError({"ticket_ids": [_("Choose at least two tickets to merge.")]})
    target, *sources = tickets
    for source in sources:
        ticket_merge(actor=actor, source=source, target=target)
    return target
