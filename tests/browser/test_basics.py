"""Log in, switch language, read the status page and the API docs in a real browser."""

import pytest

from kefu.core.tasks import heartbeat_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_with_a_wrong_password_shows_an_error_and_stays_on_the_form(page, agent):
    page.goto("/accounts/login/")
    page.fill("#id_username", agent.username)
    page.fill("#id_password", "not the password")
    page.click("form.stacked button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert "/accounts/login/" in page.url
    assert page.locator("nav.mainnav").count() == 0


def test_agent_logs_in_and_switches_the_interface_to_chinese_and_back(page, log_in, agent):
    log_in(agent)
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("nav.mainnav").inner_text().startswith("Home")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    nav = page.locator("nav.mainnav").inner_text()
    assert "首页" in nav
    assert "组织" in nav
    assert page.locator("button:has-text('退出登录')").count() == 1
    page.goto("/")  # the choice sticks across pages
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Home" in page.locator("nav.mainnav").inner_text()
    assert page.console_errors == []


def test_admin_sees_the_consumer_heartbeat_on_the_status_page(page, log_in, admin_user):
    heartbeat_record("worker")
    log_in(admin_user)
    page.goto("/status/")
    assert page.locator("#heartbeat-worker .badge.ok").inner_text() == "running"
    assert page.console_errors == []


def test_agent_is_refused_the_status_page(page, log_in, agent):
    heartbeat_record("worker")
    log_in(agent)
    response = page.goto("/status/")
    assert response.status == 403
    assert page.locator("#heartbeat-worker").count() == 0


def test_api_docs_render_the_operations_under_the_content_security_policy(page, log_in, agent):
    log_in(agent)
    page.goto("/api/docs")
    # The first schema build takes seconds on a busy 2-core machine; Swagger UI waits for it.
    page.wait_for_selector(".swagger-ui .opblock", timeout=90_000)
    assert page.locator(".swagger-ui .opblock").count() > 5
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
