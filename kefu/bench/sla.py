"""Benchmark: the SLA engine with many open tickets (issue #4).

``run(args) -> list[dict]`` runs on the harness's benchmark database
(``python -m kefu.bench --only sla``); standalone, ``python -m kefu.bench.sla --tickets N``
uses a throw-away SQLite file (or ``KEFU_DATABASE_URL``). Scales: tiny 10k, small 100k, full 1M.

Setup: ``N`` open tickets and one resolution clock each, inserted by two ``INSERT ... SELECT``
statements (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL); next actions are
spread over 30 days and ``DUE_NOW`` clocks fell due in the last minute.

* ``sla.sweep``: one steady-state ``sla_sweep`` (claims and fires the clocks due in the last
  minute) - target <= 50 ms; floor: the bare claim statement on the same index;
* ``sla.recompute``: ``sla_recompute_all`` (every live clock re-timed on its calendar and
  written back) against one raw ``UPDATE`` doing the same arithmetic for a 24x7 calendar,
  each starting from the same state - target ratio <= 1.5;
* ``sla.recompute_business_calendar``: the same clocks on the China business calendar,
  against the same raw 24x7 statement;
* ``sla.due_times``: ``add_business_seconds`` on the China calendar - target >= 50,000/s; floor:
  the same loop adding seconds on a 24x7 calendar.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time

SCALE_TICKETS = {"tiny": 10_000, "small": 100_000, "full": 1_000_000}
DUE_NOW = 25
TARGETS = {"sweep_ms": 50.0, "recompute_ratio": 1.5, "due_per_s": 50_000}


def log(message: str) -> None:
    print(f"[bench.sla] {message}", file=sys.stderr, flush=True)


def _seed(count: int, now) -> dict:
    """Tickets and clocks by two INSERT ... SELECT statements; returns ids used."""
    from django.db import connection, transaction

    from kefu.service.defaults import install_defaults_live
    from kefu.service.models import BusinessCalendar, Queue, SlaPolicy, Status, Ticket
    from kefu.service.services import sla as sla_services

    install_defaults_live()
    queue = Queue.objects.get(is_default=True)
    status = Status.objects.get(lifecycle_id=queue.lifecycle_id, key="open")
    calendar = BusinessCalendar.objects.filter(key="bench-24x7").first() or (
        sla_services.calendar_save(
            actor=None, key="bench-24x7", name="24x7", time_zone="UTC", is_24x7=True, intervals=[]
        )
    )
    SlaPolicy.objects.update(is_active=False)
    policy = sla_services.policy_save(
        actor=None,
        name="Bench",
        calendar_id=calendar.pk,
        order=1,
        warn_percent=80,
        targets={3: {"first_response_minutes": 60, "resolution_minutes": 43_200}},
    )
    tickets, clocks = Ticket._meta.db_table, "service_slaclock"
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    pg = connection.vendor == "postgresql"
    series = (
        f"SELECT g AS n FROM generate_series(1, {count}) AS g"
        if pg
        else f"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {count}) "
        "SELECT n FROM s"
    )
    ts = "%s::timestamptz" if pg else "%s"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {tickets}")
        base = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO {tickets} (id, created_at, updated_at, subject, description, channel, "
            "ticket_type, impact, urgency, priority, queue_id, status_id, status_category, "
            "custom_fields, language, source_ref, version, resolution_code, billable) "
            f"SELECT {base} + n, {ts}, {ts}, 'bench ' || n, '', 'email', 'question', 2, 2, 3, "
            "%s, %s, 'open', '{}', 'zh-hans', '', 1, '', "
            + ("false" if pg else "0")
            + f" FROM ({series}) AS q",
            [stamp, stamp, queue.pk, status.pk],
        )
        # Next actions spread over 30 days ahead; the first DUE_NOW fell due in the last minute.
        spread = 30 * 86_400
        if pg:
            started = (
                f"CASE WHEN n <= {DUE_NOW} THEN {ts} - interval '2073630 seconds' "
                f"ELSE {ts} - mod(n, {spread}) * interval '1 second' END"
            )
            next_action = (
                f"CASE WHEN n <= {DUE_NOW} THEN {ts} - interval '30 seconds' "
                f"ELSE {ts} + (mod(n::bigint * 7919, {spread}) + 60) * interval '1 second' END"
            )
        else:
            started = (
                f"CASE WHEN n <= {DUE_NOW} THEN datetime({ts}, '-2073630 seconds') "
                f"ELSE datetime({ts}, '-' || (n % {spread}) || ' seconds') END"
            )
            next_action = (
                f"CASE WHEN n <= {DUE_NOW} THEN datetime({ts}, '-30 seconds') "
                f"ELSE datetime({ts}, '+' || ((n * 7919) % {spread} + 60) || ' seconds') END"
            )
        cursor.execute(
            f"INSERT INTO {clocks} (ticket_id, metric, policy_id, calendar_id, state, cycle, "
            "target_seconds, started_at, elapsed_seconds, paused_seconds, pauses, due_at, "
            "next_action_at, claim_token) "
            f"SELECT {base} + n, 'resolution', %s, %s, 'running', 1, 2592000, {started}, 0, 0, "
            f"'[]', {next_action}, {next_action}, '' FROM ({series}) AS q",
            [policy.pk, calendar.pk, stamp, stamp, stamp, stamp, stamp, stamp],
        )
    if pg:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {clocks}")
    return {"policy": policy.pk, "calendar": calendar.pk}


def bench_sweep(now) -> dict:
    import datetime as dt

    from django.db import connection

    from kefu.service.models import BusinessCalendar, SlaPolicy
    from kefu.service.sla import sweep as sweep_module
    from kefu.service.sla.cache import compiled_calendar
    from kefu.service.sla.sweep import sla_sweep

    # Steady state: a running worker has imported everything and compiled its calendars.
    for calendar_id in BusinessCalendar.objects.values_list("pk", flat=True):
        compiled_calendar(calendar_id)
    for policy_id in SlaPolicy.objects.values_list("pk", flat=True):
        sweep_module._policy(policy_id, {})
    sla_sweep(now=now - dt.timedelta(days=1))
    started = time.perf_counter()
    result = sla_sweep(now=now)
    sweep_ms = (time.perf_counter() - started) * 1000
    # Floor: the bare claim statement for the same number of rows (fresh due rows).
    table = "service_slaclock"
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET next_action_at = %s WHERE id IN (SELECT id FROM {table} "
            "ORDER BY id LIMIT %s)",
            [adapt(now), DUE_NOW],
        )
        floor_started = time.perf_counter()
        cursor.execute(
            f"UPDATE {table} SET claim_token = 'floor' WHERE id IN (SELECT id FROM {table} "
            "WHERE next_action_at <= %s ORDER BY next_action_at LIMIT 200) RETURNING id",
            [adapt(now)],
        )
        cursor.fetchall()
        floor_ms = (time.perf_counter() - floor_started) * 1000
    return {
        "name": "sla.sweep",
        "claimed": result["claimed"],
        "fired": result["fired"],
        "sweep_ms": round(sweep_ms, 2),
        "per_clock_ms": round(sweep_ms / max(1, result["claimed"]), 3),
        "floor_claim_ms": round(floor_ms, 2),
        "target_ms": TARGETS["sweep_ms"],
        "ok": sweep_ms <= TARGETS["sweep_ms"],
    }


def _scramble() -> None:
    """Untimed: forget every live clock's computed times, so the engine and the floor each
    start from the same state and rewrite every index entry (the first run would otherwise
    pay for moving the index keys and the second find them in place)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE service_slaclock SET due_at = NULL, next_action_at = NULL, state = 'running' "
            "WHERE stopped_at IS NULL"
        )


