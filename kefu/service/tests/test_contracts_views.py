import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.customers.tests.factories import OrganizationFactory
from kefu.service.models import Contract, Ticket, VendorDispatch
from kefu.service.services.contracts import contract_create
from kefu.service.services.vendors import underpinning_contract_create

TODAY = timezone.localdate()


@pytest.fixture
def org(db):
    return OrganizationFactory(name="星巴克上海 Starbucks Shanghai")


@pytest.fixture
def contract(org, admin_user):
    return contract_create(
        actor=admin_user,
        organization_id=org.pk,
        number="C-VIEW",
        name="门店维护",
        start_date=TODAY - dt.timedelta(days=10),
        end_date=TODAY + dt.timedelta(days=100),
        service_level="gold",
        allowance=1,
    )


def _form(org, **fields):
    data = {
        "organization": org.pk,
        "number": "C-FORM",
        "name": "表单合同",
        "start_date": str(TODAY),
        "end_date": str(TODAY + dt.timedelta(days=30)),
        "service_level": "standard",
        "coverage": "both",
        "hours": "24x7",
        "allowance_unit": "tickets",
        "allowance": "12",
        "consume_on": "created",
        "thresholds": "80,100",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    ("role", "list_status", "new_status"),
    [("agent", 200, 403), ("supervisor", 200, 200), ("admin", 200, 200)],
)
def test_permission_matrix_for_staff(client, make_user, contract, role, list_status, new_status):
    client.force_login(make_user(role))

    assert client.get(reverse("service:contract_list")).status_code == list_status
    assert client.get(contract.get_absolute_url()).status_code == list_status
    assert client.get(reverse("service:contract_new")).status_code == new_status
    assert client.get(reverse("service:contract_edit", args=[contract.pk])).status_code == (
        new_status
    )


def test_customers_and_anonymous_see_no_contract(client, make_user, contract):
    anonymous = client.get(contract.get_absolute_url())
    client.force_login(make_user(None, username="portal-customer"))
    customer = client.get(contract.get_absolute_url())

    assert anonymous.status_code == 302
    assert customer.status_code == 403


def test_agent_cannot_post_a_contract(client, agent, org):
    client.force_login(agent)
    response = client.post(reverse("service:contract_new"), _form(org))
    assert response.status_code == 403
    assert not Contract.objects.filter(number="C-FORM").exists()


def test_supervisor_creates_a_contract_through_the_form(client, supervisor, org):
    client.force_login(supervisor)
    response = client.post(reverse("service:contract_new"), _form(org))

    created = Contract.objects.get(number="C-FORM")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.allowance_units, created.hours) == (12, "24x7")


