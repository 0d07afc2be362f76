import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from kefu.customers.models import TimelineEvent
from kefu.customers.tests.factories import AssetFactory, OrganizationFactory, SiteFactory
from kefu.service.models import Contract, ContractConsumption, ContractThresholdNotice, Ticket
from kefu.service.services import ticket_note_add, ticket_reply_add, ticket_transition
from kefu.service.services.contracts import (
    contract_create,
    contract_service_level_for_ticket,
    contract_update,
)

TODAY = timezone.localdate()


@pytest.fixture
def org(make_user):
    owner = make_user("sales", username="owner", email="owner@example.cn")
    return OrganizationFactory(owner=owner)


@pytest.fixture
def make_contract(org, admin_user):
    counter = iter(range(1, 1000))

    def make(**fields):
        fields.setdefault("organization_id", org.pk)
        fields.setdefault("number", f"C-{next(counter):04d}")
        fields.setdefault("name", "维护合同 Maintenance")
        fields.setdefault("start_date", TODAY - dt.timedelta(days=30))
        fields.setdefault("end_date", TODAY + dt.timedelta(days=335))
        fields.setdefault("service_level", "gold")
        fields.setdefault("allowance", 10)
        return contract_create(actor=admin_user, **fields)

    return make


def _resolve(ticket, user, code="fixed"):
    return ticket_transition(actor=user, ticket=ticket, status_key="resolved", resolution_code=code)


def test_new_ticket_attaches_the_contract_and_consumes_one_call(make_contract, make_ticket, org):
    contract = make_contract(allowance=10)

    ticket = make_ticket(organization_id=org.pk)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.contract_id == contract.pk
    assert stored.billable is False
    contract.refresh_from_db()
    assert contract.used_units == 1
    row = ContractConsumption.objects.get(ticket=ticket)
    assert (row.contract_id, row.kind, row.units, row.overage_units) == (
        contract.pk,
        "ticket",
        1,
        0,
    )
    assert contract_service_level_for_ticket(stored) == "gold"


def test_on_resolution_contract_consumes_only_when_resolved_and_only_once(
    make_contract, make_ticket, org, admin_user
):
    contract = make_contract(allowance=5, consume_on="resolved")
    ticket = make_ticket(organization_id=org.pk)
    contract.refresh_from_db()
    assert contract.used_units == 0

    _resolve(ticket, admin_user)
    ticket_transition(actor=admin_user, ticket=ticket, status_key="open")
    _resolve(ticket, admin_user)

    contract.refresh_from_db()
    assert contract.used_units == 1
    assert ContractConsumption.objects.filter(ticket=ticket).count() == 1


def test_duplicate_resolution_does_not_consume(make_contract, make_ticket, org, admin_user):
    contract = make_contract(allowance=5, consume_on="resolved")
    ticket = make_ticket(organization_id=org.pk)

    _resolve(ticket, admin_user, code="duplicate")

    contract.refresh_from_db()
    assert contract.used_units == 0


def test_only_listed_ticket_types_consume(make_contract, make_ticket, org):
    contract = make_contract(allowance=5, ticket_types=["incident"])

    question = make_ticket(organization_id=org.pk, ticket_type="question")
    incident = make_ticket(organization_id=org.pk, ticket_type="incident")

    contract.refresh_from_db()
    assert contract.used_units == 1
    assert list(ContractConsumption.objects.values_list("ticket_id", flat=True)) == [incident.pk]
    assert Ticket.objects.get(pk=question.pk).contract_id == contract.pk


def test_hours_contract_consumes_logged_minutes(make_contract, make_ticket, org, admin_user):
    contract = make_contract(allowance_unit="hours", allowance="1.5")
    assert contract.allowance_units == 90
    ticket = make_ticket(organization_id=org.pk)

    ticket_reply_add(actor=admin_user, ticket=ticket, body="已远程处理", time_spent_minutes=30)
    ticket_note_add(actor=admin_user, ticket=ticket, body="查日志", time_spent_minutes=20)
    contract.refresh_from_db()
    assert contract.used_units == 30  # the note's time is settled at resolution

    _resolve(ticket, admin_user)
    contract.refresh_from_db()
    assert contract.used_units == 50
    assert sorted(ContractConsumption.objects.values_list("units", flat=True)) == [20, 30]
    assert Ticket.objects.get(pk=ticket.pk).billable is False


