"""Business-time arithmetic on a compiled, in-memory calendar (pure: no database access).

A :class:`CompiledCalendar` turns weekday intervals and dated exceptions into, per local date,
a tuple of ``(start, end)`` POSIX-second pairs. Every interval is laid out in the calendar's
*local wall time* for its own date and converted with :mod:`zoneinfo`, so a day on which the
clocks change is as long as it really is (a 09:00-18:00 interval is always nine real hours,
an interval spanning 02:00-04:00 on a spring-forward night is one). Days are computed lazily
and memoised. All arithmetic is on integer seconds; only the edges convert to ``datetime``.

``add_business_seconds(calendar, start, seconds)`` answers "when have ``seconds`` of working
time passed after ``start``" (an exact end of an interval is returned as that end, not as the
next morning); ``business_seconds_between(calendar, start, end)`` counts working seconds in
``[start, end)``. ``due_from_history`` and ``elapsed_from_history`` replay a clock's start and
pause intervals (the SLA clock's history) on top of them.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

UTC = dt.UTC
DAY = 86_400
# Searching further than this for working time means the calendar has none left.
MAX_DAYS = 3 * 366

Interval = tuple[int, int]  # seconds from local midnight: start, end


class NoWorkingTime(ValueError):
    """The calendar has no working time in the searched horizon."""


class CompiledCalendar:
    """An immutable working-time calendar, cheap to query; see the module docstring.

    ``weekdays``: seven tuples (Monday first) of ``(start, end)`` seconds from local midnight.
    ``holidays``: dates without work. ``workdays``: make-up workdays, worked with
    ``workday_intervals`` (by default the first of Monday..Friday that has hours).
    """

    __slots__ = (
        "_days",
        "holidays",
        "is_24x7",
        "key",
        "tz",
        "weekdays",
        "workday_intervals",
        "workdays",
    )

    def __init__(
        self,
        *,
        time_zone: str = "UTC",
        weekdays: Sequence[Sequence[Interval]] = ((),) * 7,
        holidays: Iterable[dt.date] = (),
        workdays: Iterable[dt.date] = (),
        is_24x7: bool = False,
        workday_intervals: Sequence[Interval] | None = None,
        key: object = None,
    ) -> None:
        self.tz = ZoneInfo(time_zone)
        self.is_24x7 = is_24x7
        self.weekdays = tuple(tuple(sorted((int(a), int(b)) for a, b in day)) for day in weekdays)
        if len(self.weekdays) != 7:
            raise ValueError("weekdays must have seven entries")
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        if workday_intervals is None:
            workday_intervals = next((day for day in self.weekdays[:5] if day), ())
        self.workday_intervals = tuple(workday_intervals)
        self.key = key
        self._days: dict[int, tuple[Interval, ...]] = {}
        if not is_24x7 and not any(self.weekdays) and not (self.workdays and workday_intervals):
            raise NoWorkingTime("the calendar has no working time")

    # --- days -----------------------------------------------------------------------------
    def local_intervals(self, day: dt.date) -> tuple[Interval, ...]:
        """The working intervals of ``day`` in seconds from local midnight."""
        if day in self.holidays:
            return ()
        if day in self.workdays:
            return self.workday_intervals
        return self.weekdays[day.weekday()]

    def day(self, ordinal: int) -> tuple[Interval, ...]:
        """The working intervals of the local date ``ordinal`` as POSIX ``(start, end)`` pairs."""
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = dt.date.fromordinal(ordinal)
        tz = self.tz
        spans = []
        for start, end in self.local_intervals(day):
            # Wall time of this date -> instant. fold=0 puts a time inside a spring-forward gap
            # on the pre-transition offset, i.e. just after the jump; never add timedeltas to
            # aware local times (that is wall-clock arithmetic and ignores the change).
            a = int(_wall(day, start, tz).timestamp())
            b = int(_wall(day, end, tz).timestamp())
            if b > a:
                spans.append((a, b))
        result = tuple(spans)
        if len(self._days) > 20_000:
            self._days.clear()
        self._days[ordinal] = result
        return result

    def ordinal_of(self, ts: int) -> int:
        return dt.datetime.fromtimestamp(ts, self.tz).toordinal()

    # --- arithmetic on POSIX seconds ----------------------------------------------------------
    def add(self, ts: int, seconds: int) -> int:
        """The instant ``seconds`` of working time after ``ts`` (both POSIX seconds)."""
        if self.is_24x7:
            return ts + seconds
        # Local intervals end by 24:00, so nothing before the local date of ``ts`` matters.
        ordinal = self.ordinal_of(ts)
        for _ in range(MAX_DAYS):
            for a, b in self.day(ordinal):
                if b <= ts:
                    continue
                begin = a if a > ts else ts
                available = b - begin
                if seconds <= available:
                    return begin + seconds
                seconds -= available
            ordinal += 1
        raise NoWorkingTime("no working time within three years")

    def between(self, start: int, end: int) -> int:
        """Working seconds in ``[start, end)`` (0 when ``end <= start``)."""
        if end <= start:
            return 0
        if self.is_24x7:
            return end - start
        total = 0
        ordinal = self.ordinal_of(start)
        last = self.ordinal_of(end)
        while ordinal <= last:
            for a, b in self.day(ordinal):
                if b <= start or a >= end:
                    continue
                total += (b if b < end else end) - (a if a > start else start)
            ordinal += 1
        return total


def _wall(day: dt.date, seconds: int, tz) -> dt.datetime:
    """The instant the wall clock of ``day`` reaches ``seconds`` past midnight.

    An ambiguous time (autumn) is its first occurrence. A time skipped by a spring-forward jump
    is reached at the jump itself (the clock passes 02:30 when it leaps from 02:00 to 03:00).
    """
    if seconds >= DAY:  # 24:00 is the next midnight
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    hour, rest = divmod(seconds, 3600)
    wall = dt.datetime(day.year, day.month, day.day, hour, rest // 60, rest % 60)
    value = wall.replace(tzinfo=tz)
    ts = value.timestamp()
    if dt.datetime.fromtimestamp(ts, tz).replace(tzinfo=None) == wall:
        return value
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())  # bisect to the jump
    high = int(ts)
    while low < high:
        middle = (low + high) // 2
        if dt.datetime.fromtimestamp(middle, tz).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle + 1
    return dt.datetime.fromtimestamp(low, tz)


def to_ts(value: dt.datetime) -> int:
    if value.tzinfo is None:
        raise ValueError("naive datetime: SLA arithmetic needs aware times")
    return int(value.timestamp())


def from_ts(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, UTC)


def add_business_seconds(calendar: CompiledCalendar, start: dt.datetime, seconds: int):
    """The aware UTC datetime at which ``seconds`` of working time have passed after ``start``."""
    return from_ts(calendar.add(to_ts(start), int(seconds)))


def business_seconds_between(calendar: CompiledCalendar, start: dt.datetime, end: dt.datetime):
    """Working seconds of ``calendar`` in ``[start, end)``."""
    return calendar.between(to_ts(start), to_ts(end))


# --- clock histories ---------------------------------------------------------------------------
Pause = tuple[int, int | None]  # POSIX seconds; None: still paused


def running_segments(started: int, pauses: Sequence[Pause]):
    """The intervals a clock ran: from ``started`` to the first pause, between pauses, then
    open-ended (``None`` end) unless the last pause is still open."""
    cursor = started
    for pause_start, pause_end in pauses:
        if pause_end is not None and pause_end <= cursor:
            continue
        if pause_start > cursor:
            yield cursor, pause_start
        if pause_end is None:
            return
        cursor = max(cursor, pause_end)
    yield cursor, None


def due_from_history(
    calendar: CompiledCalendar, started: int, pauses: Sequence[Pause], target: int
) -> int | None:
    """When the clock's working time reaches ``target`` (None: it is paused before that)."""
    remaining = target
    for a, b in running_segments(started, pauses):
        if b is None:
            return calendar.add(a, remaining) if remaining > 0 else a
        worked = calendar.between(a, b)
        if worked >= remaining:
            return calendar.add(a, remaining) if remaining > 0 else a
        remaining -= worked
    return None


def elapsed_from_history(
    calendar: CompiledCalendar, started: int, pauses: Sequence[Pause], now: int
) -> int:
    """Working seconds the clock ran between ``started`` and ``now``."""
    total = 0
    for a, b in running_segments(started, pauses):
        if a >= now:
            break
        total += calendar.between(a, now if b is None or b > now else b)
    return total
