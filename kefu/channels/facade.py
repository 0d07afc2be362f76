"""The channels as other apps see them (the service desk's notifications, SLA escalations).

Start here:

* an agent's public reply should go out by mail: :func:`ticket_reply_mail` (threaded, with
  the ticket reference and attachments, through the outbox);
* an automatic notice to the requester: :func:`ticket_notification_mail` (marked
  ``Auto-Submitted: auto-generated``);
* a text message (SLA warnings, escalations, notifications): :func:`sms_send_later` (queued
  in your transaction, keyed, retried, recorded on the ticket) or :func:`sms_send_now`.

Agent replies and the desk's notices to requesters need no call: the channel listens to the
desk's ``ticket_changed`` signal and is registered as its requester notifier (``receivers.py``).
"""

from typing import Any

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


def sms_send_later(
    *,
    to: str,
    text: str,
    ticket_id: int | None = None,
    key: str = "",
    language: str | None = None,
) -> int:
    """Queue a text message; it is sent from the job queue after the caller's transaction
    commits. Returns the message's id.

    Exactly once per ``key`` (default: number + text + ticket), so a sweep that runs twice
    sends one warning; temporary gateway failures retry with back-off; the outcome is recorded
    on the ticket. ``text`` is wrapped in the ``sms`` template of ``language`` (default: the
    language of the contact with that number, else the ticket's). Raises ``ValidationError``
    for a bad number or an empty text.
    """
    message, _created = sms.sms_enqueue(
        to=to, text=text, ticket_id=ticket_id, key=key, language=language
    )
    return message.pk
