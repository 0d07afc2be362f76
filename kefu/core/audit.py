"""Who changed what, and through which door (UI, API, import, job).

django-auditlog writes one ``LogEntry`` per create, update and delete of a registered model. This
module supplies the two facts it cannot see by itself: the acting user when authentication happens
inside the view (API tokens), and the *source* of the change. Both travel in context variables, so
they are right per request and per thread, and a job or an import sets them with
:func:`audit_context`.
"""

import contextlib
from collections.abc import Callable, Iterable, Iterator
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


def log_created(instances: Iterable[Any]) -> list[LogEntry]:
    """Write the "created" audit entries of ``instances`` with one INSERT.

    The entries are the ones django-auditlog's ``post_save`` receiver would write one at a time
    (its own diff, repr, serialisation and correlation id, then the actor and source of the
    current :func:`audit_context`), for rows saved under ``auditlog.context.disable_auditlog``
    or with ``bulk_create``: a contact with two identities is one INSERT instead of three.
    Instances of models not registered with auditlog are skipped.
    """
    from auditlog.cid import get_cid
    from auditlog.context import auditlog_disabled
    from auditlog.diff import model_instance_diff
    from auditlog.registry import auditlog
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.utils.encoding import smart_str

    try:
        if auditlog_disabled.get():
            return []
    except LookupError:
        pass
    entries = []
    cid = get_cid()
    for instance in instances:
        if not auditlog.contains(type(instance)):
            continue
        changes = model_instance_diff(
            None, instance, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not changes:
            continue
        pk = instance.pk
        get_additional_data = getattr(instance, "get_additional_data", None)
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=smart_str(instance),
            serialized_data=LogEntry.objects._get_serialized_data_or_none(instance),
            action=LogEntry.Action.CREATE,
            changes=changes,
            additional_data=get_additional_data() if callable(get_additional_data) else None,
            cid=cid,
        )
        _fill_log_entry(LogEntry, entry)
        entries.append(entry)
    if entries:
        LogEntry.objects.bulk_create(entries)
    return entries


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
