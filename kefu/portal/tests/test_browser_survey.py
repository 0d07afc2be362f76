"""A customer answers the satisfaction survey from the mailed link in a real browser (in
Chinese, the language the survey was sent in); a supervisor then sees the answer in the
service reports, with the chart drawn. Uses the Playwright fixtures of tests/browser."""

import re

import pytest
from django.core import mail

from kefu.service.models import Survey, Ticket
from tests.browser.conftest import chromium, log_in, page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_answers_survey_and_supervisor_sees_it(page, log_in, admin_user, supervisor):  # noqa: F811
    from kefu.service.defaults import install_defaults_live
    from kefu.service.services import ticket_create, ticket_transition

    install_defaults_live()
    ticket = ticket_create(
        actor=admin_user,
        subject="收银机无法开机",
        requester_email="zhao.lei@customer.example",
        requester_name="赵磊",
    )
    ticket_transition(
        actor=admin_user,
        ticket=Ticket.objects.get(pk=ticket.pk),
        status_key="resolved",
        resolution_code="fixed",
    )
    (message,) = [m for m in mail.outbox if "/portal/survey/" in m.body]
    link = re.search(r"https?://\S+/portal/survey/\S+/", message.body).group(0)
    path = link[link.index("/portal/") :]

    page.goto(path)
    assert "我们做得怎么样" in page.locator("h1").inner_text()
    page.check("input[name=rating][value='4']")
    page.fill("#id_comment", "处理很快，谢谢")
    with page.expect_navigation():
        page.click("#survey-submit")
    assert page.locator("#survey-rating").inner_text() == "4"
    assert "处理很快" in page.locator("#survey-comment").inner_text()
    survey = Survey.objects.get(ticket_id=ticket.pk)
    assert (survey.rating, survey.comment) == (4, "处理很快，谢谢")

    # Reload and try again: the answer stands, there is no form any more.
    page.goto(path)
    assert page.locator("#survey-form").count() == 0

    page.context.clear_cookies()
    log_in(supervisor)
    page.goto("/service/reports/?tab=csat")
    assert page.locator("#csat-percent").inner_text().startswith("100")
    page.wait_for_selector("#chart-csat-trend canvas")
    page.goto(f"/service/tickets/{ticket.pk}/")
    assert page.locator("#survey-rating").inner_text() == "4/5"
    assert page.console_errors == []
