import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kefu.customers.tests.factories import AssetFactory, OrganizationFactory
from kefu.service.models import BusinessCalendar, Ticket, UnderpinningContract, VendorDispatch
from kefu.service.models.sla import BusinessCalendarInterval
from kefu.service.selectors_contracts import vendor_compliance
from kefu.service.services.vendors import (
    underpinning_contract_create,
    vendor_clocks_sweep,
    vendor_dispatch_create,
    vendor_dispatch_resolve,
    vendor_dispatch_respond,
)
from kefu.service.sla.cache import forget

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate()


@pytest.fixture
def vendor(db):
    return OrganizationFactory(name="联想服务 Lenovo Service", is_vendor=True)


@pytest.fixture
def customer(db):
    return OrganizationFactory()


@pytest.fixture
def office_hours(db):
    calendar = BusinessCalendar.objects.create(
        key="vendor-office", name="Vendor office", name_zh_hans="供应商工作时间"
    )
    for weekday in range(5):
        BusinessCalendarInterval.objects.create(
            calendar=calendar, weekday=weekday, start=dt.time(9), end=dt.time(18)
        )
    # Written without the calendar services (which bump ``revision``): drop any compiled
    # calendar an earlier test left under the same id.
    forget()
    return calendar


@pytest.fixture
def make_uc(vendor, admin_user):
    def make(**fields):
        fields.setdefault("vendor_id", vendor.pk)
        fields.setdefault("number", f"UC-{UnderpinningContract.objects.count() + 1}")
        fields.setdefault("name", "硬件保修 Hardware")
        fields.setdefault("start_date", TODAY - dt.timedelta(days=365))
        fields.setdefault("end_date", TODAY + dt.timedelta(days=365))
        fields.setdefault("response_minutes", 120)
        fields.setdefault("resolution_minutes", 8 * 60)
        return underpinning_contract_create(actor=admin_user, **fields)

    return make


def test_dispatch_prefills_the_assets_vendor_and_waits_on_it(
    make_ticket, make_uc, vendor, customer, admin_user
):
    uc = make_uc()
    asset = AssetFactory(organization=customer, vendor=vendor)
    ticket = make_ticket(organization_id=customer.pk, asset_id=asset.pk)
    now = timezone.now()

    dispatch = vendor_dispatch_create(
        actor=admin_user, ticket=ticket, vendor_reference="LNV-778", now=now
    )

    assert dispatch.vendor_id == vendor.pk and dispatch.underpinning_contract_id == uc.pk
    assert dispatch.asset_id == asset.pk
    assert dispatch.response_due_at == now + dt.timedelta(minutes=120)
    assert dispatch.resolution_due_at == now + dt.timedelta(minutes=480)
    stored = Ticket.objects.select_related("status").get(pk=ticket.pk)
    assert (stored.status.key, stored.status_category) == ("waiting_vendor", "waiting")
    assert stored.entries.filter(data__event="vendor_dispatched").exists()


def test_vendor_clock_runs_on_the_contracts_business_calendar(
    make_ticket, make_uc, vendor, customer, admin_user, office_hours
):
    make_uc(calendar_id=office_hours.pk)
    ticket = make_ticket(organization_id=customer.pk)
    friday_late = dt.datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)

    dispatch = vendor_dispatch_create(
        actor=admin_user, ticket=ticket, vendor_id=vendor.pk, now=friday_late
    )

    # One working hour left on Friday, the second on Monday morning.
    assert dispatch.response_due_at == dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
    # 8 working hours: 1 on Friday, 7 on Monday (09:00 + 7 h = 16:00).
    assert dispatch.resolution_due_at == dt.datetime(2026, 11, 23, 16, 0, tzinfo=SHANGHAI)


def test_answer_in_time_is_met_and_late_resolution_is_breached(
    make_ticket, make_uc, vendor, customer, admin_user
):
    make_uc()
    ticket = make_ticket(organization_id=customer.pk)
    start = timezone.now() - dt.timedelta(hours=10)
    dispatch = vendor_dispatch_create(
        actor=admin_user, ticket=ticket, vendor_id=vendor.pk, now=start
    )

    vendor_dispatch_respond(
        actor=admin_user, dispatch=dispatch, note="已派工程师", at=start + dt.timedelta(minutes=90)
    )
    vendor_dispatch_resolve(actor=admin_user, dispatch=dispatch, note="更换主板")

    dispatch.refresh_from_db()
    assert (dispatch.response_state, dispatch.resolution_state) == ("met", "breached")
    assert dispatch.state == "resolved" and dispatch.response_note == "已派工程师"
    stored = Ticket.objects.select_related("status").get(pk=ticket.pk)
    assert stored.status.key == "open"


def test_sweep_marks_overdue_clocks_breached_once(
    make_ticket, make_uc, vendor, customer, admin_user
):
    make_uc()
    ticket = make_ticket(organization_id=customer.pk)
    start = timezone.now() - dt.timedelta(hours=3)
    dispatch = vendor_dispatch_create(
        actor=admin_user, ticket=ticket, vendor_id=vendor.pk, now=start
    )

    first = vendor_clocks_sweep()
    second = vendor_clocks_sweep()
    vendor_dispatch_respond(actor=admin_user, dispatch=dispatch)

    assert (first, second) == (1, 0)
    dispatch.refresh_from_db()
    assert (dispatch.response_state, dispatch.resolution_state) == ("breached", "running")


def test_dispatch_without_a_vendor_is_refused_and_writes_nothing(make_ticket, admin_user, customer):
    ticket = make_ticket(organization_id=customer.pk)
    with pytest.raises(ValidationError) as caught:
        vendor_dispatch_create(actor=admin_user, ticket=ticket)
    assert "vendor_id" in caught.value.message_dict
    assert VendorDispatch.objects.count() == 0
    assert Ticket.objects.select_related("status").get(pk=ticket.pk).status.key == "new"


