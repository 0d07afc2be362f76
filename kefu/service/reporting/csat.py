"""Satisfaction results: sent, answered, average rating, response rate and CSAT %.

A survey belongs to the period in which it was sent (the ticket's resolution), so the response
rate of a period is stable. CSAT % is the share of answers rated 4 or 5
(``SURVEY_SATISFIED_MIN``); the average is the mean rating of the answers. Both are computed
from integer sums the database returns (no floating-point averages that differ by database).
"""

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from kefu.accounts.policy import can
from kefu.service.constants import SURVEY_SATISFIED_MIN
from kefu.service.models import Survey, Ticket
from kefu.service.policy import ticket_scope
from kefu.service.reporting import Period, percent
from kefu.service.reporting.labels import labels_for

GROUP_FIELDS = {"agent": "agent_id", "queue": "queue_id", "organization": "organization_id"}
TREND_UNITS = {"week": TruncWeek, "month": TruncMonth}


def survey_scope(user) -> QuerySet:
    """Surveys of the tickets ``user`` may see (all of them for supervisors), unordered."""
    surveys = Survey.objects.order_by()
    if user.is_superuser or can(user, "service.view_all_tickets"):
        return surveys
    return surveys.filter(ticket__in=ticket_scope(user, Ticket.objects.order_by()).values("pk"))


def _figures() -> dict:
    return {
        "sent": Count("id"),
        "answered": Count("rating"),
        "rating_sum": Sum("rating"),
        "satisfied": Count("id", filter=Q(rating__gte=SURVEY_SATISFIED_MIN)),
    }


def _row(values: dict) -> dict:
    answered = values["answered"] or 0
    return {
        "sent": values["sent"] or 0,
        "answered": answered,
        "average": round(values["rating_sum"] / answered, 2) if answered else None,
        "response_rate": percent(answered, values["sent"] or 0),
        "csat": percent(values["satisfied"] or 0, answered),
    }


def csat_summary(*, user, period: Period, **filters) -> dict:
    """The figures of every survey sent in ``period`` (optionally filtered: ``agent_id=...``)."""
    surveys = survey_scope(user).filter(
        created_at__gte=period.start, created_at__lt=period.end, **filters
    )
    return _row(surveys.aggregate(**_figures()))


def csat_by(*, user, period: Period, dimension: str, limit: int = 100) -> list[dict]:
    """Figures per agent, queue or organization (one GROUP BY), most surveys first."""
    field = GROUP_FIELDS[dimension]
    rows = list(
        survey_scope(user)
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .values(field)
        .annotate(**_figures())
        .order_by("-sent", field)[:limit]
    )
    labels = labels_for(dimension, [row[field] for row in rows])
    return [{"id": row[field], "label": labels.get(row[field], "—"), **_row(row)} for row in rows]


def csat_trend(*, user, period: Period, unit: str = "week") -> list[dict]:
    """Figures per week (starting Monday) or month of the local calendar, oldest first."""
    trunc = TREND_UNITS[unit]
    rows = (
        survey_scope(user)
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .annotate(bucket=trunc("created_at"))
        .values("bucket")
        .annotate(**_figures())
        .order_by("bucket")
    )
    return [{"period": row["bucket"].date().isoformat(), **_row(row)} for row in rows]


def survey_results_for(*, user, period: Period, agent_id=None, queue_id=None, organization_id=None):
    """One agent's, queue's or organization's figures (for their pages and the API)."""
    filters = {
        key: value
        for key, value in (
            ("agent_id", agent_id),
            ("queue_id", queue_id),
            ("organization_id", organization_id),
        )
        if value is not None
    }
    return csat_summary(user=user, period=period, **filters)
