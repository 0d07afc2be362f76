"""Helpers shared by the ticket services: locking, version checks and conditional saves."""

from django.db.models import F
from django.utils import timezone

from kefu.accounts.policy import is_staff
from kefu.service.errors import StaleTicket
from kefu.service.models import Status, Ticket


def lock_ticket(ticket_or_id, *, version: int | None = None) -> Ticket:
    """Return the ticket re-read under a row lock; refuse if ``version`` is stale.

    On SQLite ``select_for_update`` is a no-op, but transactions there are IMMEDIATE, so writers
    are serialised by the database lock taken at BEGIN.
    """
    pk = ticket_or_id.pk if isinstance(ticket_or_id, Ticket) else ticket_or_id
    # of=self: lock the ticket row only, not the queue and status rows joined for reading
    # (locking those would serialise every write in a queue).
    ticket = (
        Ticket.objects.select_for_update(of=("self",)).select_related("queue", "status").get(pk=pk)
    )
    if version is not None and ticket.version != version:
        raise StaleTicket(number=ticket.number or str(ticket.pk), current_version=ticket.version)
    return ticket


def save_ticket(ticket: Ticket, fields: dict) -> Ticket:
    """Write ``fields`` with a conditional UPDATE on the version read, and bump it.

    Zero rows updated means another writer got there first: nothing is saved and
    ``StaleTicket`` is raised (the no-lost-update guarantee, on both databases).
    """
    now = timezone.now()
    values = {**fields, "updated_at": now, "last_activity_at": now}
    updated = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        current = Ticket.objects.filter(pk=ticket.pk).values_list("version", flat=True).first()
        raise StaleTicket(number=ticket.number or str(ticket.pk), current_version=current or 0)
    for name, value in values.items():
        setattr(ticket, name, value)
    ticket.version += 1
    return ticket


def status_of_category(lifecycle_id: int, category: str) -> Status | None:
    """Return the first status (by order) of ``category`` in a lifecycle."""
    return (
        Status.objects.filter(lifecycle_id=lifecycle_id, category=category)
        .order_by("order", "id")
        .first()
    )


def staff_or_none(actor):
    """Return ``actor`` if it is a staff user (entries and events record them), else None."""
    return actor if is_staff(actor) else None
