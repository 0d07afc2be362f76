"""The SLA engine's ``ticket_changed`` receiver (connected in ``ServiceConfig.ready``).

Runs in the ticket change's transaction: a failure here rolls the change back, so clocks never
disagree with the ticket.
"""

from django.utils import timezone

from kefu.service.sla import clocks

# Fields whose change may select another policy or another target.
RECOMPUTE_FIELDS = {
    "priority",
    "queue",
    "queue_id",
    "ticket_type",
    "organization",
    "organization_id",
    "channel",
}


def on_ticket_changed(sender, *, ticket, verb, data=None, **kwargs) -> None:
    data = data or {}
    # Clocks work in whole seconds; truncating here keeps stored times and replays equal.
    now = timezone.now().replace(microsecond=0)
    if verb == "created":
        clocks.on_created(ticket, now=now)
    elif verb in ("status_changed", "merged", "reopened", "closed", "resolved"):
        clocks.on_status_changed(ticket, now=now)
    elif verb == "replied":
        clocks.on_replied(
            ticket, now=now, from_customer=bool(data.get("from_customer")), entry=data.get("entry")
        )
    elif verb == "escalated" or (
        verb == "updated" and RECOMPUTE_FIELDS & set(data.get("fields", ()))
    ):
        clocks.on_recompute(ticket, now=now)


def connect() -> None:
    from kefu.service.signals import ticket_changed

    ticket_changed.connect(on_ticket_changed, dispatch_uid="sla_ticket_changed")
