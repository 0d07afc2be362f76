"""First-response and resolution times: count, median, 90th percentile and a histogram.

Wall-clock durations (the SLA report counts business time; this one answers "how long did the
customer wait"). *First response* is the first public reply by a staff member, for tickets
created in the period; *resolution* is ``resolved_at - created_at`` for tickets resolved in the
period. Everything is computed in SQL and works the same on SQLite and PostgreSQL:

* the histogram is one aggregate of conditional counts;
* a percentile is the continuous one (``percentile_cont``: linear interpolation between the
  two nearest ranks): one COUNT, then for each percentile the two rows at its rank, read with
  ``ORDER BY duration LIMIT 2 OFFSET k``. No list of durations is ever loaded.
"""

from django.db import connection
from django.db.models import Count, F, FloatField, Func, Max, Min, Q
from django.utils.translation import gettext_lazy as _

from kefu.accounts.policy import can
from kefu.service.choices import EntryKindChoices
from kefu.service.models import Ticket, TicketEntry
from kefu.service.policy import ticket_scope
from kefu.service.reporting import Period
from kefu.service.reporting.labels import labels_for

METRICS = {"first_response": _("First response"), "resolution": _("Resolution")}
# Histogram bucket edges in hours; the last bucket is open-ended.
BUCKET_HOURS = [1, 4, 8, 24, 72, 168]
GROUP_FIELDS = {"queue": "queue_id", "agent": "assignee_id", "priority": "priority"}
# Each row of a duration query is one ticket: ``key`` is its id column, ``duration`` seconds.
KEY = "key"


class DurationSeconds(Func):
    """Seconds from the second expression to the first, as a float, in native SQL.

    Django's generic datetime subtraction on SQLite calls a Python function per row (and the
    histogram repeats it per bucket): ``julianday`` keeps it inside SQLite, 40x faster.
    """

    output_field = FloatField()
    arity = 2

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            # Rounded to the millisecond: julianday's float error must not move a reply of
            # exactly one hour below the one-hour bucket edge.
            template="ROUND((julianday(%(expressions)s)) * 86400.0, 3)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)",
            arg_joiner=" - ",
            **extra,
        )


def _durations(
    *, user, period: Period, metric: str, group_field: str | None = None, **ticket_filters
):
    """One row per visible ticket of the period: ``key`` (the ticket) and ``duration`` (s).

    First response groups the ticket's public staff replies (``MIN(created_at)``) instead of a
    correlated subquery per ticket, which SQLite would re-run for every histogram bucket;
    aggregates over it run on the grouped rows as a derived table.
    """
    visible = None
    if not (user.is_superuser or can(user, "service.view_all_tickets")):
        visible = ticket_scope(user, Ticket.objects.order_by()).values("pk")
    if metric == "first_response":
        entries = TicketEntry.objects.order_by().filter(
            kind=EntryKindChoices.REPLY,
            author__isnull=False,
            ticket__created_at__gte=period.start,
            ticket__created_at__lt=period.end,
            **{f"ticket__{name}": value for name, value in ticket_filters.items()},
        )
        if visible is not None:
            entries = entries.filter(ticket__in=visible)
        columns = {"key": F("ticket_id")}
        if group_field:
            columns["group"] = F(f"ticket__{group_field}")
        return entries.values(**columns).annotate(
            duration=DurationSeconds(Min("created_at"), Max("ticket__created_at"))
        )
    if metric == "resolution":
        tickets = Ticket.objects.order_by().filter(
            resolved_at__gte=period.start, resolved_at__lt=period.end, **ticket_filters
        )
        if visible is not None:
            tickets = tickets.filter(pk__in=visible)
        # Grouped by ticket (one row each) so that aggregates over it run on a derived table
        # and compute each duration once, not once per histogram condition.
        columns = {"key": F("pk")}
        if group_field:
            columns["group"] = F(group_field)
        return tickets.values(**columns).annotate(
            duration=DurationSeconds(Max("resolved_at"), Max("created_at"))
        )
    raise ValueError(metric)


