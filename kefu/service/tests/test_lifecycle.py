from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kefu.customers.tests.factories import ContactFactory, IdentityFactory
from kefu.service.errors import InvalidTransition, StaleTicket
from kefu.service.models import Ticket, TicketEntry
from kefu.service.services import (
    ticket_reply_add,
    ticket_transition,
    tickets_autoclose,
)


def test_transition_follows_allowed_table(make_ticket, admin_user):
    ticket = make_ticket()
    ticket = ticket_transition(actor=admin_user, ticket=ticket, status_key="open")
    assert ticket.status.key == "open"
    assert Ticket.objects.get(pk=ticket.pk).status_category == "open"
    assert TicketEntry.objects.filter(ticket=ticket, data__event="status_changed").count() == 1


def test_closed_ticket_cannot_be_reopened_by_transition(make_ticket, admin_user):
    ticket = make_ticket()
    ticket_transition(actor=admin_user, ticket=ticket, status_key="closed")
    with pytest.raises(InvalidTransition):
        ticket_transition(actor=admin_user, ticket=ticket, status_key="open")
    assert Ticket.objects.get(pk=ticket.pk).status.key == "closed"


def test_resolving_requires_a_resolution_code(make_ticket, admin_user):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as caught:
        ticket_transition(actor=admin_user, ticket=ticket, status_key="resolved")
    assert "resolution_code" in caught.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status.key == "new"
    resolved = ticket_transition(
        actor=admin_user, ticket=ticket, status_key="resolved", resolution_code="fixed"
    )
    stored = Ticket.objects.get(pk=resolved.pk)
    assert stored.resolution_code == "fixed"
    assert stored.resolved_at is not None


def test_unknown_status_is_refused(make_ticket, admin_user):
    ticket = make_ticket()
    with pytest.raises(ValidationError):
        ticket_transition(actor=admin_user, ticket=ticket, status_key="nonsense")


def test_transition_with_stale_version_is_refused(make_ticket, admin_user):
    ticket = make_ticket()
    with pytest.raises(StaleTicket):
        ticket_transition(actor=admin_user, ticket=ticket, status_key="open", version=99)
    assert Ticket.objects.get(pk=ticket.pk).status.key == "new"


def test_customer_reply_reopens_resolved_ticket(make_ticket, admin_user):
    contact = ContactFactory()
    ticket = make_ticket(requester_id=contact.pk)
    ticket_transition(
        actor=admin_user, ticket=ticket, status_key="resolved", resolution_code="fixed"
    )

    ticket_reply_add(actor=None, ticket=ticket, body="还是不行", author_contact_id=contact.pk)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status.key == "open"
    assert stored.resolved_at is None
    assert stored.resolution_code == ""
    entry = TicketEntry.objects.filter(ticket=ticket, kind="reply").last()
    assert entry.author_contact == contact
    assert entry.author is None


def test_agent_first_reply_opens_new_ticket_and_mails_requester(
    make_ticket, admin_user, django_capture_on_commit_callbacks
):
    identity = IdentityFactory(value="zhang@example.cn")
    ticket = make_ticket(requester_id=identity.contact_id)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply_add(
            actor=admin_user, ticket=ticket, body="请重启打印机。", time_spent_minutes=5
        )
    assert Ticket.objects.get(pk=ticket.pk).status_category == "open"
    assert [m.to for m in mail.outbox] == [["zhang@example.cn"]]
    assert "请重启打印机" in mail.outbox[0].body


def test_autoclose_closes_only_tickets_resolved_long_enough(make_ticket, admin_user, desk):
    old = make_ticket()
    recent = make_ticket()
    for ticket in (old, recent):
        ticket_transition(
            actor=admin_user, ticket=ticket, status_key="resolved", resolution_code="fixed"
        )
    Ticket.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=8))

    assert tickets_autoclose() == 1
    assert tickets_autoclose() == 0  # a second sweep finds nothing left to claim
    assert Ticket.objects.get(pk=old.pk).status.key == "closed"
    assert Ticket.objects.get(pk=old.pk).closed_at is not None
    assert Ticket.objects.get(pk=recent.pk).status.key == "resolved"


def test_autoclose_respects_queue_setting_of_zero_days(make_ticket, admin_user, desk):
    desk.auto_close_days = 0
    desk.save()
    ticket = make_ticket()
    ticket_transition(
        actor=admin_user, ticket=ticket, status_key="resolved", resolution_code="fixed"
    )
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=100))
    assert tickets_autoclose() == 0


def test_periodic_autoclose_task_runs_the_sweep(make_ticket, admin_user):
    from kefu.service import tasks

    ticket = make_ticket()
    ticket_transition(
        actor=admin_user, ticket=ticket, status_key="resolved", resolution_code="fixed"
    )
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    tasks.tickets_autoclose.call_local()
    assert Ticket.objects.get(pk=ticket.pk).status_category == "closed"
