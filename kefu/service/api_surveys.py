"""Satisfaction survey API: the survey list and the CSAT results, for supervisors.

``GET /api/v1/surveys`` lists surveys (newest first) with filters; ``GET
/api/v1/surveys/results`` returns the figures (sent, answered, average, response rate,
CSAT %) overall or per agent, queue or organization. Both need
``service.view_service_reports``. A ticket's own survey is part of ``GET /api/v1/tickets/{id}``.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kefu.accounts.policy import require
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS
from kefu.service.reporting import Period, csat
from kefu.service.schemas import SurveyOut, SurveyResultOut

router = Router(tags=["surveys"])
PERMISSION = "service.view_service_reports"
DEFAULT_DAYS = 30


class SurveyFilters(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    agent: int | None = None
    queue: int | None = None
    organization: int | None = None
    answered: bool | None = None


class ResultFilters(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    group_by: Literal["agent", "queue", "organization"] | None = None


def _period(start: dt.date | None, end: dt.date | None) -> Period:
    period = (
        Period.last_days(DEFAULT_DAYS) if end is None else Period.last_days(DEFAULT_DAYS, today=end)
    )
    period = Period(start or period.first, period.last)
    if period.first > period.last:
        raise ValidationError({"start": [_("The start of the period is after its end.")]})
    return period


@router.get(
    "/surveys",
    response={200: list[SurveyOut], **LIST_ERRORS},
    summary="List satisfaction surveys",
    description="Surveys sent from `start` to `end` (local dates, default the last 30 days); "
    "filters `agent`, `queue`, `organization`, `answered`.",
)
@paginate(PageNumberPagination)
def survey_list(request, filters: Query[SurveyFilters]):
    require(request.auth, PERMISSION)
    period = _period(filters.start, filters.end)
    surveys = csat.survey_scope(request.auth).filter(
        created_at__gte=period.start, created_at__lt=period.end
    )
    for field, value in (
        ("agent_id", filters.agent),
        ("queue_id", filters.queue),
        ("organization_id", filters.organization),
    ):
        if value is not None:
            surveys = surveys.filter(**{field: value})
    if filters.answered is not None:
        surveys = surveys.filter(rating__isnull=not filters.answered)
    return surveys.select_related("ticket").order_by("-created_at", "-id")


@router.get(
    "/surveys/results",
    response={200: list[SurveyResultOut], **READ_ERRORS},
    summary="Satisfaction results",
    description="Sent, answered, average rating, response rate (%) and CSAT (% rated 4–5) for "
    "surveys sent from `start` to `end`; one row overall, or one per `group_by` value.",
)
def survey_results(request, filters: Query[ResultFilters]):
    require(request.auth, PERMISSION)
    period = _period(filters.start, filters.end)
    if filters.group_by is None:
        return [{"label": "", **csat.csat_summary(user=request.auth, period=period)}]
    return csat.csat_by(user=request.auth, period=period, dimension=filters.group_by)
