"""Contracts in a real browser: a supervisor creates a prepaid contract (a bad date first, which
the form refuses with a field error), a ticket of the customer uses a credit, and the agent sees
the balance on the ticket page and the consumption on the contract page."""

import datetime as dt

import pytest
from django.utils import timezone

from kefu.customers.tests.factories import OrganizationFactory, SiteFactory
from kefu.service.models import Contract, Ticket
from kefu.service.services import ticket_create
from tests.browser.conftest import chromium, log_in, page  # noqa: F401  (pytest fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector):  # noqa: F811
    with page.expect_navigation():
        page.click(selector)


def test_supervisor_sells_a_contract_and_the_agent_sees_its_balance(
    page,  # noqa: F811
    log_in,  # noqa: F811
    make_user,
    make_agent,
    admin_user,
):
    org = OrganizationFactory(name="全家便利店 FamilyMart")
    site = SiteFactory(organization=org, name="徐家汇店")
    supervisor = make_user("supervisor", username="browser-supervisor")
    log_in(supervisor)
    today = timezone.localdate()

    page.goto("/service/contracts/")
    _submit(page, "#contract-new")
    # The organization is found by typing part of its name (the lookup never lists all).
    with page.expect_response(lambda r: "/customers/lookup/organization/" in r.url):
        page.fill("#field-organization .lookup-q", "FamilyMart")
    page.wait_for_selector(f"#id_organization option[value='{org.pk}']", state="attached")
    page.select_option("#id_organization", str(org.pk))
    # The organization's sites replace the empty picker (htmx, on the organization's change).
    box = f"#id_sites input[value='{site.pk}']"
    page.wait_for_selector(box)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.check(box)
    # Choosing the organization again refreshes the pickers and keeps the tick.
    with page.expect_response(lambda r: "/service/contracts/scope/" in r.url):
        page.select_option("#id_organization", str(org.pk))
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.fill("#id_number", "FM-2026")
    page.fill("#id_name", "全年维护 10 次")
    page.fill("#id_start_date", str(today))
    page.fill("#id_end_date", str(today - dt.timedelta(days=1)))
    page.fill("#id_service_level", "gold")
    page.fill("#id_allowance", "10")
    assert page.is_checked(box)
    _submit(page, "#contract-form button[type=submit]")
    assert "The contract cannot end before it starts." in page.content()
    assert page.is_checked(box)  # kept with the refused form
    assert not Contract.objects.filter(number="FM-2026").exists()

    page.fill("#id_end_date", str(today + dt.timedelta(days=364)))
    _submit(page, "#contract-form button[type=submit]")
    contract = Contract.objects.get(number="FM-2026")
    assert page.url.endswith(contract.get_absolute_url())
    assert list(contract.sites.values_list("pk", flat=True)) == [site.pk]
    assert page.locator("#contract-remaining").inner_text().strip() == "10"

    ticket = ticket_create(
        actor=admin_user, subject="冷柜温度报警", organization_id=org.pk, site_id=site.pk
    )
    assert Ticket.objects.get(pk=ticket.pk).contract_id == contract.pk

    agent = make_agent(username="browser-contract-agent")
    page.context.clear_cookies()
    log_in(agent)
    page.goto(ticket.get_absolute_url())
    panel = page.locator("#contract-panel")
    assert "FM-2026" in panel.inner_text()
    assert panel.locator("#contract-remaining").inner_text().startswith("9 / 10")
    assert page.locator("#billable-warning").count() == 0

    page.goto(contract.get_absolute_url())
    assert ticket.number in page.locator("#contract-consumptions").inner_text()
