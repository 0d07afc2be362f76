"""RFC 9457 problem details for every error the API returns.

Field errors travel in an ``errors`` extension member, each with a JSON ``pointer`` into the
request body and a ``detail`` message, so a client can put each message next to its field.
"""

import json
import logging
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kefu.core.errors import ServiceError

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldErrorOut(Schema):
    pointer: str
    detail: str


class ProblemOut(Schema):
    """RFC 9457 problem details, as documented in the OpenAPI schema."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldErrorOut] | None = None
    link: str | None = None
    code: str | None = None
    contact_id: int | None = Field(
        None, description="With code identity_taken: the contact that owns the identity"
    )


# Error responses to document on operations: ``response={200: Out, **READ_ERRORS}``.
READ_ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut}
LIST_ERRORS = {401: ProblemOut, 403: ProblemOut, 422: ProblemOut}
WRITE_ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut}


def problem(
    request,
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, str]] | None = None,
    type_: str = "about:blank",
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {"type": type_, "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
    body["instance"] = request.path
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if v is not None})
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _pointer(field: str) -> str:
    # "identities.0.value" -> "#/identities/0/value"; "__all__" is the whole body.
    if field in ("__all__", ""):
        return "#/"
    return "#/" + field.replace(".", "/")


def validation_errors(message_dict: dict[str, list[str]]) -> list[dict[str, str]]:
    return [
        {"pointer": _pointer(field), "detail": str(message)}
        for field, messages in message_dict.items()
        for message in messages
    ]


def _ninja_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", [])]
        # Drop ninja's "body"/"payload"/"query" prefixes: the pointer is into the document sent.
        while loc and loc[0] in ("body", "query", "path", "header", "payload", "form", "data"):
            loc = loc[1:]
        result.append({"pointer": "#/" + "/".join(loc), "detail": str(error.get("msg", ""))})
    return result


def install(api: NinjaAPI) -> None:
    """Register problem+json handlers for every error type on ``api``."""

    @api.exception_handler(NinjaValidationError)
    def on_ninja_validation(request, exc):
        return problem(
            request,
            422,
            _("Invalid request"),
            _("Some fields are not valid."),
            errors=_ninja_errors(exc.errors),
        )

    @api.exception_handler(ValidationError)
    def on_validation(request, exc):
        if hasattr(exc, "error_dict"):
            errors = validation_errors(exc.message_dict)
        else:
            errors = [{"pointer": "#/", "detail": str(m)} for m in exc.messages]
        return problem(
            request, 422, _("Invalid request"), _("Some fields are not valid."), errors=errors
        )

    @api.exception_handler(ServiceError)
    def on_service_error(request, exc):
        field = getattr(exc, "field", None)
        errors = [{"pointer": _pointer(field), "detail": exc.detail}] if field else None
        return problem(
            request,
            exc.status_code,
            exc.title,
            exc.detail,
            errors=errors,
            link=exc.link,
            code=exc.code,
            # Extension members a service error may add (e.g. the owning contact's id).
            **getattr(exc, "problem_extra", {}),
        )

    @api.exception_handler(AuthenticationError)
    def on_auth(request, exc):
        response = problem(
            request, 401, _("Authentication required"), _("Send a valid API token or log in.")
        )
        response["WWW-Authenticate"] = 'Bearer realm="kefu"'
        return response

    @api.exception_handler(PermissionDenied)
    def on_denied(request, exc):
        detail = str(exc) or _("You do not have permission to do this.")
        return problem(request, 403, _("Forbidden"), detail)

    @api.exception_handler(Http404)
    def on_404(request, exc):
        return problem(request, 404, _("Not found"), _("No such record."))

    @api.exception_handler(ObjectDoesNotExist)
    def on_missing(request, exc):
        return problem(request, 404, _("Not found"), _("No such record."))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return problem(request, exc.status_code, str(exc) or _("Error"), str(exc))

    @api.exception_handler(Exception)
    def on_unexpected(request, exc):
        logger.exception("Unhandled API error on %s", request.path)
        return problem(
            request,
            500,
            _("Server error"),
            _("Something went wrong on our side. Please try again later."),
        )
