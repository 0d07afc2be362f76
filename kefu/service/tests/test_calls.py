import pytest
from django.core.exceptions import ValidationError

from kefu.customers.models import TimelineEvent
from kefu.customers.tests.factories import ContactFactory, IdentityFactory
from kefu.service.models import CallRecord, Ticket
from kefu.service.services import call_record_create


def _phone_contact():
    contact = ContactFactory()
    IdentityFactory(contact=contact, kind="phone", value="13800138000", normalized="+8613800138000")
    return contact


def test_call_resolves_number_and_opens_phone_ticket(make_ticket, admin_user, desk):
    contact = _phone_contact()
    call = call_record_create(
        actor=admin_user,
        direction="inbound",
        number="+86 138-0013-8000",
        wait_seconds=12,
        talk_seconds=180,
        create_ticket=True,
        subject="电话报修：收银机黑屏",
        notes="客户说早上开机黑屏",
    )
    assert call.contact == contact
    assert call.number == "+8613800138000"
    ticket = Ticket.objects.get(pk=call.ticket_id)
    assert ticket.channel == "phone"
    assert ticket.requester == contact
    assert ticket.entries.filter(data__event="call").exists()


def test_call_added_to_existing_ticket_becomes_note(make_ticket, admin_user):
    contact = _phone_contact()
    ticket = make_ticket(requester_id=contact.pk)
    call_record_create(
        actor=admin_user,
        direction="outbound",
        number="13800138000",
        ticket_id=ticket.pk,
        notes="已电话回访",
    )
    assert ticket.entries.filter(kind="note", body="已电话回访").exists()


def test_call_without_ticket_lands_on_timeline(admin_user, desk):
    contact = _phone_contact()
    call = call_record_create(
        actor=admin_user, direction="inbound", number="13800138000", outcome="missed"
    )
    assert TimelineEvent.objects.filter(
        contact=contact, source_type="service.callrecord", source_id=str(call.pk)
    ).exists()


def test_bad_call_input_is_refused(admin_user, desk):
    with pytest.raises(ValidationError) as caught:
        call_record_create(actor=admin_user, direction="sideways", number="abc", talk_seconds=-1)
    assert {"direction", "number", "talk_seconds"} <= set(caught.value.message_dict)
    assert CallRecord.objects.count() == 0
