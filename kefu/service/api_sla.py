"""SLA API: a ticket's clocks, the "breaching soon" list, calendars and policies.

``GET /api/v1/tickets/{id}/sla`` (whoever may see the ticket), ``GET /api/v1/sla/breaching``
(``within_hours``, scoped to the caller's tickets), ``GET /api/v1/sla/calendars`` and
``/sla/policies`` (view permissions), ``POST /api/v1/sla/calendars``, ``POST /api/v1/sla/policies``
and ``PUT /api/v1/sla/policies/{id}`` (admins; bad input is a 422 problem with field errors and
writes nothing).
"""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from kefu.accounts.policy import require
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core.audit import AuditSource, audit_context
from kefu.service import selectors
from kefu.service.models import BusinessCalendar, SlaPolicy
from kefu.service.services import sla as sla_services
from kefu.service.sla import selectors as sla_selectors

router = Router(tags=["sla"])


class ClockOut(Schema):
    ticket_id: int
    metric: str
    state: str
    due_at: dt.datetime | None
    remaining_seconds: int | None
    colour: str
    target_seconds: int
    elapsed_seconds: int
    paused_seconds: int
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None


class IntervalIO(Schema):
    weekday: int
    start: dt.time
    end: dt.time


class ExceptionIO(Schema):
    date: dt.date
    kind: str
    name: str = ""


class CalendarOut(Schema):
    id: int
    key: str
    name: str
    name_zh_hans: str
    time_zone: str
    is_24x7: bool
    intervals: list[IntervalIO]
    exceptions_count: int


class CalendarIn(Schema):
    key: str
    name: str = ""
    name_zh_hans: str = ""
    time_zone: str
    is_24x7: bool = False
    intervals: list[IntervalIO] = []
    exceptions: list[ExceptionIO] = []


class TargetOut(Schema):
    priority: int
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    update_every_minutes: int | None


class LevelIO(Schema):
    metric: str
    level: int
    offset_minutes: int = 0
    notify_email: bool = True
    notify_sms: bool = False
    recipients: list[str] = []
    user_ids: list[int] = []
    reassign_queue_id: int | None = None
    raise_priority: bool = False
    add_followers: bool = False


class TargetIn(Schema):
    priority: int
    first_response_minutes: int | None = None
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    update_every_minutes: int | None = None


class PolicyIn(Schema):
    name: str = ""
    name_zh_hans: str = ""
    calendar_id: int
    order: int = 100
    is_active: bool = True
    tier_keys: list[str] = []
    service_levels: list[str] = []
    priorities: list[int] = []
    ticket_types: list[str] = []
    queue_keys: list[str] = []
    channels: list[str] = []
    pause_categories: list[str] = ["waiting"]
    pause_status_keys: list[str] = []
    warn_percent: int | None = None
    warn_minutes_before: int | None = None
    targets: list[TargetIn]
    levels: list[LevelIO] = []


class PolicyOut(Schema):
    id: int
    name: str
    name_zh_hans: str
    order: int
    is_active: bool
    calendar_id: int
    tier_keys: list
    service_levels: list
    priorities: list
    ticket_types: list
    queue_keys: list
    channels: list
    pause_categories: list
    pause_status_keys: list
    warn_percent: int | None
    warn_minutes_before: int | None
    targets: list[TargetOut]
    levels: list[LevelIO]

    @staticmethod
    def resolve_targets(obj):
        return list(obj.targets.all())

    @staticmethod
    def resolve_levels(obj):
        return [
            {
                "metric": lv.metric,
                "level": lv.level,
                "offset_minutes": lv.offset_minutes,
                "notify_email": lv.notify_email,
                "notify_sms": lv.notify_sms,
                "recipients": lv.recipients,
                "user_ids": [u.pk for u in lv.users.all()],
                "reassign_queue_id": lv.reassign_queue_id,
                "raise_priority": lv.raise_priority,
                "add_followers": lv.add_followers,
            }
            for lv in obj.levels.all()
        ]


class BreachingFilters(Schema):
    within_hours: int = 4


def _clock_out(view) -> dict:
    return {field: getattr(view, field) for field in ClockOut.model_fields}


def _calendar_out(calendar) -> dict:
    return {
        "id": calendar.pk,
        "key": calendar.key,
        "name": calendar.name,
        "name_zh_hans": calendar.name_zh_hans,
        "time_zone": calendar.time_zone,
        "is_24x7": calendar.is_24x7,
        "intervals": [
            {"weekday": i.weekday, "start": i.start, "end": i.end} for i in calendar.intervals.all()
        ],
        "exceptions_count": calendar.exceptions.count(),
    }


