"""``Idempotency-Key`` for API POSTs: a retried request gets the first answer, not a duplicate.

Middleware rather than a per-handler decorator so that every POST honours it. The key is claimed
(a row inserted, committed) *before* the handler runs, so two concurrent retries cannot both
run; the loser answers 409. A handler that fails with a 5xx releases the key so the client can
retry. Keys are per user and kept for 24 hours.
"""

import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.apikit.problems import problem

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
RETENTION = timedelta(hours=24)


def _request_user(request):
    from kefu.apikit.auth import request_token_user

    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        try:
            return request_token_user(request, header[7:].strip())
        except Exception:
            return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        from kefu.core.models import IdempotencyKey

        if len(key) > MAX_KEY_LENGTH:
            return problem(
                request,
                400,
                _("Invalid Idempotency-Key"),
                _("The key is longer than 255 characters."),
            )
        user = _request_user(request)
        if user is None:
            return self.get_response(request)  # the handler answers 401
        digest = hashlib.sha256(
            b"\n".join([request.method.encode(), request.path.encode(), request.body])
        ).hexdigest()
        IdempotencyKey.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
        existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_hash=digest,
                    )
            except IntegrityError:
                existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            else:
                response = self.get_response(request)
                if response.status_code >= 500:
                    record.delete()
                else:
                    record.status_code = response.status_code
                    record.response_body = bytes(response.content)
                    record.content_type = response.get("Content-Type", "")[:100]
                    record.save(update_fields=["status_code", "response_body", "content_type"])
                return response
        if existing is None or existing.request_hash != digest:
            return problem(
                request,
                422,
                _("Idempotency-Key reused"),
                _("This key was already used for a different request."),
            )
        if existing.status_code is None:
            return problem(
                request,
                409,
                _("Request in progress"),
                _("A request with this key is still being processed."),
            )
        from django.http import HttpResponse

        response = HttpResponse(
            bytes(existing.response_body or b""),
            status=existing.status_code,
            content_type=existing.content_type or "application/json",
        )
        response["Idempotent-Replayed"] = "true"
        return response


HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Any unique string (e.g. a UUID). A retried POST with the same key and body "
    "gets the first answer again (with `Idempotent-Replayed: true`) instead of acting twice; "
    "the same key with a different body answers 422. Keys are kept for 24 hours.",
    "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
}


def document(api) -> None:
    """Add the ``Idempotency-Key`` header to every POST operation in ``api``'s OpenAPI schema.

    The middleware honours it for every POST, so documenting it per handler would repeat the
    same parameter on each one.
    """
    original = api.get_openapi_schema

    def get_openapi_schema(*args, **kwargs):
        schema = original(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            operation = path_item.get("post")
            if operation is None:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == HEADER and p.get("in") == "header" for p in parameters):
                parameters.append(dict(HEADER_PARAMETER))
        return schema

    api.get_openapi_schema = get_openapi_schema