def test_underpinning_contract_bad_input_is_refused(make_uc, customer):
    with pytest.raises(ValidationError) as caught:
        make_uc(
            vendor_id=customer.pk,
            end_date=TODAY - dt.timedelta(days=400),
            response_minutes=0,
            resolution_minutes=-5,
        )
    errors = caught.value.message_dict
    assert {"vendor_id", "end_date", "response_minutes", "resolution_minutes"} <= set(errors)
    assert UnderpinningContract.objects.count() == 0


def test_compliance_report_counts_met_and_breached_per_vendor_in_the_period(
    make_ticket, make_uc, vendor, customer, admin_user
):
    other = OrganizationFactory(name="戴尔 Dell", is_vendor=True)
    make_uc()
    make_uc(vendor_id=other.pk)
    now = timezone.now()
    start = now - dt.timedelta(days=2)

    def dispatch(to, *, answered_after, resolved_after=None, at=start):
        ticket = make_ticket(organization_id=customer.pk)
        row = vendor_dispatch_create(actor=admin_user, ticket=ticket, vendor_id=to.pk, now=at)
        vendor_dispatch_respond(
            actor=admin_user, dispatch=row, at=at + dt.timedelta(minutes=answered_after)
        )
        if resolved_after is not None:
            vendor_dispatch_resolve(
                actor=admin_user, dispatch=row, at=at + dt.timedelta(minutes=resolved_after)
            )

    dispatch(vendor, answered_after=60, resolved_after=300)  # met, met
    dispatch(vendor, answered_after=180, resolved_after=600)  # breached, breached
    dispatch(other, answered_after=30)  # met, resolution running
    dispatch(vendor, answered_after=10, at=now - dt.timedelta(days=40))  # outside the period

    rows = vendor_compliance(now - dt.timedelta(days=7), now + dt.timedelta(days=1))

    by_vendor = {row["vendor_id"]: row for row in rows}
    assert by_vendor[vendor.pk]["dispatches"] == 2
    assert (by_vendor[vendor.pk]["response_met"], by_vendor[vendor.pk]["response_breached"]) == (
        1,
        1,
    )
    assert (
        by_vendor[vendor.pk]["resolution_met"],
        by_vendor[vendor.pk]["resolution_breached"],
    ) == (1, 1)
    assert by_vendor[vendor.pk]["compliance_percent"] == 50.0
    assert by_vendor[other.pk]["resolution_running"] == 1
    assert by_vendor[other.pk]["compliance_percent"] == 100.0


def test_dispatch_through_the_api(api, make_agent, make_ticket, make_uc, vendor, customer):
    make_uc()
    agent = make_agent()
    ticket = make_ticket(organization_id=customer.pk)

    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/vendor-dispatches",
        data=json.dumps({"vendor_id": vendor.pk, "vendor_reference": "RMA-1"}),
        content_type="application/json",
    )
    bad = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/vendor-dispatches",
        data=json.dumps({"vendor_id": customer.pk}),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["response_state"] == "running"
    assert bad.status_code == 422
    assert VendorDispatch.objects.count() == 1
    report = api(agent).get(
        "/api/v1/reports/vendor-compliance", {"start": str(TODAY), "end": str(TODAY)}
    )
    assert report.status_code == 200
    assert report.json()[0]["dispatches"] == 1


def test_withdrawing_a_dispatch_puts_the_ticket_back_to_work(
    client, make_agent, make_ticket, make_uc, vendor, customer
):
    make_uc()
    agent = make_agent()
    ticket = make_ticket(organization_id=customer.pk)
    dispatch = vendor_dispatch_create(actor=agent, ticket=ticket, vendor_id=vendor.pk)
    assert Ticket.objects.get(pk=ticket.pk).status.key == "waiting_vendor"
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url())
    assert f'id="dispatch-cancel-{dispatch.pk}"' in page.content.decode()

    response = client.post(
        reverse("service:dispatch_cancel", args=[dispatch.pk]), {"note": "客户自行更换了硬盘"}
    )
    assert response.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.state == "cancelled"
    assert dispatch.resolution_note == "客户自行更换了硬盘"
    stored = Ticket.objects.select_related("status").get(pk=ticket.pk)
    assert stored.status_category == "open"
    assert stored.entries.filter(data__event="vendor_cancelled").exists()
    # A second withdrawal is refused with a message and changes nothing.
    again = client.post(reverse("service:dispatch_cancel", args=[dispatch.pk]), follow=True)
    assert "This dispatch is already closed." in again.content.decode()
    # Withdrawn dispatches count neither met nor breached.
    start = timezone.now() - dt.timedelta(days=1)
    end = timezone.now() + dt.timedelta(days=1)
    assert vendor_compliance(start, end) == []


def test_withdrawing_through_the_api_and_permissions(
    api, make_agent, make_user, make_ticket, make_uc, vendor, customer
):
    make_uc()
    agent = make_agent()
    ticket = make_ticket(organization_id=customer.pk)
    dispatch = vendor_dispatch_create(actor=agent, ticket=ticket, vendor_id=vendor.pk)
    outsider = make_user("sales", username="sales-rep")
    url = f"/api/v1/vendor-dispatches/{dispatch.pk}/cancel"
    denied = api(outsider).post(url, data="{}", content_type="application/json")
    assert denied.status_code in (403, 404)
    assert VendorDispatch.objects.get(pk=dispatch.pk).state == "open"
    response = api(agent).post(
        url, data='{"note": "wrong vendor"}', content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "cancelled"
    again = api(agent).post(url, data="{}", content_type="application/json")
    assert again.status_code == 422
    assert again["Content-Type"] == "application/problem+json"
