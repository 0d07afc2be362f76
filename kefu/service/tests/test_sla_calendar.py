"""Business-time arithmetic: oracle due times (DST, Chinese holidays) and 10k random histories
against a block-stepping reference implementation."""

import datetime as dt
import os
import random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kefu.service.models import SlaClock
from kefu.service.sla.calendar import (
    CompiledCalendar,
    NoWorkingTime,
    add_business_seconds,
    business_seconds_between,
    due_from_history,
    elapsed_from_history,
    to_ts,
)
from kefu.service.sla.clocks import clock_refresh
from kefu.service.sla.holidays import CHINA_HOURS, library_dates

H = 3600
BERLIN = ZoneInfo("Europe/Berlin")
SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def _hours(*spans):
    return [(int(a * H), int(b * H)) for a, b in spans]


def berlin_calendar():
    day = _hours((9, 12), (13, 17))
    return CompiledCalendar(time_zone="Europe/Berlin", weekdays=[day] * 5 + [[], []])


def china_calendar():
    day = [
        (
            dt.time.fromisoformat(a).hour * H + dt.time.fromisoformat(a).minute * 60,
            dt.time.fromisoformat(b).hour * H + dt.time.fromisoformat(b).minute * 60,
        )
        for a, b in CHINA_HOURS
    ]
    rows = list(library_dates(since=dt.date(2026, 1, 1)))
    return CompiledCalendar(
        time_zone="Asia/Shanghai",
        weekdays=[day] * 5 + [[], []],
        holidays=[d for d, kind, _ in rows if kind == "holiday"],
        workdays=[d for d, kind, _ in rows if kind == "workday"],
    )


def _clock(started, pauses, target_hours, stopped=None):
    return SlaClock(
        metric="resolution",
        started_at=started,
        pauses=[[to_ts(a), to_ts(b) if b else None] for a, b in pauses],
        target_seconds=int(target_hours * H),
        stopped_at=stopped,
    )


# --- oracle: Europe/Berlin across the spring-forward weekend -------------------------------------
def test_berlin_due_time_crosses_dst_change():
    cal = berlin_calendar()
    created = dt.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)  # Friday, CET
    due = add_business_seconds(cal, created, 8 * H)
    assert due == dt.datetime(2026, 3, 30, 17, 0, tzinfo=BERLIN)  # Monday, CEST
    assert due == dt.datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    assert business_seconds_between(cal, created, due) == 8 * H


def test_berlin_pause_then_priority_change_recomputes_from_history():
    cal = berlin_calendar()
    created = dt.datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN)
    pause = (
        dt.datetime(2026, 3, 27, 16, 30, tzinfo=BERLIN),
        dt.datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN),
    )
    clock = _clock(created, [pause], 8)
    clock_refresh(clock, policy=None, calendar=cal, now=dt.datetime(2026, 3, 30, 11, tzinfo=BERLIN))
    assert clock.due_at == dt.datetime(2026, 3, 31, 10, 30, tzinfo=BERLIN)
    assert clock.state == "running"
    assert clock.elapsed_seconds == 30 * 60 + 1 * H
    # Priority raised at Monday 11:00: the 4 h target replays the same history.
    clock.target_seconds = 4 * H
    clock_refresh(clock, policy=None, calendar=cal, now=dt.datetime(2026, 3, 30, 11, tzinfo=BERLIN))
    assert clock.due_at == dt.datetime(2026, 3, 30, 14, 30, tzinfo=BERLIN)
    assert clock.state == "running"
    clock_refresh(clock, policy=None, calendar=cal, now=dt.datetime(2026, 3, 30, 15, tzinfo=BERLIN))
    assert clock.state == "breached"
    assert clock.breached_at == dt.datetime(2026, 3, 30, 12, 30, tzinfo=UTC)


def test_interval_across_the_dst_night_is_as_long_as_it_really_is():
    cal = CompiledCalendar(time_zone="Europe/Berlin", weekdays=[[]] * 6 + [_hours((1, 4))])
    spring = dt.datetime(2026, 3, 29, 0, tzinfo=BERLIN), dt.datetime(2026, 3, 29, 6, tzinfo=BERLIN)
    autumn = (
        dt.datetime(2026, 10, 25, 0, tzinfo=BERLIN),
        dt.datetime(2026, 10, 25, 6, tzinfo=BERLIN),
    )
    assert business_seconds_between(cal, *spring) == 2 * H
    assert business_seconds_between(cal, *autumn) == 4 * H


# --- oracle: Asia/Shanghai with the National Day holidays and a make-up workday -----------------
def test_china_holiday_week_is_skipped():
    cal = china_calendar()
    created = dt.datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)
    assert add_business_seconds(cal, created, 8 * H) == dt.datetime(
        2026, 10, 8, 17, 30, tzinfo=SHANGHAI
    )


def test_china_make_up_saturday_is_worked():
    cal = china_calendar()
    created = dt.datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI)  # Friday; Saturday 10th is a workday
    assert add_business_seconds(cal, created, 8 * H) == dt.datetime(
        2026, 10, 10, 17, 30, tzinfo=SHANGHAI
    )


