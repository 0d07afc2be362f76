"""Agents' maintained loads: the ticket triggers, the fold, the recount, the migration's count.

The truth is always a COUNT over the tickets; every test compares the maintained loads with it
after changes made by every kind of write (services, bulk, queryset updates, deletes, a user's
deletion), before and after folding.
"""

import importlib
import random
import threading

import pytest
from django.db import connection, connections

from kefu.service import routing
from kefu.service.choices import ACTIVE_CATEGORIES
from kefu.service.models import AgentLoad, AgentLoadChange, Ticket
from kefu.service.services import (
    ticket_assign,
    ticket_create,
    ticket_merge,
    ticket_transition,
    tickets_bulk_assign,
    tickets_bulk_transition,
)
from kefu.service.services.loads import agent_loads_fold, agent_loads_recount


def _counted(user_ids) -> dict[int, int]:
    """The truth: each user's active tickets counted from the tickets."""
    return {
        pk: Ticket.objects.filter(assignee_id=pk, status_category__in=ACTIVE_CATEGORIES).count()
        for pk in user_ids
    }


def _assert_exact(user_ids) -> None:
    assert routing.agent_loads(user_ids) == _counted(user_ids)


def test_every_kind_of_ticket_write_keeps_the_loads_exact(make_agent, make_ticket, admin_user):
    a, b = make_agent(), make_agent()
    agents = [a.pk, b.pk]
    first = make_ticket(assignee_id=a.pk)
    second = make_ticket(assignee_id=a.pk)
    unassigned = make_ticket()
    assert routing.agent_loads(agents) == {a.pk: 2, b.pk: 0}

    ticket_assign(actor=admin_user, ticket=second, assignee_id=b.pk)
    assert routing.agent_loads(agents) == {a.pk: 1, b.pk: 1}
    ticket_transition(
        actor=admin_user, ticket=first, status_key="resolved", resolution_code="fixed"
    )
    assert routing.agent_loads(agents) == {a.pk: 0, b.pk: 1}
    ticket_transition(actor=admin_user, ticket=first, status_key="open")  # reopened
    ticket_transition(actor=admin_user, ticket=second, status_key="waiting_customer")
    assert routing.agent_loads(agents) == {a.pk: 1, b.pk: 1}  # waiting is still active

    tickets_bulk_assign(actor=admin_user, ticket_ids=[first.pk, unassigned.pk], assignee_id=b.pk)
    assert routing.agent_loads(agents) == {a.pk: 0, b.pk: 3}
    ticket_merge(actor=admin_user, source=unassigned, target=first)  # the source closes
    assert routing.agent_loads(agents) == {a.pk: 0, b.pk: 2}
    tickets_bulk_transition(
        actor=admin_user, ticket_ids=[first.pk], status_key="closed", resolution_code="fixed"
    )
    assert routing.agent_loads(agents) == {a.pk: 0, b.pk: 1}

    Ticket.objects.filter(pk=second.pk).update(assignee_id=a.pk)  # no model code at all
    assert routing.agent_loads(agents) == {a.pk: 1, b.pk: 0}
    Ticket.objects.filter(pk=second.pk).update(subject="只改主题")  # not a load change
    Ticket.objects.filter(pk=second.pk).delete()
    assert routing.agent_loads(agents) == {a.pk: 0, b.pk: 0}
    _assert_exact(agents)


def test_bulk_inserts_count_each_ticket(make_agent, make_ticket):
    """PostgreSQL appends one change per agent and statement; the load counts every row."""
    a, b = make_agent(), make_agent()
    template = make_ticket()
    rows = []
    for index in range(30):
        row = Ticket.objects.get(pk=template.pk)
        row.pk = row.id = None
        row.number = f"BULK-{index}"
        row.assignee_id = (a.pk, b.pk, None)[index % 3]
        row.status_category = ("open", "new", "resolved", "waiting", "closed")[index % 5]
        rows.append(row)
    Ticket.objects.bulk_create(rows)
    _assert_exact([a.pk, b.pk])
    assert routing.agent_loads([a.pk, b.pk]) == {a.pk: 6, b.pk: 6}


def test_the_fold_moves_changes_into_totals_and_keeps_every_load(make_agent, make_ticket):
    agents = [make_agent() for _ in range(4)]
    ids = [agent.pk for agent in agents]
    rng = random.Random(7)
    tickets = [make_ticket(assignee_id=rng.choice(ids)) for _ in range(20)]
    before = routing.agent_loads(ids)
    assert before == _counted(ids)
    assert AgentLoadChange.objects.exists()

    changed = agent_loads_fold()

    assert changed == len({t.assignee_id for t in tickets})
    assert not AgentLoadChange.objects.exists()
    assert routing.agent_loads(ids) == before
    assert dict(AgentLoad.objects.filter(user_id__in=ids).values_list("user_id", "active")) == {
        pk: count for pk, count in before.items() if count
    }
    # Changes after a fold add to the totals; a second fold with nothing to do changes nothing.
    for ticket in tickets[:7]:
        Ticket.objects.filter(pk=ticket.pk).update(assignee_id=rng.choice(ids))
    Ticket.objects.filter(pk__in=[t.pk for t in tickets[7:12]]).update(status_category="closed")
    _assert_exact(ids)
    agent_loads_fold()
    assert agent_loads_fold() == 0
    _assert_exact(ids)


