"""Phone intake: recording calls and turning them into tickets or replies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.policy import is_staff
from kefu.customers import facade as customers
from kefu.service import events
from kefu.service.choices import CallDirectionChoices, CallOutcomeChoices, TicketChannelChoices
from kefu.service.models import CallRecord, Ticket
from kefu.service.services._common import lock_ticket
from kefu.service.services.conversation import ticket_note_add
from kefu.service.services.tickets import ticket_create


@transaction.atomic
def call_record_create(
    *,
    actor,
    direction: str,
    number: str = "",
    started_at=None,
    wait_seconds: int = 0,
    talk_seconds: int = 0,
    outcome: str = CallOutcomeChoices.ANSWERED,
    contact_id: int | None = None,
    ticket_id: int | None = None,
    create_ticket: bool = False,
    subject: str = "",
    notes: str = "",
    queue_id: int | None = None,
) -> CallRecord:
    """Record a call; optionally open a ticket from it or add it to an existing ticket.

    The number is looked up in the customer master when no contact is given (an unknown
    number stays unknown: a call does not create a contact). With ``create_ticket`` a phone
    ticket is opened (``subject`` required); with ``ticket_id`` the call's notes are added to
    that ticket as an internal note. The call lands on the ticket's and customer's timeline.
    """
    errors = {}
    if direction not in CallDirectionChoices.values:
        errors["direction"] = [_("Choose inbound or outbound.")]
    if outcome not in CallOutcomeChoices.values:
        errors["outcome"] = [_("Choose how the call ended.")]
    if wait_seconds < 0 or talk_seconds < 0:
        errors["talk_seconds"] = [_("Durations cannot be negative.")]
    if create_ticket and not (subject or "").strip():
        errors["subject"] = [_("Give the new ticket a subject.")]
    if create_ticket and ticket_id:
        errors["ticket_id"] = [_("Either open a new ticket or choose an existing one.")]
    normalized = customers.normalize_phone(number) if number else None
    if number and normalized is None:
        errors["number"] = [_("Enter a valid phone number.")]
    if errors:
        raise ValidationError(errors)
    if contact_id is None and normalized:
        contact_id = customers.contact_find_by_identity("phone", normalized)
    organization_id = None
    if contact_id is not None:
        contact = customers.contact_get_summary(contact_id)
        if contact is None:
            raise ValidationError({"contact_id": [_("No such contact.")]})
        organization_id = contact["organization_id"]
    ticket = None
    if ticket_id:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            raise ValidationError({"ticket_id": [_("No such ticket.")]})
        ticket = lock_ticket(ticket)
    elif create_ticket:
        ticket = ticket_create(
            actor=actor,
            subject=subject,
            description=notes,
            requester_id=contact_id,
            channel=TicketChannelChoices.PHONE,
            queue_id=queue_id,
        )
    call = CallRecord.objects.create(
        direction=direction,
        number=normalized or "",
        started_at=started_at or timezone.now(),
        wait_seconds=wait_seconds,
        talk_seconds=talk_seconds,
        outcome=outcome,
        agent=actor if is_staff(actor) else None,
        contact_id=contact_id,
        organization_id=organization_id or (ticket.organization_id if ticket else None),
        ticket=ticket,
        notes=notes,
    )
    if ticket is not None:
        events.ticket_call_event(ticket, actor=actor, call=call)
        if ticket_id and notes.strip():
            ticket_note_add(actor=actor, ticket=ticket, body=notes)
    elif contact_id or organization_id:
        customers.timeline_event_add(
            kind="call",
            verb=f"call_{direction}",
            title=_("Call %(number)s: %(outcome)s")
            % {"number": call.number, "outcome": call.get_outcome_display()},
            body=notes,
            actor=actor if is_staff(actor) else None,
            organization_id=organization_id,
            contact_id=contact_id,
            data={"call_id": call.pk, "talk_seconds": talk_seconds, "wait_seconds": wait_seconds},
            source_type="service.callrecord",
            source_id=call.pk,
        )
    return call