def test_form_shows_field_errors_and_saves_nothing(client, supervisor, org):
    client.force_login(supervisor)
    response = client.post(
        reverse("service:contract_new"),
        _form(org, end_date=str(TODAY - dt.timedelta(days=1)), allowance="-1"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "end_date" in errors and "allowance" in errors
    assert not Contract.objects.filter(number="C-FORM").exists()


def test_ticket_page_shows_balance_and_billable_warning(
    client, make_agent, make_ticket, contract, org
):
    covered = make_ticket(organization_id=org.pk)
    billable = make_ticket(organization_id=org.pk)
    client.force_login(make_agent(username="panel-agent"))

    covered_page = client.get(covered.get_absolute_url()).content.decode()
    billable_page = client.get(billable.get_absolute_url()).content.decode()

    assert 'id="contract-panel"' in covered_page and "C-VIEW" in covered_page
    assert 'id="billable-warning"' in billable_page
    assert Ticket.objects.get(pk=billable.pk).billable is True


def test_contract_page_lists_the_consumption_history(client, agent, make_ticket, contract, org):
    ticket = make_ticket(organization_id=org.pk)
    client.force_login(agent)

    page = client.get(contract.get_absolute_url()).content.decode()

    assert ticket.number in page and 'id="contract-consumptions"' in page


def test_organization_page_has_a_contracts_panel(client, agent, contract, org):
    client.force_login(agent)
    page = client.get(reverse("customers:organization_detail", args=[org.pk])).content.decode()
    assert 'id="service-contracts-panel"' in page and "C-VIEW" in page


def test_agent_dispatches_from_the_ticket_page(client, make_agent, make_ticket, org, admin_user):
    vendor = OrganizationFactory(is_vendor=True, name="惠普 HP")
    underpinning_contract_create(
        actor=admin_user,
        vendor_id=vendor.pk,
        number="UC-V",
        name="HP",
        start_date=TODAY,
        end_date=TODAY,
        response_minutes=60,
        resolution_minutes=240,
    )
    ticket = make_ticket(organization_id=org.pk)
    client.force_login(make_agent(username="dispatching-agent"))

    response = client.post(
        reverse("service:ticket_dispatch", args=[ticket.pk]),
        {"vendor": vendor.pk, "vendor_reference": "HP-42"},
    )

    assert response.status_code == 302
    dispatch = VendorDispatch.objects.get(ticket=ticket)
    assert dispatch.vendor_reference == "HP-42" and dispatch.response_due_at is not None
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert f'id="dispatch-{dispatch.pk}"' in page
    client.post(reverse("service:dispatch_respond", args=[dispatch.pk]), {"note": "收到"})
    dispatch.refresh_from_db()
    assert dispatch.response_state == "met"


@pytest.mark.parametrize("name", ["service:uc_list", "service:uc_new", "service:vendor_compliance"])
def test_vendor_pages_render_for_a_supervisor_in_chinese(client, supervisor, name):
    client.force_login(supervisor)
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200


# --- A contract's sites and assets: picked from the organization's, never typed as ids ------


@pytest.fixture
def scope(org):
    from kefu.customers.tests.factories import AssetFactory, SiteFactory

    other = OrganizationFactory(name="别家 Other")
    return {
        "sites": [SiteFactory(organization=org, name=n) for n in ("静安店", "徐汇店")],
        "asset": AssetFactory(organization=org, serial_number="SN-OURS"),
        "foreign_site": SiteFactory(organization=other, name="别家门店"),
        "foreign_asset": AssetFactory(organization=other, serial_number="SN-THEIRS"),
    }


def test_new_contract_limited_to_ticked_sites_and_assets(client, supervisor, org, scope):
    client.force_login(supervisor)
    site = scope["sites"][1]
    response = client.post(
        reverse("service:contract_new"),
        _form(org, number="C-SCOPE", sites=[site.pk], assets=[scope["asset"].pk]),
    )
    assert response.status_code == 302
    contract = Contract.objects.get(number="C-SCOPE")
    assert list(contract.sites.values_list("pk", flat=True)) == [site.pk]
    assert list(contract.assets.values_list("pk", flat=True)) == [scope["asset"].pk]

    page = client.get(reverse("service:contract_edit", args=[contract.pk])).content.decode()
    assert "静安店" in page and "徐汇店" in page and "SN-OURS" in page
    assert "别家门店" not in page and "SN-THEIRS" not in page  # only the organization's
    assert f'value="{site.pk}"' in page and "checked" in page


def test_another_organizations_site_is_refused_and_nothing_is_written(
    client, supervisor, org, scope
):
    client.force_login(supervisor)
    response = client.post(
        reverse("service:contract_new"),
        _form(org, number="C-FOREIGN", sites=[scope["foreign_site"].pk]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["sites"]
    assert not Contract.objects.filter(number="C-FOREIGN").exists()


def test_the_pickers_follow_the_chosen_organization(client, supervisor, make_user, org, scope):
    client.force_login(supervisor)
    url = reverse("service:contract_scope")
    fragment = client.get(url, {"organization": org.pk}).content.decode()
    assert fragment.count('hx-swap-oob="true"') == 2
    assert 'id="field-sites"' in fragment and 'id="field-assets"' in fragment
    assert "静安店" in fragment and "别家门店" not in fragment
    ticked = client.get(
        url, {"organization": org.pk, "sites": [scope["sites"][0].pk, scope["foreign_site"].pk]}
    ).content.decode()
    assert ticked.count("checked") == 1  # the organization's site stays ticked, no other
    empty = client.get(url, {"organization": "x"}).content.decode()
    assert "Choose the organization first." in empty

    client.force_login(make_user("agent"))
    assert client.get(url, {"organization": org.pk}).status_code == 403
