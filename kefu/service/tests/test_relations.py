import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from kefu.customers.tests.factories import ContactFactory, IdentityFactory
from kefu.service.errors import MergeRefused
from kefu.service.models import Ticket, TicketEntry, TicketLink
from kefu.service.services import (
    ticket_link_add,
    ticket_merge,
    ticket_problem_link,
    ticket_reply_add,
    ticket_split,
    ticket_transition,
)


def test_merge_moves_conversation_and_closes_source_with_pointer(make_ticket, admin_user):
    contact = ContactFactory()
    source = make_ticket(requester_id=contact.pk, description="第一封邮件")
    target = make_ticket(requester_id=contact.pk, description="第二封邮件")
    ticket_reply_add(actor=admin_user, ticket=source, body="回复一")

    ticket_merge(actor=admin_user, source=source, target=target)

    source = Ticket.objects.get(pk=source.pk)
    assert source.merged_into_id == target.pk
    assert source.status_category == "closed"
    assert source.resolution_code == "duplicate"
    bodies = set(
        TicketEntry.objects.filter(ticket=target)
        .exclude(kind="event")
        .values_list("body", flat=True)
    )
    assert {"第一封邮件", "第二封邮件", "回复一"} <= bodies
    assert TicketLink.objects.filter(
        from_ticket=source, to_ticket=target, kind="duplicate"
    ).exists()
    assert TicketEntry.objects.filter(ticket=source, data__event="merged").exists()


def test_merge_into_itself_is_refused(make_ticket, admin_user):
    ticket = make_ticket()
    with pytest.raises(MergeRefused):
        ticket_merge(actor=admin_user, source=ticket, target=ticket)
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_merge_across_organizations_needs_permission(make_ticket, make_agent, admin_user):
    agent = make_agent()
    source = make_ticket(requester_id=ContactFactory().pk)
    target = make_ticket(requester_id=ContactFactory().pk)
    entries_before = TicketEntry.objects.filter(ticket=source).count()

    with pytest.raises(MergeRefused):
        ticket_merge(actor=agent, source=source, target=target)
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
    assert TicketEntry.objects.filter(ticket=source).count() == entries_before

    ticket_merge(actor=admin_user, source=source, target=target)
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_merge_twice_is_refused(make_ticket, admin_user):
    a, b, c = make_ticket(), make_ticket(), make_ticket()
    ticket_merge(actor=admin_user, source=a, target=b)
    with pytest.raises(MergeRefused):
        ticket_merge(actor=admin_user, source=a, target=c)


def test_split_moves_reply_to_new_linked_ticket(make_ticket, admin_user):
    contact = ContactFactory()
    source = make_ticket(requester_id=contact.pk)
    entry = ticket_reply_add(
        actor=None, ticket=source, body="另外，发票也打不出来", author_contact_id=contact.pk
    )

    new = ticket_split(actor=admin_user, entry=entry, subject="发票打印问题")

    assert TicketEntry.objects.get(pk=entry.pk).ticket_id == new.pk
    assert new.requester_id == contact.pk
    assert new.queue_id == source.queue_id
    assert TicketLink.objects.filter(from_ticket=new, to_ticket=source, kind="related").exists()


def test_split_refuses_only_message(make_ticket, admin_user):
    ticket = make_ticket()
    entry = TicketEntry.objects.get(ticket=ticket, kind="reply")
    with pytest.raises(ValidationError):
        ticket_split(actor=admin_user, entry=entry, subject="x")


def test_resolving_problem_resolves_incidents_and_tells_requesters(
    make_ticket, admin_user, django_capture_on_commit_callbacks
):
    problem = make_ticket(ticket_type="problem", subject="门店网络故障")
    first = IdentityFactory(value="a@example.cn")
    second = IdentityFactory(value="b@example.cn")
    incidents = [
        make_ticket(ticket_type="incident", requester_id=first.contact_id),
        make_ticket(ticket_type="incident", requester_id=second.contact_id),
    ]
    for incident in incidents:
        ticket_problem_link(actor=admin_user, incident=incident, problem=problem)
    already_closed = make_ticket(ticket_type="incident", problem_id=problem.pk)
    ticket_transition(actor=admin_user, ticket=already_closed, status_key="closed")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_transition(
            actor=admin_user, ticket=problem, status_key="resolved", resolution_code="fixed"
        )

    for incident in incidents:
        stored = Ticket.objects.get(pk=incident.pk)
        assert stored.status_category == "resolved"
        assert stored.resolution_code == "fixed"
    assert Ticket.objects.get(pk=already_closed.pk).status_category == "closed"
    # Each requester gets the "resolved" notice and, separately, the satisfaction survey.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["a@example.cn", "a@example.cn", "b@example.cn", "b@example.cn"]


def test_problem_link_refuses_non_problem(make_ticket, admin_user):
    incident, other = make_ticket(), make_ticket(ticket_type="incident")
    with pytest.raises(ValidationError):
        ticket_problem_link(actor=admin_user, incident=incident, problem=other)
    assert Ticket.objects.get(pk=incident.pk).problem_id is None


def test_link_related_is_idempotent_and_refuses_self(make_ticket, admin_user):
    a, b = make_ticket(), make_ticket()
    first = ticket_link_add(actor=admin_user, ticket=a, other=b, kind="related")
    again = ticket_link_add(actor=admin_user, ticket=a, other=b, kind="related")
    assert first.pk == again.pk
    with pytest.raises(ValidationError):
        ticket_link_add(actor=admin_user, ticket=a, other=a, kind="related")
