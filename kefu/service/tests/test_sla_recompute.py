"""The set-based recompute against a clock-by-clock replay on the compiled calendar.

Clocks get random starts (weekends, a Chinese holiday, a make-up workday, lunch breaks, the
Berlin DST change), random targets, some a pause history and some fired levels; after
``sla_recompute_all`` every clock's due time, next action and state must equal what
``due_from_history`` and ``thresholds`` give for it one by one.
"""

import datetime as dt
import os
import random

import pytest

from kefu.service.models import SlaClock, SlaFiredLevel, SlaPolicy
from kefu.service.services import sla as sla_services
from kefu.service.sla import cache
from kefu.service.sla import policies as policy_lookup
from kefu.service.sla.calendar import due_from_history, from_ts, to_ts
from kefu.service.sla.recompute import sla_recompute_all

T = dt.time
DAY = [(T(9), T(12)), (T(13, 30), T(18))]


def _calendar(admin_user, key, time_zone, exceptions=()):
    intervals = [(weekday, a, b) for weekday in range(5) for a, b in DAY]
    return sla_services.calendar_save(
        actor=admin_user,
        key=key,
        name=key,
        time_zone=time_zone,
        intervals=intervals,
        exceptions=list(exceptions),
    )


def _policy(admin_user, calendar, **extra):
    return sla_services.policy_save(
        actor=admin_user,
        name=f"policy {calendar.key}",
        calendar_id=calendar.pk,
        order=1,
        targets={
            3: {"first_response_minutes": 60, "resolution_minutes": 960},
            2: {"first_response_minutes": 30, "resolution_minutes": 480},
        },
        levels=[
            {"metric": "first_response", "level": 1, "offset_minutes": 0},
            {"metric": "resolution", "level": 1, "offset_minutes": 30},
            {"metric": "resolution", "level": 2, "offset_minutes": 240},
        ],
        **extra,
    )


def _expected(clock, policy, now_ts):
    calendar = cache.compiled_calendar(clock.calendar_id)
    started = to_ts(clock.started_at)
    history = [(p[0], p[1]) for p in clock.pauses]
    due = due_from_history(calendar, started, history, clock.target_seconds)
    done = set(
        SlaFiredLevel.objects.filter(clock=clock, cycle=clock.cycle).values_list("level", flat=True)
    )
    action = None
    for level, elapsed in policy_lookup.thresholds(policy, clock.metric, clock.target_seconds):
        if level not in done:
            action = due_from_history(calendar, started, history, elapsed)
            break
    paused = bool(history) and history[-1][1] is None
    state = "breached" if due is not None and due <= now_ts else ("paused" if paused else "running")
    return (
        from_ts(due) if due is not None else None,
        from_ts(action) if action is not None else None,
        state,
    )


