from kefu.customers.tests.factories import ContactFactory
from kefu.service import facade
from kefu.service.models import TicketEntry


def test_channel_flow_threads_replies_by_message_id(admin_user, desk):
    contact = ContactFactory()
    ticket_id = facade.ticket_open(
        actor=None,
        subject="邮件报修",
        description="打印机卡纸",
        requester_id=contact.pk,
        channel="email",
        message_id="<abc@mail.example.cn>",
    )
    assert facade.ticket_find_by_reference(message_ids=["<abc@mail.example.cn>"]) == ticket_id
    entry_id = facade.ticket_customer_reply(
        ticket_id=ticket_id, contact_id=contact.pk, body="补充：型号 HP-400", message_id="<def@x>"
    )
    assert TicketEntry.objects.get(pk=entry_id).author_contact_id == contact.pk
    assert facade.ticket_find_by_reference(message_ids=["<def@x>"]) == ticket_id
    summary = facade.ticket_get_summary(ticket_id)
    assert facade.ticket_find_by_reference(number=summary["number"].lower()) == ticket_id
    assert [t["id"] for t in facade.tickets_of_contact(contact.pk)] == [ticket_id]
