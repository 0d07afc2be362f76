"""SLA API: a ticket's clocks, the "breaching soon" list, calendars and policies.

``GET /api/v1/tickets/{id}/sla`` (whoever may see the ticket), ``GET /api/v1/sla/breaching``
(``within_hours``, scoped to the caller's tickets), ``GET /api/v1/sla/calendars`` and
``/sla/policies`` (view permissions), ``POST /api/v1/sla/calendars`` (admins; bad input is a
422 problem with field errors and writes nothing).
"""

import datetime as dt

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

    @staticmethod
    def resolve_targets(obj):
        return list(obj.targets.all())


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
    return list(SlaPolicy.objects.prefetch_related("targets").order_by("order", "id"))
