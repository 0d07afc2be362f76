"""Mail about tickets: to staff (assignment, mentions, customer replies) and to requesters.

These run in the job queue (``tasks.py``), enqueued with ``transaction.on_commit`` so a rolled
back change never sends mail. Each message is written in the recipient's language.

Requesters are notified by whoever registered as the *requester notifier*: the mail channel
(``kefu.channels``) registers its templated, threaded outbox in its ``AppConfig.ready``; without
one, :func:`ticket_notify_contact_plain` sends a plain mail. So the desk never knows about the
channel, and a notice is never sent twice (once by each).
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service.models import Ticket


def _subject(event: str) -> str:
    labels = {
        "assigned": _("Ticket assigned to you"),
        "mentioned": _("You were mentioned on a ticket"),
        "customer_replied": _("The customer replied"),
        "replied": _("New reply to your request"),
        "resolved": _("Your request was resolved"),
        "created": _("We received your request"),
        "survey": _("How did we do?"),
    }
    return labels.get(event, _("Ticket update"))


def ticket_notify_staff(*, ticket_id: int, event: str, recipient_ids: list[int], text: str = ""):
    """Mail each active staff recipient a short notice with a link to the ticket."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    users = (
        get_user_model()
        .objects.filter(pk__in=recipient_ids, is_active=True, is_staff=True)
        .exclude(email="")
    )
    sent = 0
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = f"[{ticket.number}] {_subject(event)}: {ticket.subject}"
            body = "\n\n".join(
                part for part in (text, f"{settings.SITE_URL}{ticket.get_absolute_url()}") if part
            )
            sent += send_mail(subject[:200], body, None, [user.email])
    return sent


RequesterNotifier = Callable[..., int]
_requester_notifier: RequesterNotifier | None = None


def requester_notifier_register(notifier: RequesterNotifier | None) -> None:
    """Make ``notifier(ticket_id=, event=, text=) -> int`` notify requesters (None: plain mail).

    Called once from a channel app's ``AppConfig.ready``; the notifier returns how many
    messages it sent or queued (0 when it has nothing to do, e.g. it sent the notice already
    in the transaction of the change).
    """
    global _requester_notifier
    _requester_notifier = notifier


def ticket_notify_contact(*, ticket_id: int, event: str, text: str = "") -> int:
    """Notify the requester about a public event (a reply, a resolution). Never notes."""
    if _requester_notifier is not None:
        return _requester_notifier(ticket_id=ticket_id, event=event, text=text)
    return ticket_notify_contact_plain(ticket_id=ticket_id, event=event, text=text)


def ticket_notify_contact_plain(*, ticket_id: int, event: str, text: str = "") -> int:
    """Mail the requester a plain notice (when no channel registered a notifier)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or ticket.requester_id is None:
        return 0
    contact = customers.contact_get_summary(ticket.requester_id)
    if not contact or not contact.get("email"):
        return 0
    language = contact.get("preferred_language") or ticket.language
    with translation.override(language):
        subject = f"[{ticket.number}] {_subject(event)}: {ticket.subject}"
        return send_mail(subject[:200], text or _subject(event), None, [contact["email"]])
