"""SLA clocks driven by real ticket changes, the sweep's exactly-once escalations, bad input."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kefu.service.models import (
    BusinessCalendar,
    SlaClock,
    SlaFiredLevel,
    SlaPolicy,
    Ticket,
)
from kefu.service.services import sla as sla_services
from kefu.service.services.conversation import ticket_reply_add
from kefu.service.services.lifecycle import ticket_transition
from kefu.service.services.tickets import ticket_update
from kefu.service.sla import cache
from kefu.service.sla.sweep import sla_claim, sla_sweep

T = dt.time


@pytest.fixture
def policy(desk, admin_user, make_user):
    cache.forget()
    SlaPolicy.objects.update(is_active=False)
    calendar = sla_services.calendar_save(
        actor=admin_user,
        key="always",
        name="Always",
        time_zone="UTC",
        is_24x7=True,
        intervals=[],
    )
    manager = make_user("agent", username="sla-manager", phone="+8613800000001")
    return sla_services.policy_save(
        actor=admin_user,
        name="Gold",
        calendar_id=calendar.pk,
        order=1,
        warn_percent=50,
        targets={
            3: {
                "first_response_minutes": 60,
                "next_response_minutes": 30,
                "resolution_minutes": 240,
            },
            2: {"first_response_minutes": 30, "resolution_minutes": 120},
        },
        levels=[
            {
                "metric": "first_response",
                "level": 1,
                "offset_minutes": 0,
                "recipients": ["assignee"],
            },
            {
                "metric": "first_response",
                "level": 2,
                "offset_minutes": 30,
                "notify_sms": True,
                "user_ids": [manager.pk],
                "add_followers": True,
                "raise_priority": True,
            },
        ],
    )


def _clock(ticket, metric="first_response"):
    return SlaClock.objects.get(ticket=ticket, metric=metric)


def test_created_ticket_gets_first_response_and_resolution_clocks(policy, make_ticket):
    ticket = make_ticket(priority=3)
    clocks = {c.metric: c for c in SlaClock.objects.filter(ticket=ticket)}
    assert set(clocks) == {"first_response", "resolution"}
    first = clocks["first_response"]
    assert first.state == "running" and first.policy_id == policy.pk
    assert first.due_at == first.started_at + dt.timedelta(minutes=60)
    assert first.next_action_at == first.started_at + dt.timedelta(minutes=30)  # 50 % warning


def test_waiting_pauses_and_agent_reply_meets_first_response(policy, make_ticket, admin_user):
    ticket = make_ticket(priority=3)
    ticket = ticket_transition(actor=admin_user, ticket=ticket, status_key="waiting_customer")
    first = _clock(ticket)
    assert first.state == "paused" and first.due_at is None and first.next_action_at is None
    assert first.pauses[0][1] is None
    ticket = ticket_transition(actor=admin_user, ticket=ticket, status_key="open")
    first = _clock(ticket)
    assert first.state == "running" and first.pauses[0][1] is not None
    ticket_reply_add(
        actor=admin_user, ticket=Ticket.objects.get(pk=ticket.pk), body="我们正在处理。"
    )
    first = _clock(ticket)
    assert first.state == "met" and first.stopped_at is not None and first.next_action_at is None
    assert SlaClock.objects.filter(ticket=ticket, metric="update").count() == 0  # no target


def test_customer_reply_starts_next_response(policy, make_ticket, admin_user):
    ticket = make_ticket(priority=3, requester_email="wang@example.cn", requester_name="王芳")
    ticket_reply_add(actor=admin_user, ticket=ticket, body="收到")
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket_reply_add(
        actor=None, ticket=ticket, body="还是不行", author_contact_id=ticket.requester_id
    )
    nxt = _clock(ticket, "next_response")
    assert nxt.state == "running" and nxt.cycle == 1
    assert nxt.due_at == nxt.started_at + dt.timedelta(minutes=30)
    ticket_reply_add(actor=admin_user, ticket=Ticket.objects.get(pk=ticket.pk), body="请重启")
    assert _clock(ticket, "next_response").state == "met"
    ticket_reply_add(
        actor=None,
        ticket=Ticket.objects.get(pk=ticket.pk),
        body="好了吗",
        author_contact_id=ticket.requester_id,
    )
    assert _clock(ticket, "next_response").cycle == 2


def test_priority_change_recomputes_targets(policy, make_ticket, admin_user):
    ticket = make_ticket(priority=3)
    ticket_update(actor=admin_user, ticket=ticket, version=ticket.version, priority=2)
    first = _clock(ticket)
    assert first.target_seconds == 30 * 60
    assert first.due_at == first.started_at + dt.timedelta(minutes=30)


def test_resolving_stops_and_reopening_resumes_resolution(policy, make_ticket, admin_user):
    ticket = make_ticket(priority=3, requester_email="zhao@example.cn")
    ticket = ticket_transition(
        actor=admin_user, ticket=ticket, status_key="resolved", resolution_code="fixed"
    )
    assert _clock(ticket, "resolution").state == "met"
    ticket_reply_add(
        actor=None,
        ticket=Ticket.objects.get(pk=ticket.pk),
        body="又坏了",
        author_contact_id=ticket.requester_id,
    )
    resolution = _clock(ticket, "resolution")
    assert resolution.state == "running" and resolution.stopped_at is None
    assert len(resolution.pauses) == 1


# --- the sweep -----------------------------------------------------------------------------------
def test_sweep_twice_fires_each_level_once_and_catches_up(policy, make_ticket, admin_user):
    ticket = make_ticket(priority=3, assignee_id=None)
    started = _clock(ticket).started_at
    later = started + dt.timedelta(hours=3)  # warning, level 1 and level 2 are all overdue
    first = sla_sweep(now=later)
    second = sla_sweep(now=later)
    fired = SlaFiredLevel.objects.filter(clock__ticket=ticket, clock__metric="first_response")
    assert sorted(fired.values_list("level", flat=True)) == [0, 1, 2]
    assert first["fired"] >= 3 and second["fired"] == 0
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.priority == 2  # raised once, not twice
    assert ticket.followers.filter(username="sla-manager").exists()
    clock = _clock(ticket)
    assert clock.state == "breached" and clock.claim_token == "" and clock.next_action_at is None


def test_stale_lease_after_a_crash_fires_once(policy, make_ticket):
    ticket = make_ticket(priority=3)
    clock = _clock(ticket)
    now = clock.started_at + dt.timedelta(minutes=45)
    # A worker claims, then dies before processing: its lease blocks others until it expires.
    assert clock.pk in sla_claim(now=now, token="dead-worker")
    assert sla_sweep(now=now)["claimed"] == 0
    assert not SlaFiredLevel.objects.filter(clock=clock).exists()
    after = now + dt.timedelta(minutes=5)
    assert sla_sweep(now=after)["fired"] == 1  # the warning, once
    assert sla_sweep(now=after)["fired"] == 0
    assert list(SlaFiredLevel.objects.filter(clock=clock).values_list("level", flat=True)) == [0]


def test_lost_lease_worker_backs_off(policy, make_ticket):
    from kefu.service.sla.sweep import sla_clock_process

    ticket = make_ticket(priority=3)
    clock = _clock(ticket)
    now = clock.started_at + dt.timedelta(minutes=45)
    sla_claim(now=now, token="slow")
    sla_claim(now=now + dt.timedelta(minutes=5), token="fast")
    assert sla_clock_process(clock_id=clock.pk, token="fast", now=now) == 1
    assert sla_clock_process(clock_id=clock.pk, token="slow", now=now) == 0
    assert SlaFiredLevel.objects.filter(clock=clock).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_fire_each_level_once(policy, make_ticket):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    tickets = [make_ticket(priority=3) for _ in range(12)]
    now = max(_clock(t).started_at for t in tickets) + dt.timedelta(hours=3)
    errors = []

    def worker():
        try:
            sla_sweep(now=now, batch=3)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    fired = SlaFiredLevel.objects.filter(clock__metric="first_response", clock__ticket__in=tickets)
    assert fired.count() == 3 * len(tickets)
    assert set(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("priority", flat=True)
    ) == {2}


# --- bad input -----------------------------------------------------------------------------------
def test_calendar_with_overlap_bad_order_or_no_time_is_refused(admin_user, db):
    count = BusinessCalendar.objects.count()
    with pytest.raises(ValidationError) as overlap:
        sla_services.calendar_save(
            actor=admin_user,
            key="bad",
            name="Bad",
            time_zone="Asia/Shanghai",
            intervals=[(0, T(9), T(12)), (0, T(11), T(18)), (1, T(18), T(9))],
        )
    messages = overlap.value.message_dict["intervals"]
    assert any("overlaps" in m for m in messages) and any("after the start" in m for m in messages)
    with pytest.raises(ValidationError) as empty:
        sla_services.calendar_save(
            actor=admin_user, key="empty", name="Empty", time_zone="Nowhere/City", intervals=[]
        )
    assert set(empty.value.message_dict) == {"intervals", "time_zone"}
    assert BusinessCalendar.objects.count() == count


def test_policy_with_zero_or_negative_target_is_refused(admin_user, db):
    calendar = BusinessCalendar.objects.first() or sla_services.calendar_save(
        actor=admin_user, key="c", name="C", time_zone="UTC", is_24x7=True, intervals=[]
    )
    count = SlaPolicy.objects.count()
    with pytest.raises(ValidationError) as error:
        sla_services.policy_save(
            actor=admin_user,
            name="Broken",
            calendar_id=calendar.pk,
            targets={3: {"first_response_minutes": 0, "resolution_minutes": -5}},
        )
    assert "target_3_first_response_minutes" in error.value.message_dict
    assert "target_3_resolution_minutes" in error.value.message_dict
    assert SlaPolicy.objects.count() == count


def test_full_recompute_restores_due_and_next_action(policy, make_ticket):
    from kefu.service.sla.recompute import sla_recompute_all

    tickets = [make_ticket(priority=3) for _ in range(3)]
    before = {c.pk: (c.due_at, c.next_action_at, c.state) for c in SlaClock.objects.all()}
    SlaClock.objects.update(due_at=None, next_action_at=None, state="breached")
    assert sla_recompute_all(chunk=2, now=_clock(tickets[0]).started_at) == len(before)
    after = {c.pk: (c.due_at, c.next_action_at, c.state) for c in SlaClock.objects.all()}
    assert after == before
