"""Background jobs of the service desk: thin wrappers that load by id and call one service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=30)
def ticket_notify(ticket_id: int, event: str, recipient_ids: list[int], text: str = "") -> None:
    """Mail staff users about ``event`` on a ticket."""
    from kefu.service.services.notifications import ticket_notify_staff

    ticket_notify_staff(ticket_id=ticket_id, event=event, recipient_ids=recipient_ids, text=text)


@db_task(retries=3, retry_delay=30)
def ticket_notify_requester(ticket_id: int, event: str, text: str = "") -> None:
    """Mail a ticket's requester (public events only)."""
    from kefu.service.services.notifications import ticket_notify_contact

    ticket_notify_contact(ticket_id=ticket_id, event=event, text=text)


@db_task(retries=3, retry_delay=60)
def survey_mail(survey_id: int) -> None:
    """Mail a satisfaction survey's link to the requester (once, whatever the retries)."""
    from kefu.service.services.surveys import survey_mail_send

    survey_mail_send(survey_id=survey_id)


@db_periodic_task(crontab(minute="*/10"))
def tickets_autoclose() -> None:
    """Close resolved tickets whose queue's waiting period has passed."""
    from kefu.service.services.lifecycle import tickets_autoclose as sweep

    sweep()


@db_task(retries=2, retry_delay=60)
def sla_recompute_calendar(calendar_id: int) -> None:
    """Re-time every open clock on a calendar whose hours or holidays changed."""
    from kefu.service.sla.recompute import sla_recompute_all

    sla_recompute_all(calendar_id=calendar_id)


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> None:
    """Fire due SLA warnings and escalation levels (claims clocks; safe on several workers)."""
    from kefu.service.sla.sweep import sla_sweep as sweep

    sweep()


@db_periodic_task(crontab(minute="*"))
def agent_loads_fold() -> None:
    """Add the agents' load changes appended by the ticket triggers to their totals."""
    from kefu.service.services.loads import agent_loads_fold as fold

    fold()