@router.get(
    "/tickets/{ticket_id}/sla",
    response={200: list[ClockOut], **READ_ERRORS},
    summary="A ticket's SLA clocks",
)
def ticket_sla(request, ticket_id: int):
    require(request.auth, "service.view_ticket")
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    return [_clock_out(view) for view in sla_selectors.ticket_clocks(ticket.pk)]


@router.get(
    "/sla/breaching",
    response={200: list[ClockOut], **LIST_ERRORS},
    summary="Clocks breached or due soon",
)
def sla_breaching(request, filters: Query[BreachingFilters]):
    require(request.auth, "service.view_ticket")
    hours = min(max(filters.within_hours, 0), 24 * 7)
    rows = sla_selectors.breaching_soon(user=request.auth, within=dt.timedelta(hours=hours))
    return [_clock_out(view) for _ticket, view in rows]


@router.get(
    "/sla/calendars",
    response={200: list[CalendarOut], **LIST_ERRORS},
    summary="Business calendars",
)
def calendar_list(request):
    require(request.auth, "service.view_businesscalendar")
    calendars = BusinessCalendar.objects.prefetch_related("intervals").order_by("name")
    return [_calendar_out(c) for c in calendars]


@router.post(
    "/sla/calendars",
    response={201: CalendarOut, **WRITE_ERRORS},
    summary="Create a business calendar",
)
def calendar_create(request, payload: CalendarIn):
    require(request.auth, "service.add_businesscalendar")
    with audit_context(source=AuditSource.API, actor=request.auth):
        calendar = sla_services.calendar_save(
            actor=request.auth,
            key=payload.key,
            name=payload.name,
            name_zh_hans=payload.name_zh_hans,
            time_zone=payload.time_zone,
            is_24x7=payload.is_24x7,
            intervals=[(i.weekday, i.start, i.end) for i in payload.intervals],
            exceptions=[(e.date, e.kind, e.name) for e in payload.exceptions],
        )
    return Status(201, _calendar_out(calendar))


@router.get(
    "/sla/policies",
    response={200: list[PolicyOut], **LIST_ERRORS},
    summary="SLA policies in matching order",
)
def policy_list(request):
    require(request.auth, "service.view_slapolicy")
    return list(_policies().order_by("order", "id"))


def _policies():
    return SlaPolicy.objects.prefetch_related("targets", "levels__users")


def _policy_values(payload: PolicyIn) -> dict:
    targets: dict[int, dict] = {}
    for target in payload.targets:
        values = target.dict()
        targets[values.pop("priority")] = values
    return {
        "name": payload.name,
        "name_zh_hans": payload.name_zh_hans,
        "calendar_id": payload.calendar_id,
        "order": payload.order,
        "is_active": payload.is_active,
        "conditions": {
            field: getattr(payload, field)
            for field in (
                "tier_keys",
                "service_levels",
                "priorities",
                "ticket_types",
                "queue_keys",
                "channels",
            )
        },
        "pause_categories": payload.pause_categories,
        "pause_status_keys": payload.pause_status_keys,
        "warn_percent": payload.warn_percent,
        "warn_minutes_before": payload.warn_minutes_before,
        "targets": targets,
        "levels": [level.dict() for level in payload.levels],
    }


@router.post(
    "/sla/policies",
    response={201: PolicyOut, **WRITE_ERRORS},
    summary="Create an SLA policy with its targets and escalation chain",
)
def policy_create(request, payload: PolicyIn):
    require(request.auth, "service.add_slapolicy")
    with audit_context(source=AuditSource.API, actor=request.auth):
        policy = sla_services.policy_save(actor=request.auth, **_policy_values(payload))
    return Status(201, _policies().get(pk=policy.pk))


@router.put(
    "/sla/policies/{policy_id}",
    response={200: PolicyOut, **WRITE_ERRORS},
    summary="Replace an SLA policy (targets and levels included)",
)
def policy_replace(request, policy_id: int, payload: PolicyIn):
    require(request.auth, "service.change_slapolicy")
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    with audit_context(source=AuditSource.API, actor=request.auth):
        policy = sla_services.policy_save(
            actor=request.auth, policy=policy, **_policy_values(payload)
        )
    return _policies().get(pk=policy.pk)