# Percentiles as fractions: ranks are computed with integer arithmetic, the same in Python
# and in SQL (``(a * (n - 1)) / b`` is an integer division on both databases).
MEDIAN, P90 = (1, 2), (9, 10)


def _rank(n: int, fraction: tuple[int, int]) -> tuple[int, float]:
    """The 0-based rank below a percentile's position, and the interpolation weight."""
    a, b = fraction
    return (a * (n - 1)) // b, ((a * (n - 1)) % b) / b


def _interpolate(values: dict[int, float], n: int, fraction: tuple[int, int]) -> float | None:
    if n == 0:
        return None
    rank, weight = _rank(n, fraction)
    low = values[rank]
    high = values.get(rank + 1, low)
    return low + (high - low) * weight


def _percentile(rows, count: int, fraction: tuple[int, int]) -> float | None:
    if count == 0:
        return None
    rank, _weight = _rank(count, fraction)
    pair = list(rows.order_by("duration", KEY).values_list("duration", flat=True)[rank : rank + 2])
    return _interpolate(dict(enumerate(pair, start=rank)), count, fraction)


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds is not None else None


def duration_stats(*, user, period: Period, metric: str, **ticket_filters) -> dict:
    """Count, median and 90th percentile (hours) and the histogram of one metric."""
    rows = _durations(user=user, period=period, metric=metric, **ticket_filters)
    # Cumulative counts below each edge (one comparison per edge), differenced afterwards.
    aggregates = {"n": Count(KEY)}
    for edge in BUCKET_HOURS:
        aggregates[f"below{edge}"] = Count(KEY, filter=Q(duration__lt=edge * 3600))
    counts = rows.aggregate(**aggregates)
    count = counts["n"]
    below = [0, *(counts[f"below{edge}"] for edge in BUCKET_HOURS), count]
    edges = [0, *BUCKET_HOURS, None]
    histogram = [
        {"low": edges[i], "high": edges[i + 1], "count": below[i + 1] - below[i]}
        for i in range(len(edges) - 1)
    ]
    return {
        "metric": metric,
        "label": str(METRICS[metric]),
        "count": count,
        "median_hours": _hours(_percentile(rows, count, MEDIAN)),
        "p90_hours": _hours(_percentile(rows, count, P90)),
        "histogram": histogram,
    }


def duration_stats_by(
    *, user, period: Period, metric: str, dimension: str, limit: int = 20
) -> list[dict]:
    """Count, median and 90th percentile per queue, agent or priority (the ``limit`` busiest).

    One query: the per-ticket durations as a derived table, numbered within each group by a
    window function, keeping only the (at most four) rows around each group's percentiles.
    """
    rows = _durations(user=user, period=period, metric=metric, group_field=GROUP_FIELDS[dimension])
    inner, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT grp, duration, rn, n FROM (
                SELECT d."group" AS grp, d.duration AS duration,
                    ROW_NUMBER() OVER (PARTITION BY d."group" ORDER BY d.duration, d."key") - 1
                        AS rn,
                    COUNT(*) OVER (PARTITION BY d."group") AS n
                FROM ({inner}) d
            ) w
            WHERE rn IN ((n - 1) / 2, (n - 1) / 2 + 1, (9 * (n - 1)) / 10, (9 * (n - 1)) / 10 + 1)
            """,  # noqa: S608  (the inner query is Django's, with its parameters)
            params,
        )
        found = cursor.fetchall()
    groups: dict = {}
    for group, duration, rank, count in found:
        entry = groups.setdefault(group, {"n": count, "values": {}})
        entry["values"][rank] = duration
    top = sorted(groups.items(), key=lambda item: (-item[1]["n"], str(item[0])))[:limit]
    labels = labels_for(dimension, [group for group, _entry in top])
    return [
        {
            "id": group,
            "label": labels.get(group, "—"),
            "count": entry["n"],
            "median_hours": _hours(_interpolate(entry["values"], entry["n"], MEDIAN)),
            "p90_hours": _hours(_interpolate(entry["values"], entry["n"], P90)),
        }
        for group, entry in top
    ]
