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

import datetime as dt
import math

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from kefu.accounts.policy import scope
from kefu.service.choices import EntryKindChoices
from kefu.service.models import Ticket, TicketEntry
from kefu.service.reporting import Period
from kefu.service.reporting.labels import labels_for

METRICS = {"first_response": _("First response"), "resolution": _("Resolution")}
# Histogram bucket edges in hours; the last bucket is open-ended.
BUCKET_HOURS = [1, 4, 8, 24, 72, 168]
GROUP_FIELDS = {"queue": "queue_id", "agent": "assignee_id", "priority": "priority"}


def _durations(*, user, period: Period, metric: str):
    """Visible tickets of the period annotated with ``duration`` (NULL ones filtered out)."""
    tickets = scope(user, Ticket.objects.order_by())
    if metric == "first_response":
        first_reply = (
            TicketEntry.objects.filter(
                ticket=OuterRef("pk"), kind=EntryKindChoices.REPLY, author__isnull=False
            )
            .order_by("created_at")
            .values("created_at")[:1]
        )
        tickets = tickets.filter(created_at__gte=period.start, created_at__lt=period.end)
        end = Subquery(first_reply)
    elif metric == "resolution":
        tickets = tickets.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
        end = F("resolved_at")
    else:
        raise ValueError(metric)
    duration = ExpressionWrapper(end - F("created_at"), output_field=DurationField())
    return tickets.annotate(duration=duration).filter(duration__isnull=False)


def _percentile(queryset, count: int, fraction: float) -> dt.timedelta | None:
    if count == 0:
        return None
    position = fraction * (count - 1)
    rank = math.floor(position)
    pair = list(queryset.order_by("duration").values_list("duration", flat=True)[rank : rank + 2])
    low = pair[0]
    high = pair[1] if len(pair) > 1 else low
    return low + (high - low) * (position - rank)


def _hours(value: dt.timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 2) if value is not None else None


def duration_stats(*, user, period: Period, metric: str, **filters) -> dict:
    """Count, median and 90th percentile (hours) and the histogram of one metric."""
    tickets = _durations(user=user, period=period, metric=metric).filter(**filters)
    aggregates = {"n": Count("pk")}
    edges = [0, *BUCKET_HOURS]
    for index, low in enumerate(edges):
        condition = Q(duration__gte=dt.timedelta(hours=low))
        if index + 1 < len(edges):
            condition &= Q(duration__lt=dt.timedelta(hours=edges[index + 1]))
        aggregates[f"b{index}"] = Count("pk", filter=condition)
    counts = tickets.aggregate(**aggregates)
    count = counts["n"]
    histogram = [
        {
            "low": low,
            "high": edges[index + 1] if index + 1 < len(edges) else None,
            "count": counts[f"b{index}"],
        }
        for index, low in enumerate(edges)
    ]
    return {
        "metric": metric,
        "label": str(METRICS[metric]),
        "count": count,
        "median_hours": _hours(_percentile(tickets, count, 0.5)),
        "p90_hours": _hours(_percentile(tickets, count, 0.9)),
        "histogram": histogram,
    }


def duration_stats_by(
    *, user, period: Period, metric: str, dimension: str, limit: int = 20
) -> list[dict]:
    """Count, median and 90th percentile per queue, agent or priority (the ``limit`` busiest)."""
    field = GROUP_FIELDS[dimension]
    tickets = _durations(user=user, period=period, metric=metric)
    groups = list(tickets.values(field).annotate(n=Count("pk")).order_by("-n", field)[:limit])
    labels = labels_for(dimension, [group[field] for group in groups])
    rows = []
    for group in groups:
        subset = tickets.filter(**{field: group[field]})
        rows.append(
            {
                "id": group[field],
                "label": labels.get(group[field], "—"),
                "count": group["n"],
                "median_hours": _hours(_percentile(subset, group["n"], 0.5)),
                "p90_hours": _hours(_percentile(subset, group["n"], 0.9)),
            }
        )
    return rows
