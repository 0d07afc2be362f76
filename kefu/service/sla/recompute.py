"""Recompute every live clock's due time and next action (after a calendar or policy edit).

Streams live clocks in primary-key order (keyset pages of ``chunk`` rows, a handful of columns,
never the whole table), replays each page on the compiled calendars, and writes the page back
with one ``UPDATE ... FROM (VALUES ...)`` statement. Levels already fired are respected: one
query per page reads them.
"""

import json

from django.db import connection, transaction

from kefu.service.sla import policies as policy_lookup
from kefu.service.sla.cache import compiled_calendar
from kefu.service.sla.calendar import due_from_history, to_ts

CHUNK = 5000


def sla_recompute_all(*, chunk: int = CHUNK, now=None) -> int:
    """Recompute ``due_at``, ``next_action_at`` and ``state`` of all live clocks; return count."""
    from django.utils import timezone

    from kefu.service.models import SlaClock, SlaFiredLevel, SlaPolicy

    now_ts = to_ts(now or timezone.now())
    policies = {p.pk: p for p in SlaPolicy.objects.prefetch_related("targets", "levels")}
    calendars: dict[int, object] = {}
    thresholds_cache: dict[tuple, list] = {}
    last_id, total = 0, 0
    table = connection.ops.quote_name(SlaClock._meta.db_table)
    # Times come back as POSIX seconds computed by the database: no datetime objects per row.
    if connection.vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM started_at)::bigint"
    else:
        epoch = "CAST(strftime('%%s', started_at) AS INTEGER)"
    select = (
        f"SELECT id, {epoch}, pauses, target_seconds, calendar_id, policy_id, metric, cycle "  # noqa: S608
        f"FROM {table} WHERE stopped_at IS NULL AND id > %s ORDER BY id LIMIT %s"
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last_id, chunk])
            rows = cursor.fetchall()
        if not rows:
            break
        last_id = rows[-1][0]
        fired: dict[int, set[int]] = {}
        for clock_id, cycle, level in SlaFiredLevel.objects.filter(
            clock_id__gte=rows[0][0], clock_id__lte=last_id
        ).values_list("clock_id", "cycle", "level"):
            fired.setdefault(clock_id, set()).add((cycle, level))
        values = []
        for pk, started, pauses, target, calendar_id, policy_id, metric, cycle in rows:
            calendar = calendars.get(calendar_id)
            if calendar is None:
                calendar = calendars[calendar_id] = compiled_calendar(calendar_id)
            if isinstance(pauses, str):
                pauses = json.loads(pauses) if pauses != "[]" else ()
            history = [(p[0], p[1]) for p in pauses] if pauses else ()
            due = due_from_history(calendar, started, history, target)
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
                        next_action = due_from_history(calendar, started, history, elapsed)
                        break
            paused = bool(history) and history[-1][1] is None
            if due is not None and due <= now_ts:
                state = "breached"
            else:
                state = "paused" if paused else "running"
            values.append((pk, due, next_action, state))
        _write(values)
        total += len(values)
    return total


def _write(values) -> None:
    """One UPDATE for the page: ``(id, due, next_action, state)`` with POSIX-second times."""
    from kefu.service.models import SlaClock

    table = connection.ops.quote_name(SlaClock._meta.db_table)
    if connection.vendor == "postgresql":
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
