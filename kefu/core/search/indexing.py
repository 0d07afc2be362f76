"""Keeping the index current: indexers per kind, change tracking, bulk indexing and rebuilds.

An app registers an indexer per kind in its ``AppConfig.ready``::

    register_indexer("customers.contact", build=contact_documents, all_ids=contact_ids)

``build(ids) -> [Document]`` returns documents for the ids that still exist (ids it leaves out
are removed from the index); ``all_ids()`` returns a queryset of every id, for rebuilds.

Changes are tracked by signal receivers calling :func:`schedule`. The write happens once per
transaction, on commit: a service that saves a contact, then its identities, then its
memberships marks the contact four times but it is re-indexed once, after the data it reads is
committed, and a rolled-back transaction indexes nothing. The callback is ``robust``: a failing
index write is logged and never turns a committed change into an error; ``kefu search_rebuild``
repairs the index after such a failure. Outside a transaction the write happens at once.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from kefu.core.search.backends import Document, get_backend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Indexer:
    kind: str
    build: Callable[[list[int]], list[Document]]
    all_ids: Callable[[], QuerySet]


_INDEXERS: dict[str, Indexer] = {}


def register_indexer(
    kind: str,
    *,
    build: Callable[[list[int]], list[Document]],
    all_ids: Callable[[], QuerySet],
) -> None:
    _INDEXERS[kind] = Indexer(kind=kind, build=build, all_ids=all_ids)


def indexers() -> dict[str, Indexer]:
    return dict(_INDEXERS)


def index_objects(kind: str, ids: Iterable[int], *, batch_size: int = 2000) -> int:
    """Index (or remove) the records ``ids`` of ``kind`` now; return how many were indexed.

    The bulk path for imports and seeding: call it inside or after the transaction that wrote
    the rows. Runs in batches of ``batch_size``.
    """
    indexer = _INDEXERS[kind]
    backend = get_backend()
    ids = sorted({int(i) for i in ids})
    written = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        # No savepoint inside a caller's transaction: an error fails the caller anyway.
        with transaction.atomic(savepoint=False):
            documents = indexer.build(chunk)
            written += backend.index_documents(documents)
            present = {d.object_id for d in documents}
            gone = [i for i in chunk if i not in present]
            if gone:
                backend.remove(kind, gone)
    return written


class _Pending:
    """The records marked in one transaction, indexed by one on-commit callback."""

    def __init__(self, using: str):
        self.using = using
        self.marked: dict[str, set[int]] = {}

    def add(self, kind: str, ids: Iterable[int]) -> None:
        self.marked.setdefault(kind, set()).update(int(i) for i in ids)

    def flush(self) -> None:
        connection = transaction.get_connection(self.using)
        if getattr(connection, "_kefu_search_pending", None) is self:
            connection._kefu_search_pending = None
        for kind, ids in self.marked.items():
            if ids and kind in _INDEXERS:
                index_objects(kind, ids)

    def is_registered(self, connection) -> bool:
        return any(func == self.flush for _sids, func, _robust in connection.run_on_commit)


def schedule(kind: str, ids: Iterable[int], *, using: str = "default") -> None:
    """Re-index these records when the current transaction commits (at once outside one)."""
    ids = [int(i) for i in ids if i is not None]
    if not ids:
        return
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        index_objects(kind, ids)
        return
    pending = getattr(connection, "_kefu_search_pending", None)
    # A savepoint rollback discards callbacks registered inside it: start over if ours went.
    if pending is None or not pending.is_registered(connection):
        pending = _Pending(using)
        connection._kefu_search_pending = pending
        transaction.on_commit(pending.flush, using=using, robust=True)
    pending.add(kind, ids)


def flush(using: str = "default") -> None:
    """Index the records marked so far in this transaction now, inside it.

    A service about to commit calls this so its index rows go into its own transaction instead
    of a second one after the commit: one commit per request instead of two, and a commit is
    most of what a small write costs (an fsync on PostgreSQL). Only in the outermost atomic
    block, where nothing marked can still be rolled back by a savepoint without the index
    rows; elsewhere (and outside transactions) it does nothing and the on-commit callback
    indexes as before. A failing index write is logged and left to that callback, which
    retries it after the commit: it never fails the caller's change.
    """
    connection = transaction.get_connection(using)
    pending = getattr(connection, "_kefu_search_pending", None)
    if (
        pending is None
        or not any(pending.marked.values())
        or not connection.in_atomic_block
        or connection.savepoint_ids
        or connection.needs_rollback
        or not pending.is_registered(connection)
    ):
        return
    marked, pending.marked = pending.marked, {}
    try:
        with transaction.atomic(using=using):
            for kind, ids in marked.items():
                if kind in _INDEXERS:
                    index_objects(kind, ids)
    except Exception:
        logger.exception("search: indexing in the transaction failed; retrying after commit")
        for kind, ids in marked.items():
            pending.add(kind, ids)


def index_prepared(documents: list[Document], *, using: str = "default") -> None:
    """Write ``documents`` now, inside the current transaction, and drop their marks.

    For a service that built the documents from what it is writing (no read back, text
    segmented before its transaction began). A failing write is logged and the records stay
    marked, so the on-commit callback retries them.
    """
    if not documents:
        return
    try:
        with transaction.atomic(using=using):
            get_backend(using).index_documents(documents)
    except Exception:
        logger.exception("search: indexing in the transaction failed; retrying after commit")
        return
    connection = transaction.get_connection(using)
    pending = getattr(connection, "_kefu_search_pending", None)
    if pending is not None:
        for document in documents:
            pending.marked.get(document.kind, set()).discard(document.object_id)


def catch_up(
    kind: str,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index the records of ``kind`` newer than the newest indexed one (after bulk inserts).

    Bulk loaders (seed, imports) append rows with rising ids and send no signals; this indexes
    exactly those rows without touching the rest. Returns how many were indexed.
    """
    from django.db.models import Max

    from kefu.core.models import SearchDocument

    newest = SearchDocument.objects.filter(kind=kind).aggregate(m=Max("object_id"))["m"] or 0
    return _index_all(kind, start_after=newest, batch_size=batch_size, progress=progress)


def pending_count(kind: str) -> int:
    """Return how many records of ``kind`` :func:`catch_up` would index."""
    from django.db.models import Max

    from kefu.core.models import SearchDocument

    newest = SearchDocument.objects.filter(kind=kind).aggregate(m=Max("object_id"))["m"] or 0
    return _INDEXERS[kind].all_ids().filter(pk__gt=newest).count()


def _index_all(kind: str, *, start_after: int, batch_size: int, progress) -> int:
    indexer = _INDEXERS[kind]
    backend = get_backend()
    queryset = indexer.all_ids().order_by("pk")
    last = start_after
    written = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not ids:
            break
        with transaction.atomic():
            written += backend.index_documents(indexer.build(ids))
        last = ids[-1]
        if progress is not None:
            progress(len(ids))
    return written


def rebuild(
    kind: str,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Drop every document of ``kind`` and index all its records again, in batches.

    ``progress(n)`` is called after each batch with the number of records it covered.
    """
    with transaction.atomic():
        get_backend().clear(kind)
    return _index_all(kind, start_after=0, batch_size=batch_size, progress=progress)
