"""The agent workspace in a real browser (issue #3): create a ticket, reply, add a note, assign it,
and merge a duplicate into it; replies, notes and property changes are htmx swaps of the
workspace (no page reload), a stale save shows why it was refused. Uses the Playwright fixtures
of tests/browser."""

import pytest

from kefu.service.models import Ticket, TicketEntry
from tests.browser.conftest import chromium, log_in, page  # noqa: F401  (pytest fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector):  # noqa: F811
    with page.expect_navigation():
        page.click(selector)


def _swap(page, selector, path):  # noqa: F811
    """Click and wait until htmx has swapped the workspace with the answer to ``path``."""
    with page.expect_response(lambda r: path in r.url and r.request.method == "POST"):
        page.click(selector)
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def test_agent_creates_replies_notes_assigns_and_merges(page, log_in, make_agent, admin_user):  # noqa: F811
    agent = make_agent(username="browser-agent", first_name="Li", last_name="Na")
    log_in(agent)

    page.click("#nav-tickets")
    with page.expect_navigation():
        page.click("#new-ticket")
    page.fill("#id_subject", "收银机无法开机 POS will not start")
    page.fill("#id_description", "门店早上开门后收银机黑屏。")
    page.fill("#id_requester_email", "store.manager@example.cn")
    page.select_option("#id_channel", "phone")
    _submit(page, "#ticket-form button[type=submit]")
    ticket = Ticket.objects.get(subject__startswith="收银机无法开机")
    assert page.url.endswith(ticket.get_absolute_url())
    assert ticket.number in page.locator("#ticket-number").inner_text()

    page.evaluate("window.kefuNoReload = 42")
    page.fill("#id_body", "请先检查电源线。")
    _swap(page, "#entry-form button[type=submit]", "/entries/")
    page.select_option("#id_kind", "note")
    page.fill("#id_body", "客户是重点门店，优先处理")
    _swap(page, "#entry-form button[type=submit]", "/entries/")
    kinds = list(
        TicketEntry.objects.filter(ticket=ticket).exclude(kind="event").values_list("kind", "body")
    )
    assert ("reply", "请先检查电源线。") in kinds
    assert ("note", "客户是重点门店，优先处理") in kinds
    assert "客户是重点门店" in page.locator("#conversation").inner_text()

    page.select_option("#assign-form select[name=assignee]", str(agent.pk))
    _swap(page, "#assign-form button[type=submit]", "/assign/")
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
    assert "Li" in page.locator("#assignee-name").inner_text()
    # Reply, note and assignment were swapped in place: the page never reloaded.
    assert page.evaluate("window.kefuNoReload") == 42
    assert page.locator("#entry-form textarea[name=body]").input_value() == ""

    duplicate = Ticket.objects.get(pk=ticket.pk)
    from kefu.service.services import ticket_create

    dup = ticket_create(
        actor=admin_user, subject="重复：收银机黑屏", requester_id=duplicate.requester_id
    )
    page.goto(dup.get_absolute_url())
    page.fill("#merge-form input[name=target_number]", ticket.number)
    _submit(page, "#merge-form button[type=submit]")
    assert page.url.endswith(ticket.get_absolute_url())
    assert Ticket.objects.get(pk=dup.pk).merged_into_id == ticket.pk
    assert page.console_errors == []


def test_keyboard_moves_to_next_ticket_of_the_list(page, log_in, make_agent, make_ticket):  # noqa: F811
    agent = make_agent(username="keyboard-agent")
    older = make_ticket(subject="第一张", assignee_id=agent.pk)
    newer = make_ticket(subject="第二张", assignee_id=agent.pk)
    log_in(agent)
    page.goto("/service/?view=mine&sort=number")
    with page.expect_navigation():
        page.click(f"#ticket-{newer.pk} a")
    with page.expect_navigation():
        page.keyboard.press("j")
    assert page.url.endswith(older.get_absolute_url())
    with page.expect_navigation():
        page.keyboard.press("k")
    assert page.url.endswith(newer.get_absolute_url())
    assert page.console_errors == []


