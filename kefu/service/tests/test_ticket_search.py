"""Ticket full-text search (``kefu.service.search``): subject and conversation, kept current,
narrowed to what the agent may see, in the global search box."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from kefu.core.models import SearchDocument
from kefu.service import selectors
from kefu.service.search import TICKET

pytestmark = pytest.mark.django_db(transaction=True)


def _numbers(user, text):
    return [t.number for t in selectors.ticket_search(user=user, text=text)]


def test_subject_description_and_two_character_words(make_ticket, admin_user):
    ticket = make_ticket(subject="收银机蓝屏", description="门店的扫码枪无法连接 WiFi")
    make_ticket(subject="Invoice copy", description="Please resend the invoice.")
    assert _numbers(admin_user, "蓝屏") == [ticket.number]
    assert _numbers(admin_user, "扫码") == [ticket.number]
    assert _numbers(admin_user, "收银 wifi") == [ticket.number]
    assert _numbers(admin_user, ticket.number) == [ticket.number]
    assert _numbers(admin_user, f" {ticket.number.lower()} ") == [ticket.number]


def test_reply_and_note_are_searchable_at_once(make_ticket, admin_user):
    from kefu.service.services import ticket_note_add, ticket_reply_add

    ticket = make_ticket(subject="Printer offline", description="")
    assert _numbers(admin_user, "firmware") == []
    ticket_reply_add(actor=admin_user, ticket=ticket, body="Please upgrade the firmware.")
    assert _numbers(admin_user, "firmware") == [ticket.number]
    ticket.refresh_from_db()
    ticket_note_add(actor=admin_user, ticket=ticket, body="客户的路由器型号很旧")
    assert _numbers(admin_user, "路由器") == [ticket.number]
    assert SearchDocument.objects.filter(kind=TICKET, object_id=ticket.pk).count() == 1


def test_agents_find_only_tickets_of_their_queues(make_ticket, make_agent, desk, admin_user):
    from kefu.service.services import queue_create

    other = queue_create(actor=admin_user, key="billing", name="Billing")
    mine = make_ticket(subject="发票重开 refund", queue_id=desk.pk)
    theirs = make_ticket(subject="发票作废 refund", queue_id=other.pk)
    agent = make_agent(desk)
    assert _numbers(agent, "发票") == [mine.number]
    assert _numbers(agent, theirs.number) == []
    assert sorted(_numbers(admin_user, "refund")) == sorted([mine.number, theirs.number])


def test_assigned_ticket_outside_the_agents_queues_is_found(make_ticket, make_agent, admin_user):
    from kefu.service.models import QueueMembership
    from kefu.service.services import queue_create

    other = queue_create(actor=admin_user, key="network", name="Network")
    agent = make_agent()
    QueueMembership.objects.create(queue=other, user=agent)
    assigned = make_ticket(subject="交换机故障", queue_id=other.pk, assignee_id=agent.pk)
    make_ticket(subject="交换机更换", queue_id=other.pk)
    QueueMembership.objects.filter(queue=other, user=agent).delete()  # left the queue
    assert _numbers(agent, "交换机") == [assigned.number]


def test_global_search_box_lists_tickets(client, make_ticket, admin_user, make_user):
    ticket = make_ticket(subject="门禁系统无法开门")
    client.force_login(admin_user)
    page = client.get(reverse("core:search"), {"q": "门禁"})
    assert ticket.number in page.content.decode()
    outsider = make_user("agent")  # works no queue: sees no ticket
    client.force_login(outsider)
    page = client.get(reverse("core:search"), {"q": "门禁"})
    assert ticket.number not in page.content.decode()


def test_rebuild_and_deleted_tickets(make_ticket, admin_user):
    ticket = make_ticket(subject="网络中断")
    SearchDocument.objects.filter(kind=TICKET).delete()
    assert _numbers(admin_user, "网络") == []
    call_command("search_rebuild", kind=[TICKET], no_progress=True)
    assert _numbers(admin_user, "网络") == [ticket.number]
