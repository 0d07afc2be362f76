"""Configuration snapshots kept per process, checked against one row on every use.

Hot paths (creating a ticket, taking in a mail) read the same configuration rows over and
over: queues, statuses, routing rules, the priority matrix, SLA policies, custom field
definitions, mail templates, mailboxes. An app registers those models here
(:func:`register_models`, in ``AppConfig.ready``) and reads them through :func:`snapshot`,
which costs one indexed one-row query (:class:`~kefu.core.models.ConfigStamp`) instead of one
query per table.

Every ``post_save``/``post_delete``/``m2m_changed`` of a registered model writes a new random
token to the stamp row in the writer's own transaction, so the change and the new token commit
(or roll back) together, and the very next use in any process, on any host, sees the change.
A rolled-back change leaves the committed token as it was; the token is random so a later
change never reproduces an old one. Writes that send no signals (``QuerySet.update()``,
``bulk_create``, raw SQL, data migrations through historical models) must call
:func:`config_changed` themselves.

A snapshot is built from the database after the token was read, so a snapshot built while a
change commits is at worst newer than its token, and is rebuilt on the next use. Snapshots are
shared by the threads of a process: treat what they hold as read-only.
"""

import contextlib
import threading
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

T = TypeVar("T")

_SNAPSHOTS: dict[tuple[str, str], tuple[str, Any]] = {}
_LOCK = threading.Lock()
_REGISTERED: set[type] = set()
# Snapshots pinned for the duration of one change (see :func:`pinned`).
_PINNED: ContextVar[dict | None] = ContextVar("kefu_config_pinned", default=None)
# Snapshots already checked in this unit of work (see :func:`checked_once`).
_READ_SCOPE: ContextVar[dict | None] = ContextVar("kefu_config_read_scope", default=None)


def current_token(using: str = "default") -> str | None:
    """The committed (or, inside a transaction, this transaction's) configuration token.

    None when the stamp row does not exist yet (a fresh or flushed database).
    """
    from kefu.core.models import ConfigStamp

    connection = connections[using]
    quote = connection.ops.quote_name
    # Plain SQL: this runs on every use of every snapshot, and the ORM's query building costs
    # more than the indexed one-row read itself. Names come from the model's metadata.
    sql = f"SELECT {quote('token')} FROM {quote(ConfigStamp._meta.db_table)} WHERE id = 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return row[0] if row else None


def config_changed(using: str = "default", **kwargs) -> None:
    """Give the configuration a new token, in the current transaction (if any)."""
    from kefu.core.models import ConfigStamp

    checked = _READ_SCOPE.get()
    if checked is not None:
        checked.clear()  # this request changed the configuration: check again
    token = uuid.uuid4().hex
    now = timezone.now()
    updated = ConfigStamp.objects.using(using).filter(pk=1).update(token=token, changed_at=now)
    if not updated:
        ConfigStamp.objects.using(using).get_or_create(
            pk=1, defaults={"token": token, "changed_at": now}
        )


def _changed(sender, using="default", raw=False, **kwargs) -> None:
    if kwargs.get("action", "post_").startswith("pre_"):
        return  # m2m_changed: the post_ action follows
    config_changed(using=using)


def register_models(*models: type) -> None:
    """Bump the token on every save, delete or many-to-many change of ``models``."""
    for model in models:
        if model in _REGISTERED:
            continue
        _REGISTERED.add(model)
        uid = f"configstamp:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + ":delete", weak=False)
        for field in model._meta.local_many_to_many:
            if not field.remote_field.through._meta.auto_created:
                continue  # an explicit through model is registered (or not) on its own
            m2m_changed.connect(
                _changed,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}:m2m:{field.name}",
                weak=False,
            )


def snapshot(name: str, build: Callable[[], T], *, using: str = "default") -> T:
    """The value ``build()`` returned for the current configuration token (one query).

    ``build`` runs again when the token moved since the cached value was built. A database
    without the stamp row (fresh, or flushed by a test) gets one here.
    """
    key = (connections[using].alias, name)
    pinned_values = _PINNED.get()
    if pinned_values is not None and key in pinned_values:
        return pinned_values[key]
    checked = _READ_SCOPE.get()
    if checked is None:
        return _current(key, build, using, _read_token(using))
    if key in checked:
        return checked[key]
    # One stamp read per database per scope, however many snapshots the request uses.
    token_key = (key[0], None)
    token = checked.get(token_key)
    if token is None:
        token = checked[token_key] = _read_token(using)
    value = checked[key] = _current(key, build, using, token)
    return value


def _read_token(using: str) -> str:
    token = current_token(using)
    return _first_token(using) if token is None else token


def _current(key: tuple[str, str], build: Callable[[], T], using: str, token: str) -> T:
    cached = _SNAPSHOTS.get(key)
    if cached is not None and cached[0] == token:
        return cached[1]
    value = build()
    with _LOCK:
        _SNAPSHOTS[key] = (token, value)
    return value


def _first_token(using: str) -> str:
    """Create the stamp row of a fresh (or flushed) database; return its token."""
    from kefu.core.models import ConfigStamp

    stamp, _created = ConfigStamp.objects.using(using).get_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex, "changed_at": timezone.now()}
    )
    return stamp.token


@contextlib.contextmanager
def checked_once() -> Iterator[None]:
    """Read the stamp once inside the block and each snapshot at most once.

    For a unit of work that wants one view of the configuration: a page with several panels
    reading several snapshots, some of them several times; a mail taken in (the mail, desk
    and customer configuration); a ticket created. A change made inside the block is seen at
    once (:func:`config_changed` starts over); one committed by others meanwhile is seen by
    the next block, as if it had committed a moment later. Inside another such block it
    changes nothing (the outer block's checks stand).
    """
    if _READ_SCOPE.get() is not None:
        yield
        return
    token = _READ_SCOPE.set({})
    try:
        yield
    finally:
        _READ_SCOPE.reset(token)


class ReadOnlyRequestMiddleware:
    """GET and HEAD requests read the configuration stamp once (:func:`checked_once`).

    They change no configuration; a change committed by another request meanwhile is seen
    by the next request, as it would be had it committed a moment later.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with checked_once():
            return self.get_response(request)


@contextlib.contextmanager
def pinned(name: str, value: Any, *, using: str = "default") -> Iterator[None]:
    """Serve ``value`` as snapshot ``name`` inside the block, without checking the stamp.

    A service that read the configuration once pins it for the change it makes, so the
    receivers of its events (SLA clocks, mail) use the same snapshot instead of checking the
    stamp again. Configuration written inside the block is not seen by the pinned value.
    """
    current = dict(_PINNED.get() or {})
    current[(connections[using].alias, name)] = value
    token = _PINNED.set(current)
    try:
        yield
    finally:
        _PINNED.reset(token)


def forget(name: str | None = None, *, prefix: str | None = None) -> None:
    """Drop snapshot ``name`` (every database's), those whose names start with ``prefix``,
    or, with neither, every snapshot of this process (tests)."""
    with _LOCK:
        if name is None and prefix is None:
            _SNAPSHOTS.clear()
            return
        for key in list(_SNAPSHOTS):
            if key[1] == name or (prefix is not None and key[1].startswith(prefix)):
                del _SNAPSHOTS[key]
