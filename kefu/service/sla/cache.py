"""Compiled calendars kept in memory per process, rebuilt when a calendar's ``revision`` moves.

``compiled_calendar(calendar_id)`` costs one indexed one-column query to check the revision;
callers that handle many clocks at once (the sweep, a recompute) pass ``fresh=False`` to skip
it for a short while. Every calendar write bumps ``revision`` (see ``services/sla.py``).
"""

import time

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
    """The compiled calendar ``calendar_id``, from the cache when its revision is current."""
    from kefu.service.models import BusinessCalendar

    cached = _CACHE.get(calendar_id)
    now = time.monotonic()
    if cached is not None and not fresh and now - cached[1] < TRUST_SECONDS:
        return cached[2]
    revision = (
        BusinessCalendar.objects.filter(pk=calendar_id).values_list("revision", flat=True).first()
    )
    if revision is None:
        raise BusinessCalendar.DoesNotExist(calendar_id)
    if cached is not None and cached[0] == revision:
        _CACHE[calendar_id] = (revision, now, cached[2])
        return cached[2]
    calendar = BusinessCalendar.objects.prefetch_related("intervals", "exceptions").get(
        pk=calendar_id
    )
    compiled = compile_calendar(calendar)
    _CACHE[calendar_id] = (calendar.revision, now, compiled)
    return compiled


def forget(calendar_id: int | None = None) -> None:
    """Drop cached calendars (all, or one) - tests and the calendar services call this."""
    if calendar_id is None:
        _CACHE.clear()
    else:
        _CACHE.pop(calendar_id, None)
