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

import math

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


def _durations(*, user, period: Period, metric: str, **ticket_filters):
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
        return entries.values(key=F("ticket_id")).annotate(
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
        return tickets.values(key=F("pk")).annotate(
            duration=DurationSeconds(Max("resolved_at"), Max("created_at"))
        )
    raise ValueError(metric)


def _percentile(rows, count: int, fraction: float) -> float | None:
    if count == 0:
        return None
    position = fraction * (count - 1)
    rank = math.floor(position)
    pair = list(rows.order_by("duration", KEY).values_list("duration", flat=True)[rank : rank + 2])
    low = pair[0]
    high = pair[1] if len(pair) > 1 else low
    return low + (high - low) * (position - rank)


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
        "median_hours": _hours(_percentile(rows, count, 0.5)),
        "p90_hours": _hours(_percentile(rows, count, 0.9)),
        "histogram": histogram,
    }


def duration_stats_by(
    *, user, period: Period, metric: str, dimension: str, limit: int = 20
) -> list[dict]:
    """Count, median and 90th percentile per queue, agent or priority (the ``limit`` busiest)."""
    field = GROUP_FIELDS[dimension]
    if metric == "first_response":
        groups_of = TicketEntry.objects.order_by().filter(
            kind=EntryKindChoices.REPLY,
            author__isnull=False,
            ticket__created_at__gte=period.start,
            ticket__created_at__lt=period.end,
        )
        column, count = f"ticket__{field}", Count("ticket_id", distinct=True)
    else:
        groups_of = Ticket.objects.order_by().filter(
            resolved_at__gte=period.start, resolved_at__lt=period.end
        )
        column, count = field, Count("pk")
    if not (user.is_superuser or can(user, "service.view_all_tickets")):
        visible = ticket_scope(user, Ticket.objects.order_by()).values("pk")
        groups_of = groups_of.filter(**{"ticket__in" if column != field else "pk__in": visible})
    groups = list(
        groups_of.values(group=F(column)).annotate(n=count).order_by("-n", "group")[:limit]
    )
    labels = labels_for(dimension, [group["group"] for group in groups])
    rows = []
    for group in groups:
        subset = _durations(user=user, period=period, metric=metric, **{field: group["group"]})
        rows.append(
            {
                "id": group["group"],
                "label": labels.get(group["group"], "—"),
                "count": group["n"],
                "median_hours": _hours(_percentile(subset, group["n"], 0.5)),
                "p90_hours": _hours(_percentile(subset, group["n"], 0.9)),
            }
        )
    return rows
