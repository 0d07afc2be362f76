"""SLA countdowns tick in the browser between refreshes (issue #4: lists show a countdown)."""

import pytest

from kefu.service.tests.test_sla_clocks import policy  # noqa: F401  (fixture)
from tests.browser.conftest import chromium, log_in, page  # noqa: F401  (pytest fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_list_and_ticket_page_countdowns_tick(page, log_in, policy, make_agent, make_ticket):  # noqa: F811
    agent = make_agent(username="sla-browser-agent")
    ticket = make_ticket(priority=3, assignee_id=agent.pk)  # first response due in 60 minutes
    log_in(agent)
    page.goto("/service/?view=mine")
    badge = page.locator(f"#ticket-{ticket.pk} [data-ticking]")
    assert badge.count() == 1
    assert badge.get_attribute("class").split()[:2] == ["badge", "ok"]
    # 50 minutes later: ten left of sixty, under a quarter - amber; after 61 minutes: overdue.
    page.evaluate("() => window.kefuTickSla(Date.now() + 50 * 60 * 1000)")
    assert badge.text_content() in ("9m", "10m")
    assert "warn" in badge.get_attribute("class") and "sla-amber" in badge.get_attribute("class")
    page.evaluate("() => window.kefuTickSla(Date.now() + 61 * 60 * 1000)")
    assert badge.text_content() in ("-1m", "-2m")
    assert "danger" in badge.get_attribute("class")

    page.goto(ticket.get_absolute_url())
    first = page.locator("#sla-first_response [data-ticking]")
    assert first.count() == 1
    page.evaluate("() => window.kefuTickSla(Date.now() + 2 * 3600 * 1000)")
    assert first.text_content() in ("-1h 00m", "-1h 01m", "-59m")
    assert page.console_errors == []