def test_hours_beyond_the_allowance_are_partly_covered_and_billable(
    make_contract, make_ticket, org, admin_user
):
    contract = make_contract(allowance_unit="hours", allowance=1)
    ticket = make_ticket(organization_id=org.pk)

    ticket_reply_add(actor=admin_user, ticket=ticket, body="大修", time_spent_minutes=100)

    contract.refresh_from_db()
    assert contract.used_units == 60
    row = ContractConsumption.objects.get(ticket=ticket)
    assert (row.units, row.overage_units) == (60, 40)
    assert Ticket.objects.get(pk=ticket.pk).billable is True


def test_exhausted_contract_marks_new_ticket_billable_but_creates_it(
    make_contract, make_ticket, org
):
    contract = make_contract(allowance=1)
    make_ticket(organization_id=org.pk)

    ticket = make_ticket(organization_id=org.pk)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.contract_id == contract.pk
    assert stored.billable is True
    row = ContractConsumption.objects.get(ticket=ticket)
    assert (row.units, row.overage_units) == (0, 1)
    contract.refresh_from_db()
    assert contract.used_units == 1


def test_expired_contract_marks_ticket_billable_without_contract(make_contract, make_ticket, org):
    make_contract(start_date=TODAY - dt.timedelta(days=400), end_date=TODAY - dt.timedelta(days=1))

    ticket = make_ticket(organization_id=org.pk)

    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.contract_id, stored.billable) == (None, True)
    assert ContractConsumption.objects.count() == 0


def test_organization_without_contracts_is_not_billable(make_ticket, org):
    ticket = make_ticket(organization_id=org.pk)

    assert (Ticket.objects.get(pk=ticket.pk).billable, ticket.contract_id) == (False, None)


def test_site_and_asset_limited_contracts_win_over_organization_wide(
    make_contract, make_ticket, org
):
    site = SiteFactory(organization=org)
    other_site = SiteFactory(organization=org)
    asset = AssetFactory(organization=org, site=site)
    wide = make_contract(number="WIDE")
    by_site = make_contract(number="SITE", site_ids=[site.pk])
    by_asset = make_contract(number="ASSET", asset_ids=[asset.pk])

    at_site = make_ticket(organization_id=org.pk, site_id=site.pk)
    on_asset = make_ticket(organization_id=org.pk, site_id=site.pk, asset_id=asset.pk)
    elsewhere = make_ticket(organization_id=org.pk, site_id=other_site.pk)

    assert Ticket.objects.get(pk=at_site.pk).contract_id == by_site.pk
    assert Ticket.objects.get(pk=on_asset.pk).contract_id == by_asset.pk
    assert Ticket.objects.get(pk=elsewhere.pk).contract_id == wide.pk


def test_thresholds_notify_the_owner_once_and_leave_a_sales_follow_up(
    make_contract, make_ticket, org, django_capture_on_commit_callbacks
):
    contract = make_contract(allowance=5)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            make_ticket(organization_id=org.pk)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(organization_id=org.pk)  # 4 of 5: 80 %
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(organization_id=org.pk)  # 5 of 5: 100 %
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(organization_id=org.pk)  # over: billable, no new notice

    assert sorted(
        ContractThresholdNotice.objects.filter(contract=contract).values_list(
            "threshold", flat=True
        )
    ) == [80, 100]
    assert [m.to for m in mail.outbox] == [["owner@example.cn"], ["owner@example.cn"]]
    assert "80%" in mail.outbox[0].subject and contract.number in mail.outbox[0].subject
    follow_ups = TimelineEvent.objects.filter(organization=org, verb="contract_threshold").order_by(
        "id"
    )
    assert [e.data["threshold"] for e in follow_ups] == [80, 100]
    assert [e.data["follow_up"] for e in follow_ups] == ["upsell", "renewal"]
    assert follow_ups[0].kind == "contract"


