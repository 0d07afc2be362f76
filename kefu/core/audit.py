"""Who changed what, and through which door (UI, API, import, job).

django-auditlog writes one ``LogEntry`` per create, update and delete of a registered model. This
module supplies the two facts it cannot see by itself: the acting user when authentication happens
inside the view (API tokens), and the *source* of the change. Both travel in context variables, so
they are right per request and per thread, and a job or an import sets them with
:func:`audit_context`.
"""

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from django.dispatch import receiver


class AuditSource:
    UI = "ui"
    API = "api"
    IMPORT = "import"
    JOB = "job"
    SYSTEM = "system"


_actor: ContextVar[Callable[[], Any] | None] = ContextVar("kefu_audit_actor", default=None)
_source: ContextVar[str] = ContextVar("kefu_audit_source", default=AuditSource.SYSTEM)


@contextlib.contextmanager
def audit_context(*, source: str, actor: Any = None) -> Iterator[None]:
    """Attribute every change made inside the block to ``actor`` (a user or None) via ``source``."""
    actor_token = _actor.set((lambda: actor) if not callable(actor) else actor)
    source_token = _source.set(source)
    try:
        yield
    finally:
        _actor.reset(actor_token)
        _source.reset(source_token)


def current_source() -> str:
    return _source.get()


class AuditContextMiddleware:
    """Set the audit actor (read lazily: API token auth sets ``request.user`` later) and source."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.UI
        with audit_context(source=source, actor=lambda: getattr(request, "user", None)):
            return self.get_response(request)


@receiver(pre_save, sender=LogEntry, dispatch_uid="kefu_audit_context")
def _fill_log_entry(sender, instance: LogEntry, **kwargs) -> None:
    if instance.pk:
        return
    resolve = _actor.get()
    if instance.actor_id is None and resolve is not None:
        user = resolve()
        if user is not None and getattr(user, "is_authenticated", False):
            instance.actor = user
            instance.actor_email = getattr(user, "email", None)
    data = dict(instance.additional_data or {})
    data.setdefault("source", _source.get())
    instance.additional_data = data
