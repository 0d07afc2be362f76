"""Service reports: satisfaction, response and resolution times, SLA compliance, contracts.

Reads only. Every figure is an aggregate computed by the database over the rows the user may
see, for a period of local calendar days (``Period``); nothing loads model objects in bulk.
Labels (queue, agent, organization names) are looked up afterwards for the few ids a table
shows. ``export.py`` turns any table into CSV.

Start here:

* CSAT: :func:`csat.csat_by` (per agent, queue, organization), :func:`csat.csat_trend`;
* times: :func:`times.duration_stats` (median, 90th percentile, histogram);
* SLA: :func:`sla.sla_compliance_by`;
* contracts and vendors: :func:`contracts.contract_usage`, :func:`contracts.vendor_compliance`.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    """Local calendar days ``first`` to ``last`` (both included)."""

    first: dt.date
    last: dt.date

    @classmethod
    def last_days(cls, days: int, *, today: dt.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(today - dt.timedelta(days=days - 1), today)

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (aware, local midnight)."""
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        """The instant after the period (exclusive bound)."""
        return timezone.make_aware(
            dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min)
        )


def percent(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal (None when ``whole`` is 0)."""
    return round(100.0 * part / whole, 1) if whole else None
