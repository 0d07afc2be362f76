"""The "China mainland" default calendar: Mon-Fri 09:00-12:00 and 13:30-18:00, Asia/Shanghai,
with public holidays and make-up workdays (调休) from the ``chinesecalendar`` library (pinned in
``pyproject.toml``; version 1.11.0 covers 2004 to 2026 - upgrade it when the State Council
publishes the next year's arrangement, then run ``kefu sla_sync_holidays``).

Only weekday dates the library calls holidays, and weekend dates it calls workdays, become
exceptions; everything else follows the weekday hours. Functions take the model classes so
the data migration can pass its historical models.
"""

import datetime as dt

CHINA_KEY = "china-mainland"
CHINA_HOURS = (("09:00", "12:00"), ("13:30", "18:00"))


def library_dates(*, since: dt.date | None = None):
    """``(date, kind, name)`` for every exception the library knows (from ``since`` on)."""
    from chinese_calendar import constants

    names = {h.value: f"{h.chinese} / {h.value}" for h in constants.Holiday}
    for day, name in sorted(constants.holidays.items()):
        if day.weekday() < 5 and (since is None or day >= since):
            yield day, "holiday", names.get(name, name)[:100]
    for day, name in sorted(constants.workdays.items()):
        if day.weekday() >= 5 and (since is None or day >= since):
            yield day, "workday", names.get(name, name)[:100]


def library_years() -> tuple[int, int]:
    from chinese_calendar import constants

    years = [d.year for d in constants.holidays]
    return min(years), max(years)


def ensure_china_calendar(calendar_model, interval_model, exception_model):
    """Create the default China calendar (hours and exceptions) if it does not exist."""
    calendar, created = calendar_model.objects.get_or_create(
        key=CHINA_KEY,
        defaults={
            "name": "China mainland",
            "name_zh_hans": "中国大陆工作日",
            "time_zone": "Asia/Shanghai",
            "source": "chinese_calendar",
        },
    )
    if created:
        interval_model.objects.bulk_create(
            interval_model(
                calendar_id=calendar.pk,
                weekday=weekday,
                start=dt.time.fromisoformat(start),
                end=dt.time.fromisoformat(end),
            )
            for weekday in range(5)
            for start, end in CHINA_HOURS
        )
        sync_exceptions(calendar, exception_model)
    return calendar


def sync_exceptions(calendar, exception_model, *, since: dt.date | None = None) -> int:
    """Replace the calendar's exceptions from ``since`` on with the library's; return the count.

    Admins' own exceptions on dates the library does not mention are kept.
    """
    rows = list(library_dates(since=since))
    dates = [day for day, _, _ in rows]
    exception_model.objects.filter(calendar_id=calendar.pk, date__in=dates).delete()
    exception_model.objects.bulk_create(
        exception_model(calendar_id=calendar.pk, date=day, kind=kind, name=name)
        for day, kind, name in rows
    )
    return len(rows)


# Business minutes per priority (1 critical .. 4 low): first response, next response, resolution.
DEFAULT_TARGETS = {
    1: (30, 60, 240),
    2: (60, 120, 480),
    3: (240, 480, 1440),
    4: (480, 960, 2880),
}


def ensure_default_policy(policy_model, target_model, level_model, calendar):
    """The "Standard" policy on ``calendar``: targets above, warning at 80 %, two levels."""
    if policy_model.objects.exists():
        return None
    policy = policy_model.objects.create(
        name="Standard",
        name_zh_hans="标准服务",
        order=1000,
        calendar_id=calendar.pk,
        pause_categories=["waiting"],
        warn_percent=80,
    )
    for priority, (first, following, resolution) in DEFAULT_TARGETS.items():
        target_model.objects.create(
            policy_id=policy.pk,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=following,
            resolution_minutes=resolution,
        )
    for metric in ("first_response", "resolution"):
        level_model.objects.create(
            policy_id=policy.pk,
            metric=metric,
            level=1,
            offset_minutes=0,
            recipients=["assignee", "queue_supervisors"],
        )
    level_model.objects.create(
        policy_id=policy.pk,
        metric="resolution",
        level=2,
        offset_minutes=120,
        recipients=["queue_supervisors", "account_owner"],
    )
    return policy
