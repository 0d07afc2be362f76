"""The htmx workspace: actions answer with the ticket page's fragment, refusals with their
status and message, lists poll a cheap change mark, and presence tells who is replying."""

import pytest
from django.test import Client
from django.urls import reverse

from kefu.service import workspace
from kefu.service.models import Ticket, TicketEntry
from kefu.service.presence import ticket_viewers_touch
from kefu.service.services import ticket_update
from kefu.service.tests.factories import QueueFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def agent_client(client, make_agent):
    agent = make_agent(username="hx-agent", first_name="Na", last_name="Li")
    client.force_login(agent)
    client.agent = agent
    return client


def _properties(version, subject="我的修改"):
    return {
        "version": version,
        "subject": subject,
        "ticket_type": "question",
        "impact": 2,
        "urgency": 2,
        "priority": 3,
    }


def test_htmx_reply_answers_with_the_workspace_fragment(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/entries/", {"kind": "reply", "body": "请重启打印机"}, **HX
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="ticket-workspace"')
    assert "<html" not in content
    assert "请重启打印机" in content
    assert 'id="workspace-messages"' in content
    entry = TicketEntry.objects.get(ticket=ticket, kind="reply", body="请重启打印机")
    assert entry.author == agent_client.agent
    # The fragment carries the new version for the next save.
    assert f'data-version="{Ticket.objects.get(pk=ticket.pk).version}"' in content


def test_htmx_note_keeps_the_page_and_writes_a_note(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/entries/", {"kind": "note", "body": "内部备注"}, **HX
    )
    assert response.status_code == 200
    assert TicketEntry.objects.filter(ticket=ticket, kind="note", body="内部备注").count() == 1


def test_htmx_empty_reply_is_refused_with_422_and_nothing_written(agent_client, make_ticket):
    ticket = make_ticket()
    before = TicketEntry.objects.filter(ticket=ticket).count()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/entries/", {"kind": "reply", "body": ""}, **HX
    )
    assert response.status_code == 422
    assert 'id="ticket-workspace"' in response.content.decode()
    assert TicketEntry.objects.filter(ticket=ticket).count() == before


def test_htmx_stale_save_is_refused_with_409_and_a_clear_message(
    agent_client, make_ticket, admin_user
):
    ticket = make_ticket(subject="原主题")
    read_version = ticket.version
    ticket_update(actor=admin_user, ticket=ticket, version=read_version, subject="别人改了")
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/properties/", _properties(read_version), **HX
    )
    content = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in content
    # The fragment shows the current subject, ready for the change to be made again.
    assert "别人改了" in content
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.subject == "别人改了"
    assert f'data-version="{fresh.version}"' in content


def test_htmx_property_save_swaps_in_the_new_values(agent_client, make_ticket):
    ticket = make_ticket(subject="原主题")
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/properties/", _properties(ticket.version, "新主题"), **HX
    )
    assert response.status_code == 200
    assert "新主题" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).subject == "新主题"


def test_htmx_invalid_transition_answers_409(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/status/",
        {"status": "no-such-status", "version": ticket.version},
        **HX,
    )
    assert response.status_code in (409, 422)
    assert Ticket.objects.get(pk=ticket.pk).status_id == ticket.status_id


