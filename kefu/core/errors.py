"""Errors that services raise and every interface (form view, API) turns into a clear answer.

Field validation uses Django's own ``ValidationError`` (with a ``{field: [messages]}`` dict), so a
form can show it inline and the API can answer RFC 9457 problem+json with the same messages.
"""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """Base for domain errors with an HTTP status and a human message."""

    status_code = 400
    title = _("Bad request")

    def __init__(self, detail: str, *, link: str | None = None, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.link = link
        self.code = code


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate identity, a stale version)."""

    status_code = 409
    title = _("Conflict")


class NotFound(ServiceError):
    status_code = 404
    title = _("Not found")
