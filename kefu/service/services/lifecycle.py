"""Moving tickets through their lifecycle: transitions, resolution, reopening, auto-close."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.service import events, tasks
from kefu.service.choices import (
    DONE_CATEGORIES,
    ResolutionCodeChoices,
    StatusCategoryChoices,
    TicketTypeChoices,
)
from kefu.service.errors import InvalidTransition
from kefu.service.models import Queue, Status, StatusTransition, Ticket
from kefu.service.services._common import lock_ticket, save_ticket, status_of_category

AUTO_CLOSE_BATCH = 500


def transition_allowed(from_status: Status, to_status: Status) -> bool:
    """Return whether the lifecycle allows this move (a lifecycle without rows allows all)."""
    if from_status.lifecycle_id != to_status.lifecycle_id:
        return False
    rows = StatusTransition.objects.filter(lifecycle_id=from_status.lifecycle_id)
    if not rows.exists():
        return True
    return rows.filter(from_status=from_status, to_status=to_status).exists()


def allowed_targets(ticket: Ticket) -> list[Status]:
    """Return the statuses the ticket may move to next, in lifecycle order."""
    lifecycle_id = ticket.status.lifecycle_id
    rows = StatusTransition.objects.filter(lifecycle_id=lifecycle_id)
    statuses = Status.objects.filter(lifecycle_id=lifecycle_id).exclude(pk=ticket.status_id)
    if rows.exists():
        statuses = statuses.filter(transitions_in__from_status=ticket.status)
    return list(statuses.order_by("order", "id"))


def _apply_status(ticket: Ticket, status: Status, *, resolution_code: str = "") -> dict:
    now = timezone.now()
    fields = {"status_id": status.pk, "status_category": status.category}
    if status.category == StatusCategoryChoices.RESOLVED:
        fields.update(resolution_code=resolution_code, resolved_at=now, closed_at=None)
    elif status.category == StatusCategoryChoices.CLOSED:
        fields.update(closed_at=now, resolved_at=ticket.resolved_at or now)
        if resolution_code:
            fields["resolution_code"] = resolution_code
    else:
        fields.update(resolution_code="", resolved_at=None, closed_at=None)
    return fields


def move_to_status(ticket: Ticket, status: Status, *, actor, resolution_code: str = "") -> Ticket:
    """Set the status (no transition check; the caller holds the row lock) and record it."""
    old = ticket.status
    save_ticket(ticket, _apply_status(ticket, status, resolution_code=resolution_code))
    ticket.status = status
    events.ticket_status_changed_event(ticket, actor=actor, old_status=old, new_status=status)
    if status.category == StatusCategoryChoices.RESOLVED:
        ticket_id = ticket.pk
        transaction.on_commit(lambda: tasks.ticket_notify_requester(ticket_id, "resolved"))
    return ticket


@transaction.atomic
def ticket_transition(
    *,
    actor,
    ticket: Ticket,
    status_id: int | None = None,
    status_key: str | None = None,
    resolution_code: str = "",
    version: int | None = None,
) -> Ticket:
    """Move the ticket to another status of its lifecycle, if the lifecycle allows the move.

    Resolving needs a resolution code. Resolving a problem ticket resolves its active
    incidents with the same code and tells their requesters. Takes the row lock; raises
    ``InvalidTransition`` (409) for a move the lifecycle forbids, ``StaleTicket`` for a stale
    ``version``, ``ValidationError`` for an unknown status or a missing resolution code.
    """
    ticket = lock_ticket(ticket, version=version)
    lifecycle_id = ticket.status.lifecycle_id
    target = Status.objects.filter(lifecycle_id=lifecycle_id)
    target = (
        target.filter(pk=status_id).first()
        if status_id is not None
        else target.filter(key=status_key or "").first()
    )
    if target is None:
        raise ValidationError({"status": [_("This status is not part of the ticket's lifecycle.")]})
    if target.pk == ticket.status_id:
        return ticket
    if not transition_allowed(ticket.status, target):
        raise InvalidTransition(
            _("A ticket cannot go from “%(old)s” to “%(new)s”.")
            % {"old": ticket.status.label, "new": target.label}
        )
    needs_code = target.category == StatusCategoryChoices.RESOLVED
    if needs_code and resolution_code not in ResolutionCodeChoices.values:
        raise ValidationError({"resolution_code": [_("Choose a resolution code.")]})
    move_to_status(ticket, target, actor=actor, resolution_code=resolution_code)
    if ticket.ticket_type == TicketTypeChoices.PROBLEM and target.category in DONE_CATEGORIES:
        _resolve_incidents(problem=ticket, actor=actor, resolution_code=resolution_code)
    return ticket


def _resolve_incidents(*, problem: Ticket, actor, resolution_code: str) -> int:
    count = 0
    incidents = Ticket.objects.filter(problem=problem).active().order_by("pk")
    for incident_id in incidents.values_list("pk", flat=True):
        incident = lock_ticket(incident_id)
        status = status_of_category(incident.status.lifecycle_id, StatusCategoryChoices.RESOLVED)
        if status is None or not incident.is_active:
            continue
        move_to_status(incident, status, actor=actor, resolution_code=resolution_code or "fixed")
        count += 1
    return count


def reopen_for_customer(ticket: Ticket, *, actor) -> Ticket:
    """Reopen a resolved ticket because its customer wrote again (caller holds the lock).

    This follows the business rule, not the transitions table: a customer's answer always
    brings a resolved ticket back to the first open status of its lifecycle.
    """
    status = status_of_category(ticket.status.lifecycle_id, StatusCategoryChoices.OPEN)
    if status is None:
        status = Status.objects.get(lifecycle_id=ticket.status.lifecycle_id, is_initial=True)
    return move_to_status(ticket, status, actor=actor)


def tickets_autoclose(*, now=None) -> int:
    """Close resolved tickets whose queue's ``auto_close_days`` have passed; return how many.

    Each ticket is claimed by a conditional ``UPDATE ... WHERE status_category='resolved' AND
    resolved_at < cutoff``, so several workers running the sweep at once close each ticket
    exactly once and never close one a customer just reopened.
    """
    now = now or timezone.now()
    closed = 0
    for queue in Queue.objects.filter(auto_close_days__gt=0).select_related("lifecycle"):
        target = status_of_category(queue.lifecycle_id, StatusCategoryChoices.CLOSED)
        if target is None:
            continue
        cutoff = now - timedelta(days=queue.auto_close_days)
        candidates = list(
            Ticket.objects.filter(queue=queue)
            .resolved_before(at=cutoff)
            .order_by("resolved_at")
            .values_list("pk", flat=True)[:AUTO_CLOSE_BATCH]
        )
        for pk in candidates:
            with transaction.atomic():
                claimed = Ticket.objects.filter(
                    pk=pk,
                    queue=queue,
                    status_category=StatusCategoryChoices.RESOLVED,
                    resolved_at__lt=cutoff,
                ).update(
                    status=target,
                    status_category=target.category,
                    closed_at=now,
                    updated_at=now,
                    version=F("version") + 1,
                )
                if not claimed:
                    continue
                ticket = Ticket.objects.select_related("status").get(pk=pk)
                events.ticket_status_changed_event(
                    ticket,
                    actor=None,
                    old_status=status_of_category(
                        queue.lifecycle_id, StatusCategoryChoices.RESOLVED
                    ),
                    new_status=target,
                )
                closed += 1
    return closed
