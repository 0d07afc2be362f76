"""Recompute every live clock's due time and next action (after a calendar or policy edit).

Most live clocks never paused and have fired no level yet: their due time is "``target``
business seconds after ``started_at``" and their next action "the first threshold after
``started_at``". Those are recomputed by the database itself, one ``UPDATE`` per calendar and
range of ids, never loading a clock into Python:

* on a 24x7 calendar the arithmetic is plain addition;
* on any other calendar the working intervals are laid out once, in Python, into a temporary
  table of segments ``(start, end, cum)`` where ``cum`` is the working time before the
  segment; "working time at ``t``" is one index probe (the last segment starting before ``t``)
  and "the instant working time reaches ``x``" another (the last segment with ``cum < x``), so
  the statement does exactly what :meth:`CompiledCalendar.add` does, time zones, holidays and
  make-up workdays included.

The few clocks with a pause history or fired levels are then replayed in Python from their
history (:func:`due_from_history`), in keyset pages, and written back one page per statement.
"""

import json

from django.db import connection, transaction

from kefu.service.sla import policies as policy_lookup
from kefu.service.sla.cache import compiled_calendar
from kefu.service.sla.calendar import DAY, MAX_DAYS, NoWorkingTime, due_from_history, to_ts

CHUNK = 5000
# Ids per UPDATE of the set-based pass: transactions of a second or two, so the sweep never
# waits long (each commit has a cost, so not much shorter).
ID_RANGE = 250_000
SEGMENTS = "kefu_sla_segment"


def sla_recompute_all(*, chunk: int = CHUNK, now=None, calendar_id: int | None = None) -> int:
    """Recompute ``due_at``, ``next_action_at`` and ``state`` of all live clocks (of one
    calendar with ``calendar_id``); return how many clocks were recomputed."""
    from django.utils import timezone

    from kefu.service.models import BusinessCalendar, SlaPolicy

    now_ts = to_ts(now or timezone.now())
    policies = {p.pk: p for p in SlaPolicy.objects.prefetch_related("targets", "levels")}
    calendars = BusinessCalendar.objects.order_by("pk")
    if calendar_id is not None:
        calendars = calendars.filter(pk=calendar_id)
    total = 0
    fallback: list[int] = []
    for pk in calendars.values_list("pk", flat=True):
        calendar = compiled_calendar(pk)
        try:
            total += _recompute_in_sql(calendar, pk, policies, now_ts)
        except NoWorkingTime:
            fallback.append(pk)
    total += _replay_in_python(policies, now_ts, chunk, calendar_id, fallback)
    return total


