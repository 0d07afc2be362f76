"""Issue #6 in a real browser: a customer searches, sees and clicks a suggestion, then submits a
request; an agent turns the ticket into an article; a reviewer publishes it; the portal finds
it. Uses the Playwright fixtures of tests/browser."""

import pytest

from kefu.knowledge.models import Article, PortalSearch
from kefu.service.models import Ticket
from tests.browser.conftest import PASSWORD, chromium, log_in, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector):  # noqa: F811
    with page.expect_navigation():
        page.click(selector)


def test_customer_to_article_to_portal(page, log_in, make_user, agent, supervisor, admin_user):  # noqa: F811
    from kefu.customers.tests.factories import ContactFactory
    from kefu.knowledge import services as kb
    from kefu.service.defaults import install_defaults_live
    from kefu.service.facade import ticket_agent_reply

    install_defaults_live()
    customer = make_user(None, username="browser-customer")
    ContactFactory(user=customer)
    existing = kb.article_create(
        actor=agent, title="打印机离线怎么办", body="请重启打印机。", visibility="public"
    )
    kb.article_submit(actor=agent, article=existing)
    kb.article_approve(actor=supervisor, article=existing)

    page.goto("/portal/login/")
    page.fill("#id_username", "browser-customer")
    page.fill("#id_password", PASSWORD)
    _submit(page, "#login")
    page.goto("/portal/requests/new/")
    page.type("#id_subject", "打印机", delay=50)
    page.wait_for_selector("#suggestion-list >> text=打印机离线怎么办")
    with page.context.expect_page() as opened:
        page.click("#suggestion-list a")
    opened.value.wait_for_load_state()
    assert "请重启打印机" in opened.value.locator("#article-title + *, article").first.inner_text()
    opened.value.close()
    page.fill("#id_subject", "发票抬头填错了怎么修改")
    page.fill("#id_description", "开票时公司名称写错了。")
    _submit(page, "#submit-request")
    ticket = Ticket.objects.get(subject="发票抬头填错了怎么修改")
    assert PortalSearch.objects.filter(kind="click", article=existing).exists()
    assert PortalSearch.objects.filter(ended_in_request=True).exists()
    ticket_agent_reply(actor=admin_user, ticket_id=ticket.pk, body="在发票页面点击“修改抬头”。")
    from kefu.service.services import ticket_transition

    ticket = ticket_transition(
        actor=admin_user,
        ticket=Ticket.objects.get(pk=ticket.pk),
        status_key="resolved",
        resolution_code="fixed",
    )
    assert ticket.status_category == "resolved"

    page.context.clear_cookies()
    log_in(admin_user)  # works every queue, so sees the new ticket
    page.goto(f"/service/tickets/{ticket.pk}/")  # the solved ticket's page, knowledge panel
    # The panel's suggestions load into the panel (the workspace around it stays).
    page.wait_for_selector("#knowledge-panel #kb-suggestions")
    assert page.locator("#reply, #conversation").count() >= 1
    _submit(page, "#knowledge-panel form button[type=submit]")
    draft = Article.objects.get(source_ticket_id=ticket.pk)
    _submit(page, "#edit")
    page.select_option("#id_visibility", "public")
    _submit(page, "#save")
    _submit(page, "#submit-review")
    assert Article.objects.get(pk=draft.pk).status == "in_review"

    page.context.clear_cookies()
    log_in(supervisor)
    page.goto(draft.get_absolute_url())
    _submit(page, "#approve")
    assert Article.objects.get(pk=draft.pk).status == "published"

    page.context.clear_cookies()
    page.goto("/portal/kb/?q=发票 抬头")
    assert "发票抬头填错了怎么修改" in page.locator("#results").inner_text()
    assert page.console_errors == []
