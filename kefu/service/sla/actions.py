"""What a warning or an escalation level does, inside the sweep's transaction.

Database effects (reassign to a queue, raise the priority, add followers) go through the desk's
services, so they lock the ticket, write the timeline and notify like any other change. Staff
mail and text messages are enqueued with ``transaction.on_commit``; the requester's mail goes
through the mail channel's outbox (a row written in this transaction, sent once by Message-ID).
The warning (level 0) mails the assignee, or the queue's supervisors when nobody is assigned.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.service.choices import PriorityChoices, SlaRecipientChoices
from kefu.service.models import QueueMembership, Ticket

Recipient = SlaRecipientChoices
SYSTEM_REASON = "SLA"


def run(clock, *, level, is_warning: bool) -> dict:
    from kefu.service.sla.sweep import message_for

    ticket = Ticket.objects.select_related("queue", "status").get(pk=clock.ticket_id)
    text = message_for(clock, is_warning=is_warning)
    done: dict = {"level": 0 if is_warning else level.level}
    if is_warning or level is None:
        staff = _staff_ids(ticket, [Recipient.ASSIGNEE]) or _staff_ids(
            ticket, [Recipient.QUEUE_SUPERVISORS]
        )
        _mail_staff(ticket, staff, text, event="sla_warning")
        done["mailed"] = sorted(staff)
        return done
    roles = list(level.recipients or [])
    user_ids = [u.pk for u in level.users.all()]
    staff = sorted(set(_staff_ids(ticket, roles)) | set(user_ids))
    if level.notify_email:
        _mail_staff(ticket, staff, text, event="sla_escalation")
        done["mailed"] = staff
        if Recipient.REQUESTER in roles:
            done["requester_mail"] = _mail_requester(ticket, customer_text(ticket))
    if level.notify_sms:
        done["texted"] = _text(ticket, staff, text, requester=Recipient.REQUESTER in roles)
    if level.add_followers and user_ids:
        ticket.followers.add(*user_ids)
        done["followers"] = user_ids
    if level.raise_priority and ticket.priority > PriorityChoices.CRITICAL:
        from kefu.service.services.tickets import ticket_update

        ticket = ticket_update(
            actor=None, ticket=ticket, version=ticket.version, priority=ticket.priority - 1
        )
        done["priority"] = ticket.priority
    if level.reassign_queue_id and level.reassign_queue_id != ticket.queue_id:
        from kefu.service.services.tickets import ticket_escalate

        ticket = Ticket.objects.get(pk=ticket.pk)
        ticket_escalate(
            actor=None,
            ticket=ticket,
            reason=f"{SYSTEM_REASON}: {text}",
            queue_id=level.reassign_queue_id,
        )
        done["queue"] = level.reassign_queue_id
    return done


def _staff_ids(ticket, roles) -> list[int]:
    ids: set[int] = set()
    if Recipient.ASSIGNEE in roles and ticket.assignee_id:
        ids.add(ticket.assignee_id)
    if Recipient.QUEUE_SUPERVISORS in roles:
        ids.update(
            QueueMembership.objects.filter(
                queue_id=ticket.queue_id, is_supervisor=True
            ).values_list("user_id", flat=True)
        )
    if Recipient.ACCOUNT_OWNER in roles and ticket.organization_id:
        from kefu.customers import facade as customers

        owner = (customers.organization_get_summary(ticket.organization_id) or {}).get("owner_id")
        if owner:
            ids.add(owner)
    return sorted(ids)


def _mail_staff(ticket, user_ids, text, *, event):
    if not user_ids:
        return
    from kefu.service import tasks

    ticket_id = ticket.pk
    transaction.on_commit(lambda: tasks.ticket_notify(ticket_id, event, list(user_ids), text))


def _mail_requester(ticket, text) -> str | None:
    from kefu.channels import facade as channels

    return channels.ticket_notification_mail(ticket_id=ticket.pk, text=text)


def _text(ticket, user_ids, text, *, requester: bool) -> list[str]:
    from kefu.channels import facade as channels

    numbers = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(phone="")
        .values_list("phone", flat=True)
    )
    for number in numbers:
        channels.sms_send_later(to=number, text=f"[{ticket.number}] {text}", ticket_id=ticket.pk)
    if requester and ticket.requester_id:
        from kefu.customers import facade as customers

        phone = (customers.contact_get_summary(ticket.requester_id) or {}).get("phone")
        if phone:
            channels.sms_send_later(to=phone, text=customer_text(ticket), ticket_id=ticket.pk)
            numbers.append(phone)
    return numbers


def customer_text(ticket) -> str:
    return _(
        "We are still working on your request %(number)s and will get back to you shortly."
    ) % {"number": ticket.number}
