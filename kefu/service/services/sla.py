"""Writes of SLA configuration: calendars (hours, exceptions) and policies (targets, levels).

Each service validates everything first and raises ``ValidationError({field: [...]})``; only
then does it write, in one transaction, bumping ``revision`` so compiled calendars are
rebuilt. Nothing is half-saved.
"""

import datetime as dt
import itertools
from typing import Any
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.configstamp import config_changed
from kefu.service.choices import (
    PriorityChoices,
    SlaExceptionKindChoices,
    SlaMetricChoices,
    SlaRecipientChoices,
)
from kefu.service.models import (
    BusinessCalendar,
    BusinessCalendarException,
    BusinessCalendarInterval,
    SlaEscalationLevel,
    SlaPolicy,
    SlaTarget,
)
from kefu.service.sla import cache, holidays

TARGET_FIELDS = (
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "update_every_minutes",
)


def calendar_validate(
    *, time_zone: str, is_24x7: bool, intervals: list[tuple[int, dt.time, dt.time]]
) -> dict[str, list[str]]:
    """Field errors of a calendar: time zone, interval order and overlaps, no working time."""
    errors: dict[str, list[str]] = {}
    if time_zone not in available_timezones():
        errors["time_zone"] = [_("Unknown time zone.")]
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, start, end in intervals:
        if weekday not in range(7):
            errors.setdefault("intervals", []).append(_("Weekdays are 0 (Monday) to 6 (Sunday)."))
            continue
        if end <= start:
            errors.setdefault("intervals", []).append(
                _("%(day)s: the end %(end)s must be after the start %(start)s.")
                % {"day": _day(weekday), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            )
            continue
        by_day.setdefault(weekday, []).append((start, end))
    for weekday, spans in sorted(by_day.items()):
        spans.sort()
        for (a_start, a_end), (b_start, b_end) in itertools.pairwise(spans):
            if b_start < a_end:
                errors.setdefault("intervals", []).append(
                    _("%(day)s: %(a)s overlaps %(b)s.")
                    % {
                        "day": _day(weekday),
                        "a": f"{a_start:%H:%M}-{a_end:%H:%M}",
                        "b": f"{b_start:%H:%M}-{b_end:%H:%M}",
                    }
                )
    if not is_24x7 and not by_day and "intervals" not in errors:
        errors["intervals"] = [_("A calendar needs working time: add hours or make it 24×7.")]
    return errors


def _day(weekday: int) -> str:
    from kefu.service.choices import WeekdayChoices

    return str(WeekdayChoices(weekday).label)


@transaction.atomic
def calendar_save(
    *,
    actor,
    calendar: BusinessCalendar | None = None,
    key: str,
    name: str,
    name_zh_hans: str = "",
    time_zone: str,
    is_24x7: bool = False,
    intervals: list[tuple[int, dt.time, dt.time]],
    exceptions: list[tuple[dt.date, str, str]] | None = None,
) -> BusinessCalendar:
    """Create or replace a calendar with its intervals (and exceptions if given).

    Raises ``ValidationError`` on an overlap, an end not after its start, an unknown time zone
    or no working time; nothing is written then.
    """
    errors = calendar_validate(time_zone=time_zone, is_24x7=is_24x7, intervals=intervals)
    if not (name or "").strip() and not (name_zh_hans or "").strip():
        errors["name"] = [_("Give the calendar a name.")]
    clash = BusinessCalendar.objects.filter(key=key)
    if calendar is not None:
        clash = clash.exclude(pk=calendar.pk)
    if not key or clash.exists():
        errors["key"] = [_("This key is empty or already used.")]
    if exceptions:
        dates = [day for day, _kind, _name in exceptions]
        if len(set(dates)) != len(dates):
            errors["exceptions"] = [_("A date can have only one exception.")]
        if any(kind not in SlaExceptionKindChoices.values for _day, kind, _name in exceptions):
            errors.setdefault("exceptions", []).append(_("An exception is a holiday or a workday."))
    if errors:
        raise ValidationError(errors)
    created = calendar is None
    if calendar is None:
        calendar = BusinessCalendar()
    else:
        calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        calendar.revision += 1
    calendar.key, calendar.name, calendar.name_zh_hans = key, name.strip(), name_zh_hans.strip()
    calendar.time_zone, calendar.is_24x7 = time_zone, is_24x7
    calendar.save()
    calendar.intervals.all().delete()
    BusinessCalendarInterval.objects.bulk_create(
        BusinessCalendarInterval(calendar=calendar, weekday=w, start=s, end=e)
        for w, s, e in intervals
    )
    if exceptions is not None:
        calendar.exceptions.all().delete()
        BusinessCalendarException.objects.bulk_create(
            BusinessCalendarException(calendar=calendar, date=d, kind=k, name=n[:100])
            for d, k, n in exceptions
        )
    _after_calendar_change(calendar.pk, recompute=not created)
    return calendar


@transaction.atomic
def calendar_sync_china_holidays(*, calendar: BusinessCalendar | None = None) -> int:
    """Refresh the China calendar's holidays and make-up workdays from the library."""
    if calendar is None:
        calendar = holidays.ensure_china_calendar(
            BusinessCalendar, BusinessCalendarInterval, BusinessCalendarException
        )
    count = holidays.sync_exceptions(calendar, BusinessCalendarException)
    BusinessCalendar.objects.filter(pk=calendar.pk).update(revision=calendar.revision + 1)
    _after_calendar_change(calendar.pk, recompute=True)
    return count


def _after_calendar_change(calendar_id: int, *, recompute: bool) -> None:
    """Now: a new configuration token (the bulk writes above send no signals), so every
    process compiles the calendar again. After commit: drop this process's compiled calendar;
    re-time the open clocks on it in the job queue (new hours or holidays move their due
    times and warnings)."""
    config_changed()

    def run() -> None:
        cache.forget(calendar_id)
        if recompute:
            from kefu.service import tasks

            tasks.sla_recompute_calendar(calendar_id)

    transaction.on_commit(run)


def policy_validate(
    *,
    targets: dict[int, dict[str, int | None]],
    levels: list[dict[str, Any]],
    warn_percent: int | None,
    warn_minutes_before: int | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for priority, values in targets.items():
        if priority not in PriorityChoices.values:
            errors.setdefault("targets", []).append(_("Unknown priority."))
            continue
        for field in TARGET_FIELDS:
            value = values.get(field)
            if value is not None and int(value) <= 0:
                errors.setdefault(f"target_{priority}_{field}", []).append(
                    _("A target must be a positive number of minutes.")
                )
    if not any(v for values in targets.values() for v in values.values()):
        errors.setdefault("targets", []).append(_("Set at least one target."))
    if warn_percent is not None and not 1 <= warn_percent <= 99:
        errors["warn_percent"] = [_("Between 1 and 99 per cent.")]
    if warn_minutes_before is not None and warn_minutes_before <= 0:
        errors["warn_minutes_before"] = [_("A positive number of minutes.")]
    seen = set()
    for index, level in enumerate(levels):
        key = (level.get("metric"), level.get("level"))
        if level.get("metric") not in SlaMetricChoices.values:
            errors.setdefault(f"level_{index}", []).append(_("Unknown metric."))
        if not isinstance(level.get("level"), int) or level["level"] < 1:
            errors.setdefault(f"level_{index}", []).append(_("Levels are numbered from 1."))
        if key in seen:
            errors.setdefault(f"level_{index}", []).append(_("This level is defined twice."))
        seen.add(key)
        unknown = set(level.get("recipients") or []) - set(SlaRecipientChoices.values)
        if unknown:
            errors.setdefault(f"level_{index}", []).append(_("Unknown recipient."))
    return errors


@transaction.atomic
def policy_save(
    *,
    actor,
    policy: SlaPolicy | None = None,
    name: str,
    name_zh_hans: str = "",
    calendar_id: int,
    order: int = 100,
    is_active: bool = True,
    conditions: dict[str, list] | None = None,
    pause_categories: list[str] | None = None,
    pause_status_keys: list[str] | None = None,
    warn_percent: int | None = None,
    warn_minutes_before: int | None = None,
    targets: dict[int, dict[str, int | None]],
    levels: list[dict[str, Any]] | None = None,
) -> SlaPolicy:
    """Create or replace a policy with its targets and escalation levels (all validated first).

    ``levels``: dicts with ``metric``, ``level``, ``offset_minutes``, ``notify_email``,
    ``notify_sms``, ``recipients``, ``user_ids``, ``reassign_queue_id``, ``raise_priority``,
    ``add_followers``. Open tickets keep their clocks; their next change recomputes them.
    """
    levels = levels or []
    errors = policy_validate(
        targets=targets,
        levels=levels,
        warn_percent=warn_percent,
        warn_minutes_before=warn_minutes_before,
    )
    if not (name or "").strip() and not (name_zh_hans or "").strip():
        errors["name"] = [_("Give the policy a name.")]
    if not BusinessCalendar.objects.filter(pk=calendar_id).exists():
        errors["calendar_id"] = [_("No such calendar.")]
    if errors:
        raise ValidationError(errors)
    conditions = conditions or {}
    if policy is None:
        policy = SlaPolicy()
    else:
        policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
        policy.revision += 1
    policy.name, policy.name_zh_hans = name.strip(), name_zh_hans.strip()
    policy.calendar_id, policy.order, policy.is_active = calendar_id, order, is_active
    for field in ("tier_keys", "service_levels", "priorities", "ticket_types", "queue_keys"):
        setattr(policy, field, list(conditions.get(field) or []))
    policy.channels = list(conditions.get("channels") or [])
    policy.pause_categories = list(pause_categories or ["waiting"])
    policy.pause_status_keys = list(pause_status_keys or [])
    policy.warn_percent, policy.warn_minutes_before = warn_percent, warn_minutes_before
    policy.save()
    policy.targets.all().delete()
    SlaTarget.objects.bulk_create(
        SlaTarget(policy=policy, priority=priority, **{f: values.get(f) for f in TARGET_FIELDS})
        for priority, values in sorted(targets.items())
    )
    policy.levels.all().delete()
    for spec in levels:
        level = SlaEscalationLevel.objects.create(
            policy=policy,
            metric=spec["metric"],
            level=spec["level"],
            offset_minutes=int(spec.get("offset_minutes") or 0),
            notify_email=bool(spec.get("notify_email", True)),
            notify_sms=bool(spec.get("notify_sms", False)),
            recipients=list(spec.get("recipients") or []),
            reassign_queue_id=spec.get("reassign_queue_id"),
            raise_priority=bool(spec.get("raise_priority", False)),
            add_followers=bool(spec.get("add_followers", False)),
        )
        if spec.get("user_ids"):
            level.users.set(spec["user_ids"])
    return policy
