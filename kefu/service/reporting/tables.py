"""The tables of the service reports page, by name: what each shows and how it is computed.

The page and the CSV export read the same registry, so an exported file always holds exactly
the table on screen. Each table belongs to a tab; its ``rows`` function takes the user, the
period and the trend unit (week or month).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.service.reporting import Period, contracts, csat, sla, times


@dataclass(frozen=True)
class Table:
    name: str
    tab: str
    title: str
    columns: list[tuple[str, str]]
    rows: Callable[..., list[dict] | None]


TABS = [
    ("csat", _("Satisfaction")),
    ("times", _("Response and resolution times")),
    ("sla", _("SLA compliance")),
    ("contracts", _("Contracts and vendors")),
]

CSAT_COLUMNS = [
    ("sent", _("Surveys sent")),
    ("answered", _("Answered")),
    ("response_rate", _("Response rate (%)")),
    ("average", _("Average rating")),
    ("csat", _("CSAT (% rated 4–5)")),
]
TIME_COLUMNS = [
    ("count", _("Tickets")),
    ("median_hours", _("Median (hours)")),
    ("p90_hours", _("90th percentile (hours)")),
]
SLA_COLUMNS = [
    ("total", _("Clocks")),
    ("met", _("Met")),
    ("breached", _("Breached")),
    ("running", _("Running")),
    ("compliance", _("Compliance (%)")),
]
DIMENSION_LABELS = {
    "agent": _("Agent"),
    "queue": _("Queue"),
    "organization": _("Organization"),
    "priority": _("Priority"),
    "period": _("Period"),
}


def _csat_table(dimension: str, title) -> Table:
    return Table(
        name=f"csat_{dimension}",
        tab="csat",
        title=title,
        columns=[("label", DIMENSION_LABELS[dimension]), *CSAT_COLUMNS],
        rows=lambda *, user, period, unit: csat.csat_by(
            user=user, period=period, dimension=dimension
        ),
    )


def _time_table(metric: str, dimension: str, title) -> Table:
    return Table(
        name=f"{metric}_{dimension}",
        tab="times",
        title=title,
        columns=[("label", DIMENSION_LABELS[dimension]), *TIME_COLUMNS],
        rows=lambda *, user, period, unit: times.duration_stats_by(
            user=user, period=period, metric=metric, dimension=dimension
        ),
    )


def _sla_table(dimension: str, title) -> Table:
    def rows(*, user, period, unit):
        return sla.sla_compliance_by(
            user=user, period=period, dimension=unit if dimension == "period" else dimension
        )

    return Table(
        name=f"sla_{dimension}",
        tab="sla",
        title=title,
        columns=[("label", DIMENSION_LABELS[dimension]), *SLA_COLUMNS],
        rows=rows,
    )


def _trend_rows(*, user, period: Period, unit: str) -> list[dict]:
    return [
        {"label": row["period"], **row}
        for row in csat.csat_trend(user=user, period=period, unit=unit)
    ]


TABLES: dict[str, Table] = {
    table.name: table
    for table in [
        Table(
            name="csat_trend",
            tab="csat",
            title=_("Satisfaction over time"),
            columns=[("label", DIMENSION_LABELS["period"]), *CSAT_COLUMNS],
            rows=_trend_rows,
        ),
        _csat_table("agent", _("Satisfaction by agent")),
        _csat_table("queue", _("Satisfaction by queue")),
        _csat_table("organization", _("Satisfaction by organization")),
        _time_table("first_response", "queue", _("First response by queue")),
        _time_table("first_response", "priority", _("First response by priority")),
        _time_table("resolution", "queue", _("Resolution by queue")),
        _time_table("resolution", "agent", _("Resolution by agent")),
        _sla_table("period", _("SLA compliance over time")),
        _sla_table("queue", _("SLA compliance by queue")),
        _sla_table("agent", _("SLA compliance by agent")),
        _sla_table("organization", _("SLA compliance by organization")),
        _sla_table("priority", _("SLA compliance by priority")),
        Table(
            name="contract_usage",
            tab="contracts",
            title=_("Contract usage"),
            columns=[
                ("number", _("Contract")),
                ("organization", _("Organization")),
                ("state", _("State")),
                ("end", _("Ends")),
                ("unit", _("Allowance unit")),
                ("allowance", _("Allowance")),
                ("used", _("Used")),
                ("remaining", _("Remaining")),
                ("used_percent", _("Used (%)")),
                ("period_used", _("Used in the period")),
                ("period_not_covered", _("Not covered in the period")),
            ],
            rows=lambda *, user, period, unit: contracts.contract_usage(period=period),
        ),
        Table(
            name="vendor_compliance",
            tab="contracts",
            title=_("Vendor compliance"),
            columns=[
                ("vendor_name", _("Vendor")),
                ("dispatches", _("Dispatches")),
                ("response_met", _("Response met")),
                ("response_breached", _("Response breached")),
                ("resolution_met", _("Resolution met")),
                ("resolution_breached", _("Resolution breached")),
                ("compliance_percent", _("Compliance (%)")),
            ],
            rows=lambda *, user, period, unit: contracts.vendor_compliance(period=period),
        ),
    ]
}