@pytest.mark.parametrize(
    "seed", [int(x) for x in os.environ.get("KEFU_TEST_SEEDS", "7").split(",")]
)
@pytest.mark.parametrize(
    ("time_zone", "base", "extra"),
    [
        # Around National Day 2026: 1-7 Oct off, Sunday 27 Sep and Saturday 10 Oct worked.
        ("Asia/Shanghai", dt.datetime(2026, 9, 25, tzinfo=dt.UTC), {"warn_percent": 80}),
        # Across the end of summer time in Berlin (25 Oct 2026), warning N minutes before.
        ("Europe/Berlin", dt.datetime(2026, 10, 20, tzinfo=dt.UTC), {"warn_minutes_before": 20}),
        # Both warning rules at once.
        (
            "Asia/Shanghai",
            dt.datetime(2026, 9, 28, tzinfo=dt.UTC),
            {"warn_percent": 50, "warn_minutes_before": 45},
        ),
    ],
)
def test_recompute_matches_the_clock_by_clock_replay(
    seed, time_zone, base, extra, desk, admin_user, make_ticket
):
    cache.forget()
    SlaPolicy.objects.update(is_active=False)
    exceptions = [(dt.date(2026, 10, d), "holiday", "国庆节") for d in range(1, 8)]
    exceptions += [
        (dt.date(2026, 9, 27), "workday", "调休"),
        (dt.date(2026, 10, 10), "workday", ""),
    ]
    calendar = _calendar(admin_user, f"cal-{time_zone}", time_zone, exceptions)
    policy = _policy(admin_user, calendar, **extra)
    rng = random.Random(seed)
    for _ in range(20):
        make_ticket(priority=rng.choice([2, 3]))
    clocks = list(SlaClock.objects.filter(policy=policy).order_by("pk"))
    assert len(clocks) == 40
    base_ts = int(base.timestamp())
    for index, clock in enumerate(clocks):
        started = base_ts + rng.randrange(0, 12 * 86_400)
        clock.started_at = from_ts(started)
        clock.target_seconds = rng.choice([0, 60, 1800, 3600, 4 * 3600, 30 * 3600])
        clock.pauses = []
        if index % 5 == 1:  # paused and resumed, then paused again (still paused)
            clock.pauses = [[started + 600, started + 90_000], [started + 100_000, None]]
        elif index % 5 == 2:  # paused once, resumed
            clock.pauses = [[started + 60, started + 7200]]
        clock.due_at = clock.next_action_at = None
        clock.state = "breached"
        clock.save()
        if index % 7 == 3:
            SlaFiredLevel.objects.create(
                clock=clock, cycle=clock.cycle, level=0, fired_at=base, due_at=base
            )
    now = base + dt.timedelta(days=6)
    assert sla_recompute_all(now=now) == SlaClock.objects.filter(stopped_at__isnull=True).count()
    policy = SlaPolicy.objects.prefetch_related("targets", "levels").get(pk=policy.pk)
    mismatches = []
    for clock in SlaClock.objects.filter(policy=policy).order_by("pk"):
        got = (clock.due_at, clock.next_action_at, clock.state)
        want = _expected(clock, policy, to_ts(now))
        if got != want:
            mismatches.append((clock.pk, clock.started_at, clock.target_seconds, got, want))
    assert not mismatches, mismatches
    states = set(SlaClock.objects.filter(policy=policy).values_list("state", flat=True))
    assert {"breached", "running", "paused"} <= states


def test_recompute_of_one_calendar_leaves_the_others_alone(desk, admin_user, make_ticket):
    cache.forget()
    SlaPolicy.objects.update(is_active=False)
    calendar = _calendar(admin_user, "cal-one", "Asia/Shanghai")
    policy = _policy(admin_user, calendar, warn_percent=80)
    make_ticket(priority=3)
    SlaClock.objects.update(due_at=None)
    other = SlaClock.objects.filter(policy=policy).first()
    SlaClock.objects.filter(pk=other.pk).update(calendar_id=_calendar(admin_user, "x", "UTC").pk)
    assert sla_recompute_all(calendar_id=calendar.pk) == 1
    assert SlaClock.objects.get(pk=other.pk).due_at is None
    assert SlaClock.objects.exclude(pk=other.pk).get(policy=policy).due_at is not None


def test_a_new_holiday_moves_the_open_clocks_due_times(
    desk, admin_user, make_ticket, django_capture_on_commit_callbacks
):
    """Saving a calendar re-times its open clocks in the job queue (run at once in tests)."""
    cache.forget()
    SlaPolicy.objects.update(is_active=False)
    calendar = _calendar(admin_user, "cal-edit", "Asia/Shanghai")
    _policy(admin_user, calendar, warn_percent=80)
    ticket = make_ticket(priority=3)
    clock = SlaClock.objects.get(ticket=ticket, metric="resolution")
    # Started on a Monday morning; 16 working hours (7.5 a day) run to Wednesday 10:00.
    monday = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    SlaClock.objects.filter(pk=clock.pk).update(started_at=monday, pauses=[])
    sla_recompute_all(now=monday)
    before = SlaClock.objects.get(pk=clock.pk).due_at
    assert before == dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)
    intervals = [(weekday, a, b) for weekday in range(5) for a, b in DAY]
    with django_capture_on_commit_callbacks(execute=True):
        sla_services.calendar_save(
            actor=admin_user,
            calendar=calendar,
            key=calendar.key,
            name=calendar.name,
            time_zone="Asia/Shanghai",
            intervals=intervals,
            exceptions=[(dt.date(2026, 12, 1), "holiday", "公司活动日")],
        )
    after = SlaClock.objects.get(pk=clock.pk).due_at
    assert after == dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)  # Thursday 10:00 local