# --- the set-based pass -------------------------------------------------------------------------
def _table() -> str:
    from kefu.service.models import SlaClock

    return connection.ops.quote_name(SlaClock._meta.db_table)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _first_threshold_sql(policies: dict) -> str:
    """SQL for the elapsed business seconds of a clock's first threshold (NULL: none) as a
    function of ``target_seconds``, by policy and metric: what ``thresholds()`` sorts first."""
    least, greatest = ("LEAST", "GREATEST") if _pg() else ("min", "max")

    def smallest(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else f"{least}({', '.join(parts)})"

    branches = []
    for policy in policies.values():
        warn = []
        if policy.warn_percent:
            warn.append(f"target_seconds * {int(policy.warn_percent)} / 100")
        if policy.warn_minutes_before:
            warn.append(f"target_seconds - {int(policy.warn_minutes_before) * 60}")
        warning = f"{greatest}(0, {smallest(warn)})" if warn else None
        offsets: dict[str, int] = {}
        for level in policy.levels.all():
            minutes = int(level.offset_minutes)
            offsets[level.metric] = min(minutes, offsets.get(level.metric, minutes))
        for metric, minutes in sorted(offsets.items()):
            parts = [f"{greatest}(0, target_seconds + {minutes * 60})"]
            if warning:
                parts.insert(0, warning)
            branches.append(
                f"WHEN policy_id = {int(policy.pk)} AND metric = '{metric}' THEN {smallest(parts)}"
            )
        if warning:  # metrics without levels of their own: the warning alone
            branches.append(f"WHEN policy_id = {int(policy.pk)} THEN {warning}")
    if not branches:
        return "NULL"
    return "CASE " + " ".join(branches) + " ELSE NULL END"


def _id_ranges(calendar_pk: int):
    with connection.cursor() as cursor:
        cursor.execute(
            # Bounds over the calendar's index alone (stopped clocks inside are skipped by the
            # UPDATE): two index probes, where filtering on stopped_at would read every row.
            f"SELECT MIN(id), MAX(id) FROM {_table()} WHERE calendar_id = %s",  # noqa: S608
            [calendar_pk],
        )
        low, high = cursor.fetchone()
    if low is None:
        return
    while low <= high:
        yield low, low + ID_RANGE - 1
        low += ID_RANGE


def _recompute_in_sql(calendar, calendar_pk: int, policies: dict, now_ts: int) -> int:
    """One UPDATE per id range for the clocks of ``calendar_pk``; returns rows written."""
    table = _table()
    first = _first_threshold_sql(policies)
    pg = _pg()
    # Paused clocks are replayed from their history in Python (see the module docstring).
    no_history = "pauses = '[]'::jsonb" if pg else "pauses = '[]'"
    if calendar.is_24x7:
        if pg:
            start = "date_trunc('second', started_at)"
            due = f"{start} + target_seconds * interval '1 second'"
            action = f"{start} + ({first}) * interval '1 second'"
            breached = f"{due} <= to_timestamp(%s)"
        else:
            due = "datetime(started_at, '+' || target_seconds || ' seconds')"
            action = f"datetime(started_at, '+' || ({first}) || ' seconds')"
            breached = "CAST(strftime('%%s', started_at) AS INTEGER) + target_seconds <= %s"
        sql = (
            f"UPDATE {table} SET due_at = {due}, next_action_at = {action}, "  # noqa: S608
            f"state = CASE WHEN {breached} THEN 'breached' ELSE 'running' END "
            f"WHERE stopped_at IS NULL AND {no_history} AND calendar_id = %s "
            "AND id BETWEEN %s AND %s"
        )

        def arguments(low, high):
            return [now_ts, calendar_pk, low, high]

    else:
        bounds = _segment_bounds(calendar_pk)
        if bounds is None:
            return 0
        _build_segments(calendar, *bounds)
        epoch = (
            "EXTRACT(EPOCH FROM started_at)::bigint"
            if pg
            else "CAST(strftime('%%s', started_at) AS INTEGER)"
        )
        least = "LEAST" if pg else "min"
        materialized = "AS MATERIALIZED"

        def reach(seconds: str) -> str:
            # The instant working time reaches w + seconds (seconds 0: the start itself).
            return (
                f"CASE WHEN {seconds} > 0 THEN (SELECT s.start_ts + w + {seconds} - s.cum "  # noqa: S608
                f"FROM {SEGMENTS} s WHERE s.cum < w + {seconds} ORDER BY s.cum DESC LIMIT 1) "
                f"WHEN {seconds} IS NOT NULL THEN st END"
            )

        to_time = "to_timestamp({})" if pg else "datetime({}, 'unixepoch')"
        # Each CTE is computed once per clock: three index probes in all (working time at the
        # start, then the instants for the target and the first threshold).
        sql = (
            f"WITH x {materialized} (SELECT id, st, t, f, COALESCE((SELECT s.cum + "  # noqa: S608
            f"{least}(s.end_ts, st) - s.start_ts FROM {SEGMENTS} s WHERE s.start_ts <= st "
            "ORDER BY s.start_ts DESC LIMIT 1), 0) AS w "
            f"FROM (SELECT id, {epoch} AS st, target_seconds AS t, {first} AS f FROM {table} "
            f"WHERE stopped_at IS NULL AND {no_history} AND calendar_id = %s "
            "AND id BETWEEN %s AND %s) AS y), "
            f"v {materialized} (SELECT id, {reach('t')} AS due, {reach('f')} AS na FROM x) "
            f"UPDATE {table} SET due_at = {to_time.format('v.due')}, "
            f"next_action_at = {to_time.format('v.na')}, "
            "state = CASE WHEN v.due <= %s THEN 'breached' ELSE 'running' END "
            f"FROM v WHERE {table}.id = v.id"
        )

        def arguments(low, high):
            return [calendar_pk, low, high, now_ts]

    total = 0
    try:
        for low, high in _id_ranges(calendar_pk):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, arguments(low, high))
                count = cursor.rowcount
                if count < 0:  # sqlite3 reports no row count for a statement opening WITH
                    cursor.execute("SELECT changes()")
                    count = cursor.fetchone()[0]
                total += count
    finally:
        if not calendar.is_24x7:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {SEGMENTS}")
    return total


