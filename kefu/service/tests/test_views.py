import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.customers.tests.factories import (
    AssetFactory,
    ContactFactory,
    IdentityFactory,
    SiteFactory,
    TierFactory,
)
from kefu.service.models import CallRecord, Ticket, TicketEntry
from kefu.service.services import ticket_create, ticket_update
from kefu.service.tests.factories import QueueFactory


@pytest.fixture
def agent_client(client, make_agent):
    agent = make_agent(username="desk-agent")
    client.force_login(agent)
    client.agent = agent
    return client


def _many_tickets(admin_user, count, **fields):
    for index in range(count):
        contact = ContactFactory()
        ticket_create(actor=admin_user, subject=f"工单 {index}", requester_id=contact.pk, **fields)


@pytest.mark.parametrize("page_size", [25, 100])
def test_list_query_count_does_not_grow_with_page_size(agent_client, admin_user, page_size):
    _many_tickets(admin_user, 30, assignee_id=agent_client.agent.pk)
    url = (
        f"/service/?view=mine&page_size={page_size}&sort=priority&status=new&channel=internal"
        f"&assignee={agent_client.agent.pk}"
    )
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'id="ticket-') >= 25
    assert len(queries) <= 10, "\n".join(q["sql"][:100] for q in queries)


def test_unassigned_view_lists_only_my_queues(agent_client, make_ticket):
    mine = make_ticket(subject="我的队列")
    other = make_ticket(subject="别的队列", queue_id=QueueFactory(key="other").pk)
    response = agent_client.get("/service/?view=unassigned")
    content = response.content.decode()
    assert mine.number in content
    assert other.number not in content


