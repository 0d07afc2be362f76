"""Compiled calendars kept in memory per process.

``compiled_calendar(calendar_id)`` serves the calendar as a configuration snapshot
(``kefu.core.configstamp``): checked against the configuration stamp (read once per request
or pinned change, else one indexed one-row read) instead of a query of its own. A calendar's
save or delete gives the configuration a new token (the stamp's signals), and so do the
calendar services after writing hours and exceptions in bulk (``services/sla.py``, which also
bump the calendar's ``revision``); code that writes hours or exceptions any other way calls
``configstamp.config_changed()`` (or, in tests, :func:`forget`). Callers that handle many
clocks at once (the sweep, a recompute) pass ``fresh=False`` to skip even that for a while.
"""

import time

from kefu.core import configstamp
from kefu.core.configstamp import snapshot
from kefu.service.sla.calendar import CompiledCalendar

_CACHE: dict[int, tuple[int, float, CompiledCalendar]] = {}
TRUST_SECONDS = 30.0


def compile_calendar(calendar) -> CompiledCalendar:
    """Build the in-memory form of a ``BusinessCalendar`` row (reads its intervals/exceptions)."""
    weekdays: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for interval in calendar.intervals.all():
        weekdays[interval.weekday].append((_seconds(interval.start), _seconds(interval.end)))
    holidays, workdays = [], []
    for exception in calendar.exceptions.all():
        (holidays if exception.kind == "holiday" else workdays).append(exception.date)
    return CompiledCalendar(
        time_zone=calendar.time_zone,
        weekdays=weekdays,
        holidays=holidays,
        workdays=workdays,
        is_24x7=calendar.is_24x7,
        key=(calendar.pk, calendar.revision),
    )


def _seconds(value) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def compiled_calendar(calendar_id: int, *, fresh: bool = True) -> CompiledCalendar:
    """The compiled calendar ``calendar_id`` for the current configuration.

    Raises ``BusinessCalendar.DoesNotExist`` for an unknown id. ``fresh=False``: a copy
    checked within the last ``TRUST_SECONDS`` will do.
    """
    cached = _CACHE.get(calendar_id)
    now = time.monotonic()
    if cached is not None and not fresh and now - cached[1] < TRUST_SECONDS:
        return cached[2]
    compiled = snapshot(_snapshot_name(calendar_id), lambda: _compile(calendar_id))
    _CACHE[calendar_id] = (compiled.key[1], now, compiled)
    return compiled


def _snapshot_name(calendar_id: int) -> str:
    return f"service.calendar.{calendar_id}"


def _compile(calendar_id: int) -> CompiledCalendar:
    from kefu.service.models import BusinessCalendar

    calendar = BusinessCalendar.objects.prefetch_related("intervals", "exceptions").get(
        pk=calendar_id
    )
    return compile_calendar(calendar)


def forget(calendar_id: int | None = None) -> None:
    """Drop compiled calendars (all, or one) from this process: tests that write calendars
    without signals, and the calendar services after their commit."""
    if calendar_id is None:
        _CACHE.clear()
        configstamp.forget(prefix="service.calendar.")
    else:
        _CACHE.pop(calendar_id, None)
        configstamp.forget(_snapshot_name(calendar_id))