def _floor_recompute() -> tuple[float, int]:
    """One raw UPDATE doing the 24x7 arithmetic (due and an 80% warning) for every clock."""
    from django.db import connection, transaction

    pg = connection.vendor == "postgresql"
    due = (
        "started_at + target_seconds * interval '1 second'"
        if pg
        else "datetime(started_at, '+' || target_seconds || ' seconds')"
    )
    warn = (
        "started_at + (target_seconds * 80 / 100) * interval '1 second'"
        if pg
        else "datetime(started_at, '+' || (target_seconds * 80 / 100) || ' seconds')"
    )
    _scramble()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE service_slaclock SET due_at = {due}, next_action_at = {warn}, "
            "state = 'running' WHERE stopped_at IS NULL"
        )
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def _engine_recompute(now) -> tuple[float, int]:
    from kefu.service.sla.recompute import sla_recompute_all

    _scramble()
    started = time.perf_counter()
    rows = sla_recompute_all(now=now)
    return time.perf_counter() - started, rows


def bench_recompute(now, count: int) -> dict:
    """The engine on the seeded 24x7 calendar against the raw statement, same start state."""
    floor_s, floor_rows = _floor_recompute()
    engine_s, rows = _engine_recompute(now)
    return {
        "name": "sla.recompute",
        "calendar": "24x7",
        "clocks": rows,
        "engine_s": round(engine_s, 2),
        "clocks_per_s": round(rows / engine_s),
        "floor_raw_sql_s": round(floor_s, 2),
        "floor_rows": floor_rows,
        "ratio": round(engine_s / floor_s, 2),
        "target_ratio": TARGETS["recompute_ratio"],
        "ok": engine_s / floor_s <= TARGETS["recompute_ratio"],
    }