def test_htmx_filter_returns_rows_partial(agent_client, make_ticket):
    ticket = make_ticket(subject="打印机")
    response = agent_client.get(
        "/service/", {"view": "recent", "q": "打印机"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="ticket-rows"')
    assert "q=%E6%89%93%E5%8D%B0%E6%9C%BA" in content  # the poll keeps the filter
    assert ticket.number in content


def test_ticket_page_shows_conversation_and_customer_context(agent_client, make_ticket, admin_user):
    tier = TierFactory(key="gold")
    contact = ContactFactory()
    contact.primary_organization.tier = tier
    contact.primary_organization.save()
    IdentityFactory(contact=contact, value="zhou@example.cn")
    site = SiteFactory(organization=contact.primary_organization)
    AssetFactory(organization=contact.primary_organization, site=site, serial_number="SN-777")
    earlier = make_ticket(requester_id=contact.pk, site_id=site.pk, subject="上次的问题")
    ticket = make_ticket(requester_id=contact.pk, site_id=site.pk)
    from kefu.service.services import ticket_note_add

    ticket_note_add(actor=admin_user, ticket=ticket, body="内部：VIP 客户")

    response = agent_client.get(f"/service/tickets/{ticket.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "门店的打印机从早上开始无法打印。" in content
    assert "内部：VIP 客户" in content
    assert "金牌" in content or "Gold" in content
    assert "zhou@example.cn" in content
    assert earlier.number in content
    assert "SN-777" in content


def test_ticket_page_query_count_is_bounded(agent_client, make_ticket, admin_user):
    from kefu.service.services import ticket_reply_add

    ticket = make_ticket(requester_id=ContactFactory().pk)
    for index in range(30):
        ticket_reply_add(actor=admin_user, ticket=ticket, body=f"回复 {index}")
    with CaptureQueriesContext(connection) as queries:
        assert agent_client.get(f"/service/tickets/{ticket.pk}/").status_code == 200
    assert len(queries) <= 30, len(queries)


def test_reply_form_posts_a_reply(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/entries/",
        {"kind": "reply", "body": "我们正在处理", "time_spent_minutes": 3},
    )
    assert response.status_code == 302
    entry = TicketEntry.objects.filter(ticket=ticket, kind="reply").last()
    assert entry.body == "我们正在处理"
    assert entry.author == agent_client.agent


def test_stale_properties_save_is_refused_with_message(agent_client, make_ticket, admin_user):
    ticket = make_ticket(subject="原主题")
    read_version = ticket.version
    ticket_update(actor=admin_user, ticket=ticket, version=read_version, subject="别人改了")

    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/properties/",
        {
            "version": read_version,
            "subject": "我的修改",
            "ticket_type": "question",
            "impact": 2,
            "urgency": 2,
            "priority": 3,
        },
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).subject == "别人改了"


def test_bulk_assign_is_all_or_nothing(agent_client, make_ticket, make_agent):
    colleague = make_agent(username="colleague")
    mine = [make_ticket(), make_ticket()]
    foreign = make_ticket(queue_id=QueueFactory(key="locked").pk)
    ids = [t.pk for t in mine] + [foreign.pk]

    agent_client.post(
        "/service/tickets/bulk/", {"action": "assign", "ticket_ids": ids, "assignee": colleague.pk}
    )
    # One of the chosen tickets is not the agent's to change: nothing changes.
    assert not Ticket.objects.filter(assignee=colleague).exists()

    agent_client.post(
        "/service/tickets/bulk/",
        {"action": "assign", "ticket_ids": [t.pk for t in mine], "assignee": colleague.pk},
    )
    assert set(Ticket.objects.filter(assignee=colleague).values_list("pk", flat=True)) == {
        t.pk for t in mine
    }

    agent_client.post(
        "/service/tickets/bulk/",
        {"action": "status", "ticket_ids": [t.pk for t in mine], "status": "resolved"},
    )
    # Resolving without a resolution code fails for the first ticket: nothing changes.
    assert not Ticket.objects.filter(status_category="resolved").exists()


def test_create_form_creates_ticket(agent_client, desk):
    response = agent_client.post(
        "/service/tickets/new/",
        {
            "subject": "新电话工单",
            "description": "客户来电",
            "requester_phone": "13700137000",
            "channel": "phone",
            "ticket_type": "incident",
            "impact": 1,
            "urgency": 1,
        },
    )
    ticket = Ticket.objects.get(subject="新电话工单")
    assert response.status_code == 302
    assert ticket.priority == 1
    assert ticket.requester is not None


def test_log_call_form_opens_ticket(agent_client, desk):
    contact = ContactFactory()
    IdentityFactory(contact=contact, kind="phone", value="13600136000", normalized="+8613600136000")
    lookup = agent_client.get("/service/calls/new/?number=13600136000")
    assert contact.name in lookup.content.decode()
    response = agent_client.post(
        "/service/calls/new/",
        {
            "direction": "inbound",
            "number": "13600136000",
            "outcome": "answered",
            "wait_seconds": 5,
            "talk_seconds": 90,
            "create_ticket": "on",
            "subject": "电话：无法开票",
        },
    )
    call = CallRecord.objects.get()
    assert response.status_code == 302
    assert call.ticket.requester == contact


def test_merge_form_merges_and_redirects_to_target(agent_client, make_ticket):
    contact = ContactFactory()
    source, target = make_ticket(requester_id=contact.pk), make_ticket(requester_id=contact.pk)
    response = agent_client.post(
        f"/service/tickets/{source.pk}/merge/", {"target_number": target.number.lower()}
    )
    assert response.status_code == 302
    assert response["Location"] == target.get_absolute_url()
    assert Ticket.objects.get(pk=source.pk).merged_into_id == target.pk


def test_organization_page_shows_tickets_panel(agent_client, make_ticket):
    contact = ContactFactory()
    ticket = make_ticket(requester_id=contact.pk)
    response = agent_client.get(contact.primary_organization.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="service-tickets-panel"' in content
    assert ticket.number in content


def test_nav_shows_tickets_link_to_agents(agent_client):
    assert 'id="nav-tickets"' in agent_client.get("/service/").content.decode()


def test_global_search_finds_ticket_by_number(agent_client, make_ticket):
    ticket = make_ticket(subject="收银机死机")
    response = agent_client.get("/search/", {"q": ticket.number})
    assert ticket.get_absolute_url() in response.content.decode()


@pytest.mark.parametrize(
    "model", ["queue", "lifecycle", "category", "prioritymatrixentry", "routingrule", "agentskill"]
)
def test_admin_configuration_screens_open(client, admin_user, desk, model):
    client.force_login(admin_user)
    assert client.get(f"/django-admin/service/{model}/").status_code == 200


def test_second_agent_sees_who_else_has_the_ticket_open(client, make_agent, make_ticket):
    first, second = make_agent(first_name="Wei", last_name="Zhang"), make_agent()
    ticket = make_ticket()
    client.force_login(first)
    client.get(f"/service/tickets/{ticket.pk}/")
    client.force_login(second)
    response = client.get(f"/service/tickets/{ticket.pk}/viewers/")
    assert first.display_name in response.content.decode()
    client.force_login(first)
    assert second.display_name in client.get(f"/service/tickets/{ticket.pk}/").content.decode()


def test_home_page_shows_ticket_tiles(agent_client, make_ticket):
    make_ticket(assignee_id=agent_client.agent.pk)
    content = agent_client.get("/").content.decode()
    assert "My open tickets" in content
    assert "?view=mine" in content


def test_bulk_priority_tag_and_merge(agent_client, make_ticket):
    contact = ContactFactory()
    tickets = [make_ticket(requester_id=contact.pk) for _ in range(3)]
    ids = [t.pk for t in tickets]
    agent_client.post(
        "/service/tickets/bulk/", {"action": "priority", "ticket_ids": ids, "priority": 1}
    )
    assert set(Ticket.objects.filter(pk__in=ids).values_list("priority", flat=True)) == {1}
    agent_client.post("/service/tickets/bulk/", {"action": "tag", "ticket_ids": ids, "tag": "停电"})
    assert all(t.tags.filter(name="停电").exists() for t in Ticket.objects.filter(pk__in=ids))
    response = agent_client.post("/service/tickets/bulk/", {"action": "merge", "ticket_ids": ids})
    oldest = min(ids)
    assert response["Location"] == Ticket.objects.get(pk=oldest).get_absolute_url()
    assert set(Ticket.objects.filter(merged_into_id=oldest).values_list("pk", flat=True)) == set(
        ids
    ) - {oldest}


def test_the_list_filters_by_assignee_or_nobody(client, supervisor, make_agent, make_ticket):
    li, wang = make_agent(username="li"), make_agent(username="wang")
    lis = make_ticket(subject="李的工单", assignee_id=li.pk)
    wangs = make_ticket(subject="王的工单", assignee_id=wang.pk)
    nobodys = make_ticket(subject="没人管的工单")
    client.force_login(supervisor)

    def numbers(**params):
        html = client.get("/service/", {"view": "all", **params}).content.decode()
        return {t.number for t in (lis, wangs, nobodys) if f">{t.number}<" in html}

    assert numbers(assignee=li.pk) == {lis.number}
    assert numbers(assignee="none") == {nobodys.number}
    assert numbers(assignee="nonsense") == {lis.number, wangs.number, nobodys.number}
    page = client.get("/service/", {"view": "all", "assignee": wang.pk}).content.decode()
    assert f'<option value="{wang.pk}" selected>' in page  # the filter shows its choice


def test_api_and_saved_views_filter_by_assignee(api, supervisor, make_agent, make_ticket):
    from kefu.service.models import SavedView

    li = make_agent(username="li")
    mine = make_ticket(assignee_id=li.pk)
    make_ticket()
    client = api(supervisor)
    items = client.get("/api/v1/tickets", {"view": "all", "assignee": li.pk}).json()["items"]
    assert [item["id"] for item in items] == [mine.pk]
    response = client.post(
        "/api/v1/saved-views",
        json.dumps({"name": "李的", "view": "all", "filters": {"assignee": str(li.pk)}}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert SavedView.objects.get(name="李的").filters == {"assignee": str(li.pk)}