def test_htmx_assign_and_merge(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/assign/",
        {"assignee": agent_client.agent.pk, "version": ticket.version},
        **HX,
    )
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent_client.agent

    duplicate = make_ticket(requester_id=ticket.requester_id)
    response = agent_client.post(
        f"/service/tickets/{duplicate.pk}/merge/", {"target_number": ticket.number}, **HX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == ticket.get_absolute_url()
    assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == ticket.pk


def test_htmx_merge_into_itself_is_refused_and_changes_nothing(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/merge/", {"target_number": ticket.number}, **HX
    )
    assert response.status_code == 409
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_without_javascript_actions_still_redirect(agent_client, make_ticket):
    ticket = make_ticket()
    response = agent_client.post(
        f"/service/tickets/{ticket.pk}/entries/", {"kind": "reply", "body": "好的"}
    )
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()


def test_change_poll_is_quiet_until_a_visible_ticket_changes(agent_client, make_ticket):
    ticket = make_ticket()
    first = agent_client.get("/service/tickets/changes/")
    assert first.status_code == 200
    assert "HX-Trigger" not in first
    mark = workspace.tickets_changed_mark(agent_client.agent)
    assert f"since={mark}" in first.content.decode()

    assert agent_client.get("/service/tickets/changes/", {"since": mark}).status_code == 204

    # A ticket in a queue the agent does not work changes: still quiet.
    make_ticket(queue_id=QueueFactory(key="elsewhere").pk)
    assert agent_client.get("/service/tickets/changes/", {"since": mark}).status_code == 204

    agent_client.post(f"/service/tickets/{ticket.pk}/entries/", {"kind": "note", "body": "变了"})
    changed = agent_client.get("/service/tickets/changes/", {"since": mark})
    assert changed.status_code == 200
    assert changed["HX-Trigger"] == "tickets-changed"
    assert f"since={mark}" not in changed.content.decode()


def test_list_rows_refresh_on_the_change_event(agent_client, make_ticket):
    make_ticket()
    content = agent_client.get("/service/?view=queue").content.decode()
    assert 'hx-trigger="tickets-changed from:body"' in content
    assert 'id="ticket-changes"' in content


def test_change_poll_needs_a_staff_login(client, make_ticket):
    make_ticket()
    response = client.get("/service/tickets/changes/")
    assert response.status_code in (302, 403)


def test_presence_shows_who_is_replying(agent_client, make_agent, make_ticket):
    ticket = make_ticket()
    colleague = make_agent(username="colleague", first_name="Lei", last_name="Wang")
    other = Client()
    other.force_login(colleague)
    other.get(f"/service/tickets/{ticket.pk}/viewers/", {"editing": "1"})

    response = agent_client.get(f"/service/tickets/{ticket.pk}/")
    content = response.content.decode()
    assert "Lei Wang" in content
    assert "replying" in content.lower() or "正在回复" in content
    # The colleague stops typing: only "looking" remains.
    other.get(f"/service/tickets/{ticket.pk}/viewers/", {"editing": "0"})
    names = ticket_viewers_touch(ticket_id=ticket.pk, user=agent_client.agent)
    assert names == ["Lei Wang"]


def test_side_panels_are_composable(agent_client, make_ticket, settings, tmp_path):
    (tmp_path / "service").mkdir()
    (tmp_path / "service" / "_bench_panel.html").write_text(
        '<section class="panel" id="extra-panel">{{ ticket.number }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}
    ]
    ticket = make_ticket()
    workspace.register_side_panel("service/_bench_panel.html", order=15)
    try:
        content = agent_client.get(f"/service/tickets/{ticket.pk}/").content.decode()
    finally:
        workspace._SIDE_PANELS.pop("service/_bench_panel.html")
    assert f'id="extra-panel">{ticket.number}' in content
    assert content.index('id="properties"') < content.index('id="extra-panel"')
    assert content.index('id="extra-panel"') < content.index('id="status"')


def test_conversation_markup_escapes_and_shows_kinds(agent_client, make_ticket):
    ticket = make_ticket(description="第一行\n<script>alert(1)</script>")
    agent_client.post(
        f"/service/tickets/{ticket.pk}/entries/",
        {"kind": "note", "body": "备注", "time_spent_minutes": 5},
    )
    content = agent_client.get(f"/service/tickets/{ticket.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "第一行<br>&lt;script&gt;" in content
    note = TicketEntry.objects.get(ticket=ticket, kind="note")
    assert f'<li class="kind-note" id="entry-{note.pk}">' in content
    assert "5 minutes" in content or "5 分钟" in content
    assert "Na Li" in content


def _long_thread(ticket, count, author):
    TicketEntry.objects.bulk_create(
        TicketEntry(ticket=ticket, kind="reply", author=author, body=f"第 {i} 条 message {i}")
        for i in range(count)
    )
    return list(ticket.entries.order_by("created_at", "id").values_list("pk", flat=True))


def test_long_conversation_opens_on_its_first_and_latest_messages(agent_client, make_ticket):
    ticket = make_ticket(description="原始问题 original question")
    ids = _long_thread(ticket, 119, agent_client.agent)  # + the first message and its event
    hidden = len(ids) - 51
    page = agent_client.get(ticket.get_absolute_url())
    html = page.content.decode()
    shown = [pk for pk in ids if f'id="entry-{pk}"' in html]
    assert shown == [ids[0], *ids[-50:]]
    assert f"Show {hidden} earlier messages" in html and 'id="conversation-gap"' in html

    # The gap loads in place: exactly the hidden entries, oldest first.
    gap = page.context["entries"][1]
    middle = agent_client.get(
        reverse("service:ticket_entries_between", args=[ticket.pk]),
        {"after": gap.after.pk, "before": gap.before.pk},
        **HX,
    )
    assert middle.status_code == 200
    body = middle.content.decode()
    loaded = [pk for pk in ids if f'id="entry-{pk}"' in body]
    assert loaded == ids[1:-50] and len(loaded) == hidden
    assert body.index(f'id="entry-{ids[1]}"') < body.index(f'id="entry-{ids[-51]}"')

    # Without JavaScript the link opens the page with every entry.
    everything = agent_client.get(ticket.get_absolute_url(), {"entries": "all"}).content.decode()
    assert all(f'id="entry-{pk}"' in everything for pk in ids)
    assert 'id="conversation-gap"' not in everything


def test_short_conversation_is_shown_whole_and_the_gap_needs_access(
    agent_client, make_ticket, client, make_user
):
    ticket = make_ticket()
    ids = _long_thread(ticket, 30, agent_client.agent)
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert all(f'id="entry-{pk}"' in html for pk in ids)
    assert 'id="conversation-gap"' not in html
    url = reverse("service:ticket_entries_between", args=[ticket.pk])
    assert agent_client.get(url, {"after": "x"}).status_code == 400
    outsider = Client()
    outsider.force_login(make_user("sales", username="not-in-queue"))
    denied = outsider.get(url, {"after": ids[0], "before": ids[-1]})
    assert denied.status_code in (403, 404)
    assert "第 1 条" not in denied.content.decode()


def test_long_conversation_shows_each_entrys_attachments_in_one_read(agent_client, make_ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.service.models import TicketAttachment

    ticket = make_ticket(description="原始问题")
    ids = _long_thread(ticket, 119, agent_client.agent)

    def attach(entry_id, name):
        TicketAttachment.objects.create(
            ticket=ticket, entry_id=entry_id, file=f"x/{name}", filename=name, size=10
        )

    attach(ids[0], "首条-first.pdf")
    attach(ids[-1], "最新-latest.png")
    attach(ids[-1], "second-on-latest.txt")
    attach(ids[40], "中间-middle.log")  # in the collapsed middle

    url = ticket.get_absolute_url()
    agent_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = agent_client.get(url).content.decode()
    assert "首条-first.pdf" in html and "最新-latest.png" in html
    assert html.index("最新-latest.png") < html.index("second-on-latest.txt")
    assert "中间-middle.log" not in html
    attachment_reads = [q for q in queries if "service_ticketattachment" in q["sql"]]
    assert len(attachment_reads) == 1

    gap = agent_client.get(url).context["entries"][1]
    middle = agent_client.get(
        reverse("service:ticket_entries_between", args=[ticket.pk]),
        {"after": gap.after.pk, "before": gap.before.pk},
        **HX,
    ).content.decode()
    assert "中间-middle.log" in middle and "首条-first.pdf" not in middle


def test_list_rows_and_pickers_escape_what_users_typed(agent_client, make_ticket, make_agent):
    from kefu.customers.tests.factories import ContactFactory

    requester = ContactFactory(name='王<b>五</b> "quoted"')
    make_ticket(subject="<img src=x onerror=alert(1)> 打印机", requester_id=requester.pk)
    make_agent(username="x", first_name="<i>Eve</i>", last_name="O'Neil")

    content = agent_client.get(reverse("service:ticket_list"), {"view": "all"}).content.decode()

    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt; 打印机" in content
    assert "王&lt;b&gt;五&lt;/b&gt; &quot;quoted&quot;" in content
    assert "<i>Eve</i>" not in content
    assert "&lt;i&gt;Eve&lt;/i&gt; O&#x27;Neil" in content


def test_pickers_and_status_panel_follow_configuration_changes(agent_client, make_ticket):
    """The category and queue pickers and the status panel come from the configuration
    snapshot: a change shows on the next page, in every process."""
    from kefu.service.models import Status
    from kefu.service.tests.factories import CategoryFactory

    ticket = make_ticket()
    url = ticket.get_absolute_url()
    assert "新分类 fresh category" not in agent_client.get(url).content.decode()

    category = CategoryFactory(key="fresh", name="新分类 fresh category")
    second_line = QueueFactory(name="二线 second line")
    Status.objects.create(
        lifecycle_id=ticket.status.lifecycle_id, key="on-site", name="On site", category="open"
    )
    html = agent_client.get(url).content.decode()
    assert f'<option value="{category.pk}">新分类 fresh category</option>' in html
    assert f'<option value="{second_line.pk}">二线 second line</option>' in html
    assert "On site" in html

    category.is_active = False
    category.save()
    assert "新分类 fresh category" not in agent_client.get(url).content.decode()


def test_assignee_picker_follows_staff_changes(agent_client, make_ticket, make_agent):
    """The ticket page's assignee picker lists the staff roster snapshot: a rename, a new
    agent and a deactivation show on the next page."""
    ticket = make_ticket()
    url = ticket.get_absolute_url()
    colleague = make_agent(username="colleague", first_name="Mei", last_name="Lin")
    assert (
        f'<option value="{colleague.pk}">Mei Lin</option>' in agent_client.get(url).content.decode()
    )

    colleague.first_name, colleague.last_name = "美", "林"
    colleague.save()
    newcomer = make_agent(username="newcomer", first_name="<b>New</b>", last_name="")
    html = agent_client.get(url).content.decode()
    assert f'<option value="{colleague.pk}">林美</option>' in html
    assert f'<option value="{newcomer.pk}">&lt;b&gt;New&lt;/b&gt;</option>' in html

    colleague.is_active = False
    colleague.save()
    assert f'<option value="{colleague.pk}">林美' not in agent_client.get(url).content.decode()


def test_bulk_assignee_picker_lists_colleagues_for_agents_and_all_staff_for_supervisors(
    client, make_agent, make_user, make_ticket
):
    """An agent picks among the members of their queues; who sees every ticket, among every
    active staff user (as on the ticket page, and as the bulk action accepts)."""
    from kefu.service.tests.factories import MembershipFactory

    agent = make_agent(username="picker-agent", first_name="Own", last_name="Queue")
    colleague = make_agent(username="colleague-2", first_name="Same", last_name="Queue")
    elsewhere = make_user("agent", username="elsewhere", first_name="Other", last_name="Queue")
    MembershipFactory(queue=QueueFactory(key="other-queue"), user=elsewhere)
    off_duty = make_user("agent", username="inactive", first_name="Gone", last_name="")
    off_duty.is_active = False
    off_duty.save()
    supervisor = make_user("supervisor", username="sup", first_name="Su", last_name="Pervisor")
    make_ticket()  # the bulk bar shows with a ticket to act on

    def options(user) -> str:
        client.force_login(user)
        html = client.get(reverse("service:ticket_list"), {"view": "all"}).content.decode()
        return html[html.index('name="assignee"') :].split("</select>")[0]

    mine = options(agent)
    assert f'<option value="{colleague.pk}">Same Queue</option>' in mine
    assert f'value="{elsewhere.pk}"' not in mine
    everyone = options(supervisor)
    for user, name in (
        (agent, "Own Queue"),
        (elsewhere, "Other Queue"),
        (supervisor, "Su Pervisor"),
    ):
        assert f'<option value="{user.pk}">{name}</option>' in everyone
    assert f'value="{off_duty.pk}"' not in everyone