def test_contract_ending_before_it_starts_is_refused_and_nothing_saved(org, admin_user):
    with pytest.raises(ValidationError) as caught:
        contract_create(
            actor=admin_user,
            organization_id=org.pk,
            number="BAD-1",
            name="坏合同",
            start_date=TODAY,
            end_date=TODAY - dt.timedelta(days=1),
            service_level="gold",
            allowance=-3,
        )

    errors = caught.value.message_dict
    assert "end_date" in errors and "allowance" in errors
    assert Contract.objects.count() == 0


def test_allowance_cannot_drop_below_what_was_used(make_contract, make_ticket, org, admin_user):
    contract = make_contract(allowance=3)
    make_ticket(organization_id=org.pk)
    make_ticket(organization_id=org.pk)

    with pytest.raises(ValidationError) as caught:
        contract_update(actor=admin_user, contract=contract, allowance=1)

    assert "allowance" in caught.value.message_dict
    contract.refresh_from_db()
    assert contract.allowance_units == 3


def test_vendor_cannot_hold_a_customer_contract(admin_user):
    vendor = OrganizationFactory(is_vendor=True)
    with pytest.raises(ValidationError) as caught:
        contract_create(
            actor=admin_user,
            organization_id=vendor.pk,
            number="V-1",
            name="x",
            start_date=TODAY,
            end_date=TODAY,
            service_level="gold",
            allowance=1,
        )
    assert "organization_id" in caught.value.message_dict


def test_contract_usage_report_sums_the_period(make_contract, make_ticket, org):
    from kefu.service.selectors_contracts import contract_usage

    contract = make_contract(allowance=2)
    for _ in range(3):
        make_ticket(organization_id=org.pk)
    now = timezone.now()

    rows = contract_usage(now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    before = contract_usage(now - dt.timedelta(days=9), now - dt.timedelta(days=8))

    assert before == []
    assert len(rows) == 1
    row = rows[0]
    assert (row["contract_id"], row["units"], row["overage_units"], row["tickets"]) == (
        contract.pk,
        2,
        1,
        3,
    )
    assert row["used_percent"] == 100


def test_sla_engine_sees_the_contract_service_level(make_contract, make_ticket, org):
    from kefu.service.sla.policies import service_level_for

    make_contract(service_level="platinum")
    ticket = make_ticket(organization_id=org.pk)
    unrelated = make_ticket()

    assert service_level_for(Ticket.objects.get(pk=ticket.pk)) == "platinum"
    assert service_level_for(Ticket.objects.get(pk=unrelated.pk)) is None


def test_moving_a_ticket_to_the_organization_attaches_its_contract(
    make_contract, make_ticket, org, admin_user
):
    from kefu.service.services import ticket_update

    contract = make_contract(allowance=3)
    ticket = make_ticket()
    assert Ticket.objects.get(pk=ticket.pk).contract_id is None

    ticket_update(actor=admin_user, ticket=ticket, version=ticket.version, organization_id=org.pk)

    assert Ticket.objects.get(pk=ticket.pk).contract_id == contract.pk
    contract.refresh_from_db()
    assert contract.used_units == 1


def test_merging_a_duplicate_gives_its_call_back_once(make_contract, make_ticket, org, admin_user):
    from kefu.service.services import ticket_merge

    contract = make_contract(allowance=5)
    original = make_ticket(organization_id=org.pk)
    duplicate = make_ticket(organization_id=org.pk)
    contract.refresh_from_db()
    assert contract.used_units == 2

    ticket_merge(actor=admin_user, source=duplicate, target=original)

    contract.refresh_from_db()
    assert contract.used_units == 1
    refund = ContractConsumption.objects.get(ticket=duplicate, kind="refund")
    assert refund.units == 1 and refund.created_by == admin_user
