"""The last-credit race: real concurrent transactions, one connection per thread.

Runs on both databases: on PostgreSQL the conditional UPDATE re-checks ``used + 1 <= allowance``
on the row the winner committed; on SQLite (IMMEDIATE transactions) writers queue at BEGIN.
"""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connections, transaction
from django.utils import timezone

from kefu.customers.tests.factories import OrganizationFactory
from kefu.service.models import Contract, ContractConsumption, Ticket
from kefu.service.services import ticket_create
from kefu.service.services.contracts import contract_create, ticket_contract_attach

TODAY = timezone.localdate()


def _run_concurrently(count: int, work) -> list[Exception]:
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def run(index: int) -> None:
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            work(index)
        except Exception as exc:  # reported by the test; a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_tickets_racing_for_the_last_credit_consume_it_once(desk, admin_user):
    org = OrganizationFactory()
    contract = contract_create(
        actor=admin_user,
        organization_id=org.pk,
        number="RACE-1",
        name="最后一次",
        start_date=TODAY - dt.timedelta(days=1),
        end_date=TODAY + dt.timedelta(days=30),
        service_level="standard",
        allowance=1,
    )
    created: list[int] = []

    def work(index: int) -> None:
        ticket = ticket_create(actor=admin_user, subject=f"抢额度 {index}", organization_id=org.pk)
        created.append(ticket.pk)

    errors = _run_concurrently(2, work)

    assert errors == []
    contract.refresh_from_db()
    assert contract.used_units == 1
    rows = ContractConsumption.objects.filter(contract=contract)
    assert sorted(rows.values_list("units", flat=True)) == [0, 1]
    billable = dict(Ticket.objects.filter(pk__in=created).values_list("pk", "billable"))
    assert sorted(billable.values()) == [False, True]
    covered = rows.get(units=1).ticket_id
    assert billable[covered] is False


@pytest.mark.django_db(transaction=True)
def test_one_ticket_attached_twice_at_once_consumes_once(desk, admin_user):
    org = OrganizationFactory()
    contract = contract_create(
        actor=admin_user,
        organization_id=org.pk,
        number="RACE-2",
        name="重复",
        start_date=TODAY - dt.timedelta(days=1),
        end_date=TODAY + dt.timedelta(days=30),
        service_level="standard",
        allowance=5,
    )
    ticket = ticket_create(actor=admin_user, subject="一次", organization_id=org.pk)
    Contract.objects.filter(pk=contract.pk).update(used_units=0)
    ContractConsumption.objects.all().delete()

    def work(index: int) -> None:
        with transaction.atomic():
            ticket_contract_attach(ticket=Ticket.objects.get(pk=ticket.pk), actor=admin_user)

    errors = _run_concurrently(2, work)

    assert errors == []
    contract.refresh_from_db()
    assert contract.used_units == 1
    assert ContractConsumption.objects.filter(ticket=ticket).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_tickets_racing_for_three_credits_on_postgresql(desk, admin_user):
    org = OrganizationFactory()
    contract = contract_create(
        actor=admin_user,
        organization_id=org.pk,
        number="RACE-3",
        name="三次",
        start_date=TODAY - dt.timedelta(days=1),
        end_date=TODAY + dt.timedelta(days=30),
        service_level="standard",
        allowance=3,
    )

    def work(index: int) -> None:
        ticket_create(actor=admin_user, subject=f"并发 {index}", organization_id=org.pk)

    errors = _run_concurrently(10, work)

    assert errors == []
    contract.refresh_from_db()
    assert contract.used_units == 3
    assert ContractConsumption.objects.filter(contract=contract, units=1).count() == 3
    assert Ticket.objects.filter(organization=org, billable=True).count() == 7
