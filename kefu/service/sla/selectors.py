"""Reads of SLA clocks for lists, the ticket page, the "breaching soon" view and the API."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.service.choices import SlaClockStateChoices

State = SlaClockStateChoices
AMBER_SHARE = 0.25  # amber when less than a quarter of the target is left
LIVE_STATES = (State.RUNNING, State.PAUSED, State.BREACHED)


@dataclass(frozen=True)
class ClockView:
    ticket_id: int
    metric: str
    metric_label: str
    state: str
    state_label: str
    due_at: dt.datetime | None
    remaining_seconds: int | None
    colour: str  # green, amber, red, grey
    countdown: str
    target_seconds: int
    elapsed_seconds: int
    paused_seconds: int
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None

    @property
    def ticking(self) -> bool:
        """Running towards a due time: the page's script counts it down between refreshes."""
        return (
            self.state in (State.RUNNING, State.BREACHED)
            and self.stopped_at is None
            and bool(self.due_at)
        )

    @property
    def css(self) -> str:
        """The house badge classes for the colour (kefu.css: ok, warn, danger)."""
        return {"green": "ok", "amber": "warn", "red": "danger"}.get(self.colour, "")


def _countdown(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m"


def _labels() -> tuple[dict, dict]:
    """Metric and state labels in the active language, translated once for a whole page
    (``get_FOO_display`` translates every choice on each call: ~50 us a row)."""
    from kefu.service.choices import SlaMetricChoices

    metrics = {value: str(label) for value, label in SlaMetricChoices.choices}
    states = {value: str(label) for value, label in State.choices}
    return metrics, states


def clock_view(clock, *, now: dt.datetime | None = None, labels=None) -> ClockView:
    """How a clock reads now: countdown text and a colour (green/amber/red/grey)."""
    now = now or timezone.now()
    metrics, states = labels or _labels()
    remaining = None
    state_label = states.get(clock.state, clock.state)
    if clock.stopped_at is not None:
        colour = "red" if clock.state == State.BREACHED else "grey"
        countdown = state_label
    elif clock.due_at is None:
        colour, countdown = "grey", _("paused")
    else:
        remaining = int((clock.due_at - now).total_seconds())
        if clock.state == State.BREACHED or remaining <= 0:
            colour = "red"
        elif remaining < clock.target_seconds * AMBER_SHARE:
            colour = "amber"
        else:
            colour = "green"
        countdown = _countdown(remaining)
    return ClockView(
        ticket_id=clock.ticket_id,
        metric=clock.metric,
        metric_label=metrics.get(clock.metric, clock.metric),
        state=clock.state,
        state_label=state_label,
        due_at=clock.due_at,
        remaining_seconds=remaining,
        colour=colour,
        countdown=countdown,
        target_seconds=clock.target_seconds,
        elapsed_seconds=clock.elapsed_seconds,
        paused_seconds=clock.paused_seconds,
        breached_at=clock.breached_at,
        stopped_at=clock.stopped_at,
    )


def ticket_clocks(ticket_id: int) -> list[ClockView]:
    """Every clock of a ticket, live ones first."""
    from kefu.service.models import SlaClock

    clocks = SlaClock.objects.filter(ticket_id=ticket_id).order_by("stopped_at", "due_at")
    now, labels = timezone.now(), _labels()
    return [clock_view(c, now=now, labels=labels) for c in clocks]


def most_urgent_clocks(ticket_ids) -> dict[int, ClockView]:
    """For each ticket, the live clock due first (paused ones last): one query for a page."""
    from kefu.service.models import SlaClock

    ids = list(ticket_ids)
    if not ids:
        return {}
    now, labels = timezone.now(), _labels()
    result: dict[int, ClockView] = {}
    clocks = SlaClock.objects.filter(ticket_id__in=ids, stopped_at__isnull=True)
    for clock in sorted(clocks, key=lambda c: (c.due_at is None, c.due_at or now)):
        if clock.ticket_id not in result:
            result[clock.ticket_id] = clock_view(clock, now=now, labels=labels)
    return result


def breaching_soon(*, user, within: dt.timedelta, limit: int = 100):
    """Live clocks of tickets the user may see, breached or due within ``within``, soonest first.

    One query on the ``due_at`` index joined to the ticket (scoped like the ticket list).
    """
    from kefu.accounts.policy import scope
    from kefu.service.models import SlaClock, Ticket

    horizon = timezone.now() + within
    visible = scope(user, Ticket.objects.all())
    clocks = (
        SlaClock.objects.filter(
            stopped_at__isnull=True, due_at__lte=horizon, ticket__in=visible.values("pk")
        )
        .select_related("ticket", "ticket__queue", "ticket__assignee", "ticket__status")
        .order_by("due_at")[:limit]
    )
    now, labels = timezone.now(), _labels()
    return [(clock.ticket, clock_view(clock, now=now, labels=labels)) for clock in clocks]
