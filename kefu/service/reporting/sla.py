"""SLA compliance: clocks met and breached, per queue, agent, organization, priority or period.

A clock counts in the period in which it started. It is *breached* once it has a breach time
(whatever happened after), *met* when it stopped in time, and *running* otherwise (left out of
the compliance rate, which is ``met / (met + breached)``). One GROUP BY per table.
"""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek

from kefu.accounts.policy import can
from kefu.service.choices import SlaClockStateChoices, SlaMetricChoices
from kefu.service.models import SlaClock, Ticket
from kefu.service.policy import ticket_scope
from kefu.service.reporting import Period, percent
from kefu.service.reporting.labels import labels_for

GROUP_FIELDS = {
    "queue": "ticket__queue_id",
    "agent": "ticket__assignee_id",
    "organization": "ticket__organization_id",
    "priority": "ticket__priority",
}
PERIOD_UNITS = {"week": TruncWeek, "month": TruncMonth}
METRICS = (SlaMetricChoices.FIRST_RESPONSE, SlaMetricChoices.RESOLUTION)


def _clocks(*, user, period: Period, metric: str | None):
    clocks = SlaClock.objects.order_by().filter(
        started_at__gte=period.start, started_at__lt=period.end
    )
    if metric:
        clocks = clocks.filter(metric=metric)
    if not (user.is_superuser or can(user, "service.view_all_tickets")):
        clocks = clocks.filter(
            ticket__in=ticket_scope(user, Ticket.objects.order_by()).values("pk")
        )
    return clocks


def _figures() -> dict:
    breached = Q(breached_at__isnull=False) | Q(state=SlaClockStateChoices.BREACHED)
    return {
        "total": Count("id"),
        "breached": Count("id", filter=breached),
        "met": Count("id", filter=Q(state=SlaClockStateChoices.MET) & ~breached),
    }


def _row(values: dict) -> dict:
    met, breached = values["met"], values["breached"]
    return {
        "total": values["total"],
        "met": met,
        "breached": breached,
        "running": values["total"] - met - breached,
        "compliance": percent(met, met + breached),
    }


def sla_compliance_summary(*, user, period: Period, metric: str | None = None) -> dict:
    return _row(_clocks(user=user, period=period, metric=metric).aggregate(**_figures()))


def sla_compliance_by(
    *, user, period: Period, dimension: str, metric: str | None = None, limit: int = 100
) -> list[dict]:
    """Met and breached clocks per ``dimension`` (queue, agent, organization, priority, or a
    ``week``/``month`` of the period)."""
    clocks = _clocks(user=user, period=period, metric=metric)
    if dimension in PERIOD_UNITS:
        rows = (
            clocks.annotate(bucket=PERIOD_UNITS[dimension]("started_at"))
            .values("bucket")
            .annotate(**_figures())
            .order_by("bucket")
        )
        return [{"id": None, "label": r["bucket"].date().isoformat(), **_row(r)} for r in rows]
    field = GROUP_FIELDS[dimension]
    rows = list(clocks.values(field).annotate(**_figures()).order_by("-total", field)[:limit])
    labels = labels_for(dimension, [row[field] for row in rows])
    return [{"id": row[field], "label": labels.get(row[field], "—"), **_row(row)} for row in rows]