def _segment_bounds(calendar_pk: int):
    """``(first started, last started, longest time needed)`` of the calendar's live clocks."""
    from kefu.service.models import SlaEscalationLevel

    epoch = "EXTRACT(EPOCH FROM {})::bigint" if _pg() else "CAST(strftime('%%s', {}) AS INTEGER)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {epoch.format('MIN(started_at)')}, {epoch.format('MAX(started_at)')}, "  # noqa: S608
            f"MAX(target_seconds) FROM {_table()} WHERE stopped_at IS NULL AND calendar_id = %s",
            [calendar_pk],
        )
        low, high, longest = cursor.fetchone()
    if low is None:
        return None
    offsets = SlaEscalationLevel.objects.values_list("offset_minutes", flat=True)
    longest = int(longest or 0) + max([0, *offsets]) * 60
    return int(low), int(high), longest


def _build_segments(calendar, low: int, high: int, needed: int) -> None:
    """Lay the working intervals from the day before ``low`` until ``needed`` working seconds
    after ``high`` into the temporary segment table (NoWorkingTime: the calendar runs out)."""
    ordinal = calendar.ordinal_of(low) - 1
    rows, cum, after_high = [], 0, 0
    for _ in range((high - low) // DAY + MAX_DAYS + 2):
        for a, b in calendar.day(ordinal):
            rows.append((a, b, cum))
            cum += b - a
            if b > high:
                after_high += b - max(a, high)
        ordinal += 1
        if after_high > needed and rows and rows[-1][1] > high:
            break
    else:
        raise NoWorkingTime("no working time within three years")
    big = "bigint" if _pg() else "INTEGER"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SEGMENTS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {SEGMENTS} "
            f"(start_ts {big} NOT NULL, end_ts {big} NOT NULL, cum {big} NOT NULL)"
        )
        for offset in range(0, len(rows), 500):
            page = rows[offset : offset + 500]
            cursor.execute(
                f"INSERT INTO {SEGMENTS} (start_ts, end_ts, cum) VALUES "  # noqa: S608
                + ",".join(["(%s, %s, %s)"] * len(page)),
                [value for row in page for value in row],
            )
        cursor.execute(f"CREATE INDEX {SEGMENTS}_start ON {SEGMENTS} (start_ts)")
        cursor.execute(f"CREATE INDEX {SEGMENTS}_cum ON {SEGMENTS} (cum)")
        if _pg():
            cursor.execute(f"ANALYZE {SEGMENTS}")