def test_stale_save_is_refused_in_place_with_a_clear_message(page, log_in, make_agent, make_ticket):  # noqa: F811
    from kefu.service.services import ticket_update

    agent = make_agent(username="stale-agent")
    ticket = make_ticket(subject="原来的主题")
    log_in(agent)
    page.goto(ticket.get_absolute_url())
    page.evaluate("window.kefuNoReload = 7")
    # Another agent saves while this one is editing.
    fresh = Ticket.objects.get(pk=ticket.pk)
    ticket_update(actor=agent, ticket=fresh, version=fresh.version, subject="同事改过的主题")

    page.fill("#properties-form input[name=subject]", "我的主题")
    _swap(page, "#properties-form button[type=submit]", "/properties/")
    message = page.locator("#workspace-messages").inner_text()
    assert "T-" in message and (
        "someone else" in message or "其他人" in message or "别人" in message
    )
    assert page.locator("#properties-form input[name=subject]").input_value() == "同事改过的主题"
    assert Ticket.objects.get(pk=ticket.pk).subject == "同事改过的主题"
    assert page.evaluate("window.kefuNoReload") == 7

    # Saving again on the fresh version works.
    page.fill("#properties-form input[name=subject]", "我的主题")
    _swap(page, "#properties-form button[type=submit]", "/properties/")
    assert Ticket.objects.get(pk=ticket.pk).subject == "我的主题"
    # The browser logs the refused request's 409 itself; no script error besides.
    assert [e for e in page.console_errors if "status of 409" not in e] == []


def test_list_shows_a_new_ticket_without_a_reload(page, log_in, make_agent, make_ticket):  # noqa: F811
    agent = make_agent(username="list-agent")
    make_ticket(subject="已有工单")
    log_in(agent)
    page.goto("/service/?view=queue")
    page.evaluate("window.kefuNoReload = 3")
    # Let the poller fetch its first mark, then a ticket arrives in the agent's queue.
    page.wait_for_function(
        "() => (document.querySelector('#ticket-changes') || {}).getAttribute"
        " && !document.querySelector('#ticket-changes').getAttribute('hx-get').endsWith('since=')"
    )
    arrived = make_ticket(subject="新来的工单")
    page.wait_for_selector(f"#ticket-{arrived.pk}", timeout=30_000)
    assert page.evaluate("window.kefuNoReload") == 3
    assert page.console_errors == []


def test_long_conversation_gap_opens_in_place(page, log_in, make_agent, make_ticket):  # noqa: F811
    agent = make_agent(username="long-thread-agent")
    ticket = make_ticket(subject="很长的对话", assignee_id=agent.pk)
    TicketEntry.objects.bulk_create(
        TicketEntry(ticket=ticket, kind="reply", author=agent, body=f"第 {i} 条消息")
        for i in range(100)
    )
    log_in(agent)
    page.goto(ticket.get_absolute_url())
    assert page.locator("#conversation li[id^=entry-]").count() == 51
    with page.expect_response(lambda r: "/conversation/" in r.url):
        page.click("#conversation-gap a")
    page.wait_for_function("() => !document.querySelector('#conversation-gap')")
    total = TicketEntry.objects.filter(ticket=ticket).count()
    assert page.locator("#conversation li[id^=entry-]").count() == total
    assert page.url.endswith(ticket.get_absolute_url())  # in place, no navigation
    assert page.console_errors == []


def test_agent_goes_away_and_a_supervisor_sets_capacity_on_the_team_board(
    page,  # noqa: F811
    log_in,  # noqa: F811
    make_agent,
    make_ticket,
    supervisor,
):
    from kefu.service.models import AgentProfile

    agent = make_agent(username="switch-agent", first_name="Wu", last_name="Lan")
    make_ticket(assignee_id=agent.pk)
    log_in(agent)
    page.goto("/service/")
    page.wait_for_selector("#my-load")  # the switch loads after the list
    assert "1 of 20 active tickets" in page.inner_text("#my-load")
    with page.expect_navigation():
        page.select_option("#id_my_availability", "away")  # submits on change
    assert page.input_value("#id_my_availability") == "away"
    assert AgentProfile.objects.get(user=agent).availability == "away"
    assert page.console_errors == []

    page.context.clear_cookies()
    log_in(supervisor)
    page.goto("/service/team/")
    row = f"#agent-{agent.pk}"
    assert "1 of 20" in page.inner_text(row)
    # The agent's page: availability and capacity, and a skill that skills-based queues score.
    _submit(page, f"{row} a")
    page.fill("#id_capacity", "1")
    page.select_option("#id_availability", "online")
    _submit(page, "#profile-form button[type=submit]")
    assert "1 of 1 active tickets" in page.inner_text("#agent-load")
    assert AgentProfile.objects.get(user=agent).capacity == 1
    page.select_option("#id_skill", "language:zh-hans")
    page.select_option("#id_proficiency", "5")
    _submit(page, "#skill-form button[type=submit]")
    assert "5 / 5" in page.inner_text("#skills-table")
    assert agent.agent_skills.get(kind="language").key == "zh-hans"
    assert page.console_errors == []
