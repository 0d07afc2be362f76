import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from kefu.customers.models import ContactIdentity, TimelineEvent
from kefu.customers.tests.factories import (
    AssetFactory,
    ContactFactory,
    OrganizationFactory,
    SiteFactory,
)
from kefu.service.models import Ticket, TicketEntry
from kefu.service.services import ticket_create
from kefu.service.tests.factories import CategoryFactory, QueueFactory


def test_create_numbers_ticket_and_writes_first_entry_and_timeline(make_ticket, desk):
    contact = ContactFactory()
    ticket = make_ticket(requester_id=contact.pk, channel="email")

    assert ticket.number == f"T-{ticket.pk:06d}"
    assert Ticket.objects.get(pk=ticket.pk).number == ticket.number
    assert ticket.queue == desk
    assert ticket.status.key == "new"
    assert ticket.status_category == "new"
    assert ticket.organization_id == contact.primary_organization_id
    first = TicketEntry.objects.filter(ticket=ticket, kind="reply").get()
    assert first.body == "门店的打印机从早上开始无法打印。"
    assert TimelineEvent.objects.filter(
        source_type="service.ticket", source_id=str(ticket.pk), contact=contact
    ).exists()


def test_ticket_events_go_to_the_tickets_organization_not_the_requesters_later_one(
    make_ticket, desk, admin_user
):
    from kefu.service.services import ticket_reply_add

    contact = ContactFactory(primary_organization=None)
    ticket = make_ticket(requester_id=contact.pk)
    assert ticket.organization_id is None
    contact.primary_organization = OrganizationFactory()
    contact.save()
    ticket_reply_add(actor=None, ticket=ticket.pk, body="还是不行", author_contact_id=contact.pk)
    events = TimelineEvent.objects.filter(source_type="service.ticket", source_id=str(ticket.pk))
    assert {e.verb for e in events} == {"ticket_created", "ticket_replied"}
    assert {(e.contact_id, e.organization_id) for e in events} == {(contact.pk, None)}


def test_create_resolves_new_requester_by_email_through_customer_master(make_ticket):
    ticket = make_ticket(requester_email="Li.Na@Example.CN", requester_name="李娜")

    identity = ContactIdentity.objects.get(normalized="li.na@example.cn")
    assert ticket.requester_id == identity.contact_id
    assert identity.contact.name == "李娜"
    again = make_ticket(requester_email="li.na@example.cn")
    assert again.requester_id == ticket.requester_id


def test_priority_comes_from_impact_urgency_matrix(make_ticket):
    assert make_ticket(impact=1, urgency=1).priority == 1
    assert make_ticket(impact=2, urgency=3).priority == 4
    assert make_ticket(impact=3, urgency=3, priority=2).priority == 2


def test_create_refuses_unknown_queue_and_writes_nothing(make_ticket):
    with pytest.raises(ValidationError) as caught:
        make_ticket(queue_id=999999)
    assert "queue_id" in caught.value.message_dict
    assert Ticket.objects.count() == 0


def test_create_refuses_site_of_another_organization(make_ticket):
    contact = ContactFactory()
    other_site = SiteFactory()
    with pytest.raises(ValidationError) as caught:
        make_ticket(requester_id=contact.pk, site_id=other_site.pk)
    assert "site_id" in caught.value.message_dict
    assert Ticket.objects.count() == 0


def test_create_refuses_bad_choice_values(make_ticket):
    with pytest.raises(ValidationError) as caught:
        make_ticket(channel="pigeon", impact=9)
    assert set(caught.value.message_dict) == {"channel", "impact"}


def test_routing_rule_sends_matching_ticket_to_its_queue(make_ticket, admin_user, desk):
    from kefu.service.services import routing_rule_create

    hardware = QueueFactory(key="hardware")
    parent = CategoryFactory(key="hardware")
    printer = CategoryFactory(key="printer", parent=parent)
    routing_rule_create(actor=admin_user, name="hw", queue=hardware, category_keys=["hardware"])
    vip = QueueFactory(key="vip")
    routing_rule_create(actor=admin_user, name="kw", queue=vip, keywords=["紧急"], order=1)

    assert make_ticket(category_id=printer.pk).queue == hardware
    assert make_ticket(subject="非常紧急：系统宕机").queue == vip
    assert make_ticket(subject="question").queue == desk


def test_routing_rule_matches_organization_tier_and_channel(make_ticket, admin_user, desk):
    from kefu.customers.tests.factories import TierFactory
    from kefu.service.services import routing_rule_create

    gold = TierFactory(key="gold")
    org = OrganizationFactory(tier=gold)
    contact = ContactFactory(primary_organization=org)
    gold_queue = QueueFactory(key="gold")
    routing_rule_create(
        actor=admin_user, name="gold", queue=gold_queue, tier_keys=["gold"], channels=["phone"]
    )

    assert make_ticket(requester_id=contact.pk, channel="phone").queue == gold_queue
    assert make_ticket(requester_id=contact.pk, channel="email").queue == desk


def test_create_with_assignee_mails_them_after_commit(
    make_ticket, make_agent, django_capture_on_commit_callbacks
):
    agent = make_agent(email="wang@kefu.example")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(assignee_id=agent.pk)
    assert ticket.assignee == agent
    assert [m.to for m in mail.outbox] == [["wang@kefu.example"]]
    assert ticket.number in mail.outbox[0].subject


def test_create_refuses_assignee_outside_queue(make_ticket, make_user):
    outsider = make_user("agent")
    with pytest.raises(ValidationError) as caught:
        make_ticket(assignee_id=outsider.pk)
    assert "assignee_id" in caught.value.message_dict
    assert Ticket.objects.count() == 0


def test_asset_of_other_organization_is_refused(make_ticket):
    contact = ContactFactory()
    asset = AssetFactory()
    with pytest.raises(ValidationError):
        make_ticket(requester_id=contact.pk, asset_id=asset.pk)


def test_numbers_are_unique_for_many_tickets(make_ticket):
    numbers = {make_ticket(subject=f"t{i}").number for i in range(15)}
    assert len(numbers) == 15


def test_custom_fields_are_validated_against_definitions(make_ticket):
    from kefu.core.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(
        target="service.ticket", key="store_code", label="Store", field_type="text", max_length=5
    )
    assert make_ticket(custom_fields={"store_code": "SH01"}).custom_fields == {"store_code": "SH01"}
    with pytest.raises(ValidationError):
        make_ticket(custom_fields={"store_code": "TOO-LONG"})
    with pytest.raises(ValidationError):
        ticket_create(actor=None, subject="x", custom_fields={"nope": 1})


def test_first_message_attachments_are_saved_with_the_ticket_or_not_at_all(make_ticket, desk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kefu.service.models import TicketAttachment

    contact = ContactFactory()
    photo = SimpleUploadedFile("故障照片.png", b"\x89PNG fake", content_type="image/png")
    ticket = make_ticket(requester_id=contact.pk, attachments=[photo])
    (attachment,) = TicketAttachment.objects.filter(ticket=ticket)
    assert attachment.entry_id == ticket.first_entry_id
    assert attachment.filename == "故障照片.png" and attachment.is_public

    tickets = Ticket.objects.count()
    good = SimpleUploadedFile("log.txt", b"ok", content_type="text/plain")
    bad = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        make_ticket(requester_id=contact.pk, attachments=[good, bad])
    assert Ticket.objects.count() == tickets
    assert TicketAttachment.objects.count() == 1