# --- clocks with a history: replayed in Python ----------------------------------------------
def _replay_in_python(policies, now_ts, chunk, calendar_id, whole_calendars: list[int]) -> int:
    """Replay clocks with a pause history or fired levels, and every clock of
    ``whole_calendars``; return how many of them the set-based pass had not written."""
    from kefu.service.models import SlaFiredLevel

    table = _table()
    fired_table = connection.ops.quote_name(SlaFiredLevel._meta.db_table)
    if _pg():
        epoch = "EXTRACT(EPOCH FROM c.started_at)::bigint"
        history = "c.pauses <> '[]'::jsonb"
    else:
        epoch = "CAST(strftime('%%s', c.started_at) AS INTEGER)"
        history = "c.pauses <> '[]'"
    wanted = [history, f"EXISTS (SELECT 1 FROM {fired_table} f WHERE f.clock_id = c.id)"]  # noqa: S608
    if whole_calendars:
        wanted.append(f"c.calendar_id IN ({','.join(str(int(p)) for p in whole_calendars)})")
    where = ["c.stopped_at IS NULL", "c.id > %s", f"({' OR '.join(wanted)})"]
    extra = []
    if calendar_id is not None:
        where.append("c.calendar_id = %s")
        extra.append(calendar_id)
    select = (
        f"SELECT c.id, {epoch}, c.pauses, c.target_seconds, c.calendar_id, c.policy_id, "  # noqa: S608
        f"c.metric, c.cycle FROM {table} c WHERE {' AND '.join(where)} ORDER BY c.id LIMIT %s"
    )
    skipped = set(whole_calendars)
    calendars: dict[int, object] = {}
    thresholds_cache: dict[tuple, list] = {}
    last_id, total = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last_id, *extra, chunk])
            rows = cursor.fetchall()
        if not rows:
            break
        last_id = rows[-1][0]
        fired: dict[int, set[tuple[int, int]]] = {}
        for clock_id, cycle, level in SlaFiredLevel.objects.filter(
            clock_id__in=[row[0] for row in rows]
        ).values_list("clock_id", "cycle", "level"):
            fired.setdefault(clock_id, set()).add((cycle, level))
        values = []
        for pk, started, pauses, target, cal_id, policy_id, metric, cycle in rows:
            calendar = calendars.get(cal_id)
            if calendar is None:
                calendar = calendars[cal_id] = compiled_calendar(cal_id)
            if isinstance(pauses, str):
                pauses = json.loads(pauses) if pauses != "[]" else ()
            history = [(p[0], p[1]) for p in pauses] if pauses else ()
            if history or cal_id in skipped:
                total += 1
            due = _replay(calendar, started, history, target)
            next_action = None
            policy = policies.get(policy_id)
            if policy is not None:
                key = (policy_id, metric, target)
                steps = thresholds_cache.get(key)
                if steps is None:
                    steps = thresholds_cache[key] = policy_lookup.thresholds(policy, metric, target)
                done = fired.get(pk, ())
                for level, elapsed in steps:
                    if (cycle, level) not in done:
                        next_action = _replay(calendar, started, history, elapsed)
                        break
            paused = bool(history) and history[-1][1] is None
            if due is not None and due <= now_ts:
                state = "breached"
            else:
                state = "paused" if paused else "running"
            values.append((pk, due, next_action, state))
        _write(values)
    return total


def _replay(calendar, started, history, seconds):
    try:
        return due_from_history(calendar, started, history, seconds)
    except NoWorkingTime:
        return None


def _write(values) -> None:
    """One UPDATE for the page: ``(id, due, next_action, state)`` with POSIX-second times."""
    table = _table()
    if _pg():
        rows = ",".join(["(%s::bigint, %s::bigint, %s::bigint, %s::varchar)"] * len(values))
        sql = (
            f"UPDATE {table} AS c SET due_at = to_timestamp(v.due), "  # noqa: S608
            "next_action_at = to_timestamp(v.na), state = v.state "
            f"FROM (VALUES {rows}) AS v(id, due, na, state) WHERE c.id = v.id"
        )
    else:
        # SQLite would join the VALUES list against the table by scanning it; an executemany
        # of primary-key UPDATEs in one transaction is linear in the page instead.
        sql = (
            f"UPDATE {table} SET due_at = datetime(%s, 'unixepoch'), "  # noqa: S608
            "next_action_at = datetime(%s, 'unixepoch'), state = %s WHERE id = %s"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(due, na, state, pk) for pk, due, na, state in values])
        return
    params = [item for row in values for item in row]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
