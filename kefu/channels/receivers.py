"""How the desk's ticket events become mail: replies, acknowledgements and notices.

The desk knows nothing about mail. It sends ``kefu.service.signals.ticket_changed`` inside the
transaction of each change; :func:`on_ticket_changed` (connected in ``AppConfig.ready``) writes
the outbox row in that same transaction, so the mail commits with the reply or the resolution
and is sent after commit (one row, one Message-ID: exactly once, never for a rolled-back
change). The desk's own job for the requester (``ticket_notify_requester``) is routed here by
:func:`requester_notify`, registered as the desk's *requester notifier*; for the events already
queued in the change's transaction it does nothing, so no notice goes out twice.
"""

import logging

from django.db import transaction

from kefu.channels.constants import ACKNOWLEDGED_TICKET_CHANNELS
from kefu.channels.services import outbound
from kefu.service import facade as service

logger = logging.getLogger(__name__)

# Events whose mail is queued in the change's own transaction by ``on_ticket_changed``.
QUEUED_IN_TRANSACTION = frozenset({"replied", "resolved", "created"})


def _agent_name(actor) -> str:
    if actor is None:
        return ""
    return str(getattr(actor, "display_name", "") or getattr(actor, "username", ""))


def on_ticket_changed(sender, *, ticket, verb, actor=None, data=None, **kwargs) -> None:
    """Queue the mail a ticket event calls for (``ticket_changed`` receiver, in its transaction).

    * a public reply by an agent (``replied``, not ``from_customer``): the reply, threaded;
    * a ticket opened from the portal or the API (``created``): the acknowledgement;
    * a move into a *resolved* status (``status_changed``): the "resolved" notice.

    Mail is best effort for the change itself: if queueing fails, the savepoint rolls the mail
    back, the error is logged and recorded on the ticket, and the agent's reply still commits.
    """
    data = data or {}
    if verb == "replied":
        entry = data.get("entry")
        if entry is None or data.get("from_customer") or entry.kind != "reply":
            return
        job = lambda: outbound.ticket_reply_mail(  # noqa: E731
            entry_id=entry.pk, agent_name=_agent_name(actor)
        )
    elif verb == "created" and ticket.channel in ACKNOWLEDGED_TICKET_CHANNELS:
        # A ticket created in this transaction has no mail thread yet; the desk sends the
        # requester's summary it read along with the event.
        job = lambda: outbound.ticket_event_mail(  # noqa: E731
            ticket_id=ticket.pk,
            event="created",
            ticket=service.ticket_mail_summary_of(ticket),
            requester=kwargs.get("requester"),
            thread=[],
        )
    elif verb == "status_changed" and ticket.status_category == "resolved":
        job = lambda: outbound.ticket_event_mail(ticket_id=ticket.pk, event="resolved")  # noqa: E731
    else:
        return
    try:
        with transaction.atomic():
            job()
    except Exception as exc:
        logger.exception("ticket %s: the mail for %r could not be queued", ticket.pk, verb)
        outbound.mail_not_queued_record(ticket_id=ticket.pk, verb=verb, error=repr(exc))


def requester_notify(*, ticket_id: int, event: str, text: str = "") -> int:
    """The desk's requester notifier: mail a notice through the outbox and the templates.

    Replies, resolutions and acknowledgements were queued in the change's transaction by
    :func:`on_ticket_changed`, so they are skipped here; any other event is mailed as a
    notification with ``text``. Returns how many mails were queued.
    """
    if event in QUEUED_IN_TRANSACTION:
        return 0
    row = outbound.ticket_event_mail(ticket_id=ticket_id, event=event, text=text)
    return 1 if row else 0