def test_china_pause_and_priority_change():
    cal = china_calendar()
    created = dt.datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI)
    pause = (
        dt.datetime(2026, 10, 10, 10, 0, tzinfo=SHANGHAI),
        dt.datetime(2026, 10, 10, 14, 0, tzinfo=SHANGHAI),
    )
    clock = _clock(created, [pause], 8)
    now = dt.datetime(2026, 10, 10, 14, 30, tzinfo=SHANGHAI)
    clock_refresh(clock, policy=None, calendar=cal, now=now)
    assert clock.due_at == dt.datetime(2026, 10, 12, 11, 0, tzinfo=SHANGHAI)  # Sunday is not worked
    assert clock.paused_seconds == 4 * H
    clock.target_seconds = 4 * H
    clock_refresh(clock, policy=None, calendar=cal, now=now)
    assert clock.due_at == dt.datetime(2026, 10, 10, 16, 0, tzinfo=SHANGHAI)


def test_open_pause_has_no_due_time_and_met_clock_is_final():
    cal = berlin_calendar()
    created = dt.datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN)
    clock = _clock(created, [(dt.datetime(2026, 3, 27, 10, tzinfo=BERLIN), None)], 2)
    clock_refresh(clock, policy=None, calendar=cal, now=dt.datetime(2026, 4, 10, tzinfo=BERLIN))
    assert (clock.state, clock.due_at, clock.elapsed_seconds) == ("paused", None, H)
    met = _clock(created, [], 2, stopped=dt.datetime(2026, 3, 27, 10, 59, tzinfo=BERLIN))
    clock_refresh(met, policy=None, calendar=cal, now=dt.datetime(2026, 4, 10, tzinfo=BERLIN))
    assert (met.state, met.next_action_at) == ("met", None)


def test_calendar_without_working_time_is_refused():
    with pytest.raises(NoWorkingTime):
        CompiledCalendar(time_zone="UTC", weekdays=[[]] * 7)


# --- property: random histories against a block-stepping reference ------------------------------
STEP = 300  # everything is aligned to 5-minute blocks, the reference walks them one by one
ZONES = ("Europe/Berlin", "Asia/Shanghai", "America/New_York", "UTC")
HISTORIES = int(os.environ.get("KEFU_SLA_HISTORIES", "10000"))


def _random_calendar(rng):
    weekdays = []
    for _ in range(7):
        spans, cursor = [], rng.randrange(6 * 12, 10 * 12)  # 06:00-10:00 in blocks of 5 min
        for _ in range(rng.randrange(0, 3)):
            length = rng.randrange(6, 60)
            if cursor + length > 22 * 12:
                break
            spans.append((cursor * STEP, (cursor + length) * STEP))
            cursor += length + rng.randrange(1, 24)
        weekdays.append(spans)
    if not any(weekdays):
        weekdays[0] = [(9 * H, 17 * H)]
    base = dt.date(2026, 3, 20) if rng.random() < 0.5 else dt.date(2026, 10, 20)
    days = [base + dt.timedelta(days=i) for i in range(20)]
    holidays = rng.sample(days, 2)
    workdays = [d for d in rng.sample(days, 2) if d not in holidays]
    zone = rng.choice(ZONES)
    return (
        CompiledCalendar(time_zone=zone, weekdays=weekdays, holidays=holidays, workdays=workdays),
        base,
        zone,
    )


def _reference(cal, zone, started, pauses, target, now):
    """Walk 5-minute blocks: a block counts if its local wall time is in a working interval."""
    tz = ZoneInfo(zone)
    t, worked, elapsed_now, due = started, 0, None, None
    while due is None or elapsed_now is None:
        if t >= now and elapsed_now is None:
            elapsed_now = worked
        local = dt.datetime.fromtimestamp(t, tz)
        second = local.hour * H + local.minute * 60
        in_pause = any(a <= t and (b is None or t < b) for a, b in pauses)
        working = any(a <= second < b for a, b in cal.local_intervals(local.date()))
        if working and not in_pause:
            worked += STEP
            if worked >= target and due is None:
                due = t + STEP
        if due is None and in_pause and pauses[-1][1] is None and t >= pauses[-1][0]:
            due = -1  # paused for good before reaching the target
        t += STEP
    return (None if due == -1 else due), elapsed_now


def _check_random_history(rng: random.Random) -> None:
    cal, base, zone = _random_calendar(rng)
    origin = to_ts(dt.datetime.combine(base, dt.time(0), tzinfo=ZoneInfo(zone)))
    started = origin + rng.randrange(0, 4 * 288) * STEP
    pauses, cursor = [], started
    for _ in range(rng.randrange(0, 3)):
        a = cursor + rng.randrange(1, 200) * STEP
        b = a + rng.randrange(1, 200) * STEP
        pauses.append((a, b))
        cursor = b
    if rng.random() < 0.2:
        pauses.append((cursor + rng.randrange(1, 300) * STEP, None))
    target = rng.randrange(1, 48) * STEP
    now = started + rng.randrange(0, 600) * STEP
    due, elapsed = _reference(cal, zone, started, pauses, target, now)
    context = (zone, started, pauses, target, now)
    assert due_from_history(cal, started, pauses, target) == due, context
    assert elapsed_from_history(cal, started, pauses, now) == elapsed, context


def test_random_histories_match_the_reference():
    """10,000 histories (``KEFU_SLA_HISTORIES``) from one seeded generator: fast and repeatable."""
    rng = random.Random(20261123)
    for _ in range(HISTORIES):
        _check_random_history(rng)


@settings(
    max_examples=int(os.environ.get("KEFU_SLA_HYPOTHESIS_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_hypothesis_histories_match_the_reference(seed):
    """The same property driven by hypothesis (shrinks a failure to a small seed)."""
    _check_random_history(random.Random(seed))
