"""Core API operations: health and custom-field definitions.

Custom-field definitions are readable by every staff role (forms and imports need them) and
writable by administrators only (``core.add/change/delete_customfielddefinition``).
"""

import contextlib
import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kefu.accounts import policy
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core import customfields
from kefu.core.audit import AuditSource, audit_context

router = Router(tags=["system"])


@router.get("/health", auth=None, summary="Liveness check")
def health(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok"}


class ChoiceSchema(Schema):
    value: str
    label: str = ""
    label_zh_hans: str = ""


class CustomFieldOut(Schema):
    id: int
    target: str
    key: str
    label: str
    label_zh_hans: str
    help_text: str
    field_type: str
    is_required: bool
    choices: list[ChoiceSchema]
    min_value: Decimal | None
    max_value: Decimal | None
    max_length: int | None
    regex: str
    order: int
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CustomFieldIn(Schema):
    target: str = Field(..., description="e.g. customers.organization, customers.contact")
    key: str = Field(..., description="Letters, digits, - and _; fixed once created")
    label: str
    label_zh_hans: str = ""
    help_text: str = ""
    field_type: str = Field(
        ..., description="text, number, decimal, date, boolean, choice, multi_choice or user"
    )
    is_required: bool = False
    choices: list[ChoiceSchema] = Field(default_factory=list)
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None
    regex: str = ""
    order: int = 100
    is_active: bool = True


class CustomFieldPatch(Schema):
    label: str | None = None
    label_zh_hans: str | None = None
    help_text: str | None = None
    is_required: bool | None = None
    choices: list[ChoiceSchema] | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    max_length: int | None = None
    regex: str | None = None
    order: int | None = None
    is_active: bool | None = None


class CustomFieldTargetOut(Schema):
    key: str
    label: str


def _definitions(user):
    from kefu.core.models import CustomFieldDefinition

    return policy.scope(user, CustomFieldDefinition.objects.all())


@contextlib.contextmanager
def _writing(request):
    with audit_context(source=AuditSource.API, actor=request.auth):
        yield


@router.get(
    "/custom-field-targets",
    response={200: list[CustomFieldTargetOut], **LIST_ERRORS},
    summary="Kinds of record that take custom fields",
    tags=["custom fields"],
)
def customfield_targets(request):
    policy.require(request.auth, "core.view_customfielddefinition")
    return [{"key": key, "label": str(label)} for key, label in customfields.target_choices()]


@router.get(
    "/custom-fields",
    response={200: list[CustomFieldOut], **LIST_ERRORS},
    summary="List custom-field definitions",
    tags=["custom fields"],
)
@paginate(PageNumberPagination)
def customfield_list(request, target: str | None = None, is_active: bool | None = None) -> Any:
    policy.require(request.auth, "core.view_customfielddefinition")
    qs = _definitions(request.auth).order_by("target", "order", "key")
    if target:
        qs = qs.filter(target=target)
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    return qs


@router.get(
    "/custom-fields/{definition_id}",
    response={200: CustomFieldOut, **READ_ERRORS},
    summary="Get a custom-field definition",
    tags=["custom fields"],
)
def customfield_get(request, definition_id: int):
    policy.require(request.auth, "core.view_customfielddefinition")
    return get_object_or_404(_definitions(request.auth), pk=definition_id)


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **WRITE_ERRORS},
    summary="Define a custom field (administrators)",
    tags=["custom fields"],
)
def customfield_create(request, payload: CustomFieldIn):
    policy.require(request.auth, "core.add_customfielddefinition")
    with _writing(request):
        definition = customfields.customfield_definition_create(
            actor=request.auth, **payload.model_dump()
        )
    return Status(201, definition)


@router.patch(
    "/custom-fields/{definition_id}",
    response={200: CustomFieldOut, **WRITE_ERRORS},
    summary="Change a custom-field definition (administrators)",
    description="The target, key and type are fixed once created.",
    tags=["custom fields"],
)
def customfield_update(request, definition_id: int, payload: CustomFieldPatch):
    policy.require(request.auth, "core.change_customfielddefinition")
    definition = get_object_or_404(_definitions(request.auth), pk=definition_id)
    with _writing(request):
        return customfields.customfield_definition_update(
            actor=request.auth, definition=definition, **payload.model_dump(exclude_unset=True)
        )


@router.delete(
    "/custom-fields/{definition_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a custom-field definition (administrators)",
    tags=["custom fields"],
)
def customfield_delete(request, definition_id: int):
    policy.require(request.auth, "core.delete_customfielddefinition")
    definition = get_object_or_404(_definitions(request.auth), pk=definition_id)
    with _writing(request):
        customfields.customfield_definition_delete(actor=request.auth, definition=definition)
    return HttpResponse(status=204)
