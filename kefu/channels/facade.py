"""The channels as other apps see them (the service desk's notifications, SLA escalations).

Start here:

* an agent's public reply should go out by mail: :func:`ticket_reply_mail` (threaded, with
  the ticket reference and attachments, through the outbox);
* an automatic notice to the requester: :func:`ticket_notification_mail` (marked
  ``Auto-Submitted: auto-generated``);
* a text message (escalations, notifications): :func:`sms_send_later` (queued) or
  :func:`sms_send_now`.
"""

from typing import Any

from django.db import transaction

from kefu.channels.services import outbound, sms

__all__ = ["sms_send_later", "sms_send_now", "ticket_notification_mail", "ticket_reply_mail"]


def ticket_reply_mail(*, entry_id: int, agent_name: str = "") -> str | None:
    """Queue the mail of a public reply; return its Message-ID (None: nobody to mail)."""
    row = outbound.ticket_reply_mail(entry_id=entry_id, agent_name=agent_name)
    return row.message_id if row else None


def ticket_notification_mail(*, ticket_id: int, text: str) -> str | None:
    """Queue an automatic notice to the requester; return its Message-ID (or None)."""
    row = outbound.ticket_notification_mail(ticket_id=ticket_id, text=text)
    return row.message_id if row else None


def sms_send_now(*, to: str, text: str, ticket_id: int | None = None) -> dict[str, Any]:
    """Send a text message now; return ``{"id", "state", "error"}`` (delivery is recorded)."""
    message = sms.sms_send(to=to, text=text, ticket_id=ticket_id)
    return {"id": message.pk, "state": message.state, "error": message.error}


def sms_send_later(*, to: str, text: str, ticket_id: int | None = None) -> None:
    """Send a text message from the job queue once the caller's transaction commits."""
    from kefu.channels import tasks

    transaction.on_commit(lambda: tasks.sms_send(to, text, ticket_id))