def bench_recompute_business(now, floor_s: float) -> dict:
    """The same clocks moved onto the China business calendar (lunch break, holidays and
    make-up workdays): the engine's set-based pass probes a segment table three times per
    clock. Compared with the raw 24x7 statement measured before (no calendar arithmetic)."""
    from django.db import connection, transaction

    from kefu.service.models import (
        BusinessCalendar,
        BusinessCalendarException,
        BusinessCalendarInterval,
    )
    from kefu.service.sla import holidays

    calendar = holidays.ensure_china_calendar(
        BusinessCalendar, BusinessCalendarInterval, BusinessCalendarException
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE service_slaclock SET calendar_id = %s", [calendar.pk])
    engine_s, rows = _engine_recompute(now)
    return {
        "name": "sla.recompute_business_calendar",
        "calendar": calendar.key,
        "clocks": rows,
        "engine_s": round(engine_s, 2),
        "clocks_per_s": round(rows / engine_s),
        "floor_raw_sql_24x7_s": round(floor_s, 2),
        "ratio": round(engine_s / floor_s, 2),
        "target_ratio": TARGETS["recompute_ratio"],
        "ok": engine_s / floor_s <= TARGETS["recompute_ratio"],
    }


def bench_due_times(samples: int = 200_000) -> dict:
    import datetime as dt

    from kefu.service.sla.calendar import CompiledCalendar
    from kefu.service.sla.holidays import library_dates

    rows = list(library_dates(since=dt.date(2025, 1, 1)))
    day = [(9 * 3600, 12 * 3600), (13 * 3600 + 1800, 18 * 3600)]
    china = CompiledCalendar(
        time_zone="Asia/Shanghai",
        weekdays=[day] * 5 + [[], []],
        holidays=[d for d, k, _ in rows if k == "holiday"],
        workdays=[d for d, k, _ in rows if k == "workday"],
    )
    flat = CompiledCalendar(time_zone="UTC", is_24x7=True)
    rng = random.Random(4)
    base = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp())
    work = [
        (base + rng.randrange(0, 330 * 86_400), rng.choice((1800, 14_400, 28_800, 86_400)))
        for _ in range(samples)
    ]
    started = time.perf_counter()
    for start, seconds in work:
        china.add(start, seconds)
    engine = samples / (time.perf_counter() - started)
    started = time.perf_counter()
    for start, seconds in work:
        flat.add(start, seconds)
    floor = samples / (time.perf_counter() - started)
    return {
        "name": "sla.due_times",
        "samples": samples,
        "per_s": round(engine),
        "floor_24x7_per_s": round(floor),
        "target_per_s": TARGETS["due_per_s"],
        "ok": engine >= TARGETS["due_per_s"],
    }


def measure(count: int) -> list[dict]:
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    log(f"seeding {count} open tickets with clocks")
    started = time.perf_counter()
    _seed(count, now)
    seed_s = time.perf_counter() - started
    log(f"seeded in {seed_s:.1f}s")
    records = [bench_due_times(), bench_sweep(now), bench_recompute(now, count)]
    records.append(bench_recompute_business(now, records[-1]["floor_raw_sql_s"]))
    for record in records:
        record["tickets"] = count
        record["seed_s"] = round(seed_s, 1)
    return records


def run(args=None) -> list[dict]:
    scale = getattr(args, "scale", None)
    count = int(getattr(args, "tickets", None) or SCALE_TICKETS.get(scale, SCALE_TICKETS["tiny"]))
    return measure(count)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kefu.bench.sla")
    parser.add_argument("--tickets", type=int, default=SCALE_TICKETS["tiny"])
    args = parser.parse_args(argv)
    if not os.environ.get("KEFU_DATABASE_URL"):
        directory = tempfile.mkdtemp(prefix="kefu-bench-sla-")
        os.environ["KEFU_SQLITE_PATH"] = os.path.join(directory, "bench.sqlite3")
        print(f"database: {directory}", file=sys.stderr)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for record in run(args):
        print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