def test_a_deleted_users_total_goes_at_the_next_fold(make_agent, make_ticket):
    leaving, staying = make_agent(), make_agent()
    make_ticket(assignee_id=leaving.pk)
    make_ticket(assignee_id=staying.pk)
    agent_loads_fold()
    assert AgentLoad.objects.filter(user_id=leaving.pk).exists()

    gone = leaving.pk
    leaving.delete()  # the ticket is unassigned (SET_NULL): a -1 change

    agent_loads_fold()
    assert not AgentLoad.objects.filter(user_id=gone).exists()
    assert AgentLoad.objects.get(user_id=staying.pk).active == 1


def test_the_recount_repairs_totals_changed_behind_the_triggers(make_agent, make_ticket):
    a, b = make_agent(), make_agent()
    for agent, count in ((a, 3), (b, 1)):
        for _ in range(count):
            make_ticket(assignee_id=agent.pk)
    agent_loads_fold()
    AgentLoad.objects.filter(user_id=a.pk).update(active=40)  # as a bad restore might leave it
    AgentLoadChange.objects.create(user_id=b.pk, delta=5)

    assert agent_loads_recount() >= 2

    assert not AgentLoadChange.objects.exists()
    assert routing.agent_loads([a.pk, b.pk]) == {a.pk: 3, b.pk: 1}


class _Editor:
    """What the migration's functions use of a schema editor, on the test's connection."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_migration_counts_existing_tickets_and_installs_working_triggers(
    make_agent, make_ticket
):
    migration = importlib.import_module("kefu.service.migrations.0010_agent_loads")
    editor = _Editor()
    a, b = make_agent(), make_agent()
    migration.drop_triggers(None, editor)
    AgentLoad.objects.all().delete()
    AgentLoadChange.objects.all().delete()
    for agent, count in ((a, 2), (b, 1)):
        for _ in range(count):
            make_ticket(assignee_id=agent.pk)
    assert not AgentLoadChange.objects.exists()  # no triggers: as before the migration

    migration.create_triggers(None, editor)

    assert dict(AgentLoad.objects.values_list("user_id", "active")) == {a.pk: 2, b.pk: 1}
    make_ticket(assignee_id=b.pk)
    assert routing.agent_loads([a.pk, b.pk]) == {a.pk: 2, b.pk: 2}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_reassignments_and_folds_lose_no_change(desk, admin_user, make_agent):
    """Twelve writers move tickets between the same agents while folds run: no write waits on
    a counter row, and the loads end exact."""
    agents = [make_agent(desk) for _ in range(3)]
    ids = [agent.pk for agent in agents]
    tickets = [
        ticket_create(actor=admin_user, subject=f"并发 {n}", assignee_id=ids[n % 3])
        for n in range(12)
    ]
    barrier = threading.Barrier(13)
    errors = []

    def reassign(index: int) -> None:
        try:
            barrier.wait()
            rng = random.Random(index)
            for _ in range(10):
                ticket = Ticket.objects.get(pk=tickets[index].pk)
                ticket_assign(actor=admin_user, ticket=ticket, assignee_id=rng.choice(ids))
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    def fold() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                agent_loads_fold()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reassign, args=(i,)) for i in range(12)]
    threads.append(threading.Thread(target=fold))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    _assert_exact(ids)
    agent_loads_fold()
    assert not AgentLoadChange.objects.exists()
    assert dict(AgentLoad.objects.filter(user_id__in=ids).values_list("user_id", "active")) == {
        pk: count for pk, count in _counted(ids).items() if count
    }


def test_the_command_folds_and_recounts(make_agent, make_ticket):
    from io import StringIO

    from django.core.management import call_command

    agent = make_agent()
    make_ticket(assignee_id=agent.pk)
    out = StringIO()
    call_command("agent_loads", stdout=out)
    assert "folded: 1 agents" in out.getvalue()
    assert not AgentLoadChange.objects.exists()
    AgentLoad.objects.filter(user_id=agent.pk).update(active=9)
    call_command("agent_loads", "--recount", stdout=out)
    assert "recounted:" in out.getvalue()
    assert AgentLoad.objects.get(user_id=agent.pk).active == 1


def test_the_triggers_active_categories_are_the_codes():
    """The triggers write the active categories out; changing them needs new triggers."""
    migration = importlib.import_module("kefu.service.migrations.0010_agent_loads")
    written = "('new', 'open', 'waiting')"
    assert tuple(str(c) for c in ACTIVE_CATEGORIES) == ("new", "open", "waiting")
    for statement in [*migration.SQLITE, *migration.POSTGRESQL[:2], migration.BACKFILL]:
        assert written in statement


def test_the_minutes_job_folds(make_agent, make_ticket):
    from kefu.service import tasks

    agent = make_agent()
    make_ticket(assignee_id=agent.pk)
    tasks.agent_loads_fold.call_local()
    assert not AgentLoadChange.objects.exists()
    assert AgentLoad.objects.get(user_id=agent.pk).active == 1
