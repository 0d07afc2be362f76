"""The search backend: one interface, an implementation per database.

Use it through :func:`get_backend`::

    backend = get_backend()
    backend.index("customers.contact", 42, title="张伟", body="...", organization_id=7)
    backend.remove("customers.contact", [42])
    backend.search(["customers.contact"], "张伟", limit=10, filters={"organization_id": 7})
    # -> [Hit(kind, object_id, score, snippet), ...]

Both implementations store the same pre-segmented tokens (``kefu.core.search.tokenize``) in
``core_searchdocument``: SQLite matches them with FTS5, PostgreSQL with a GIN-indexed tsvector.
Matching is the database's job; ranking is not: the first ``CANDIDATES`` matches (on SQLite the
most recently indexed ones; on PostgreSQL those among the kind's newest documents, ``PROBES``,
else the first the GIN index yields) are ranked here by :func:`score`, identically on both. Ranking every hit of a one-character query over a million
rows (bm25 and ts_rank both touch every matching row) is what makes full-text search slow.
"""

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import connections, router, transaction
from django.utils import timezone

from kefu.core.search import tokenize
from kefu.core.search.tokenize import Query, Term

CANDIDATES = 200
# PostgreSQL: windows of a kind's newest documents tried before the GIN index.
PROBES = (2000, 20000)
# ... of at most this many facets read through the facet index (more: the kind's window).
MAX_WINDOW_FACETS = 20
BATCH_SIZE = 2000
# SQLite: kinds holding at least this share of the documents are filtered on the document row
# instead of by their tag in the FTS index (see ``SqliteSearchBackend._search``) ...
WIDE_KIND_SHARE = 0.5
# ... reading at most this many of the words' newest matches before falling back to the tag.
WIDE_KIND_MAX_READ = 1000
# That share is estimated from this many documents, sampled at most every so many seconds.
KIND_SAMPLE = 256
KIND_SAMPLE_SECONDS = 300.0


class _KindSample(NamedTuple):
    taken_at: float  # time.monotonic()
    counts: dict[str, int]  # sampled documents per kind
    span: int  # MAX(id) - MIN(id) + 1: about how many documents there are


# Per (database alias, database name): the test suite swaps databases under one alias.
_KIND_SAMPLES: dict[tuple, _KindSample] = {}
_OWN_INDEX_KINDS: dict[tuple, frozenset[str]] = {}
_MAX_POSITION = 16383  # PostgreSQL's largest tsvector position


@dataclass
class Document:
    """What to index for one record.

    ``title``/``body``: free text (segmented, stemmed); ``names``: names, indexed with every
    CJK character and bigram so partial names match (weighted like the title); ``tokens``:
    ready-made body tokens (e-mail and phone tokens from ``tokenize``); ``excerpt``: original
    text snippets are cut from.
    """

    kind: str
    object_id: int
    title: str = ""
    body: str = ""
    names: Sequence[str] = ()
    tokens: Sequence[str] = ()
    organization_id: int | None = None
    facet: str = ""
    excerpt: str = ""
    # (title tokens, body tokens) once prepare() ran.
    prepared: tuple[str, str] | None = field(default=None, compare=False, repr=False)

    def prepare(self) -> "Document":
        """Segment the text now rather than when written (e.g. before a write transaction)."""
        self.prepared = (self.title_tokens(), self.body_tokens())
        return self

    def title_tokens(self) -> str:
        if self.prepared is not None:
            return self.prepared[0]
        out: list[str] = []
        for name in self.names:
            tokenize.name_tokens(name, out=out)
        tokenize.text_tokens(self.title, out=out)
        return tokenize.join(out)

    def body_tokens(self) -> str:
        if self.prepared is not None:
            return self.prepared[1]
        out = tokenize.text_tokens(self.body)
        out.extend(self.tokens)
        return tokenize.join(out)

    def meta_tokens(self) -> str:
        tokens = [_kind_token(self.kind)]
        if self.organization_id is not None:
            tokens.append(_org_token(self.organization_id))
        if self.facet:
            tokens.append(_facet_token(self.facet))
        return " ".join(tokens)


@dataclass(frozen=True)
class Hit:
    """One match: ``snippet`` is the highlighted excerpt, cut when first read (callers that
    re-rank and keep some of the hits only pay for the snippets they show)."""

    kind: str
    object_id: int
    score: float
    excerpt: str = field(default="", compare=False, repr=False)
    words: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @cached_property
    def snippet(self) -> str:
        from kefu.core.search.snippets import highlight

        return highlight(self.excerpt, list(self.words)) if self.excerpt else ""


def _kind_token(kind: str) -> str:
    return "k." + kind.lower()


def _org_token(organization_id: int) -> str:
    return f"o.{int(organization_id)}"


def _facet_token(facet: str) -> str:
    return "f." + tokenize.safe(facet)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [value]
    return list(value)


class SearchBackend(ABC):
    """The interface; subclasses implement the database-specific parts."""

    vendor = ""

    def __init__(self, alias: str = "default"):
        self.alias = alias

    @property
    def connection(self):
        return connections[self.alias]

    # --- writing ---------------------------------------------------------------------------

    def index(self, kind: str, object_id: int, **fields) -> None:
        """Index (or re-index) one record; see :class:`Document` for the fields."""
        self.index_documents([Document(kind=kind, object_id=object_id, **fields)])

    def index_documents(self, documents: Iterable[Document]) -> int:
        """Write ``documents``, replacing what was indexed for the same records. Returns a count."""
        rows = [
            (
                d.kind,
                int(d.object_id),
                d.organization_id,
                d.facet,
                d.title_tokens(),
                d.body_tokens(),
                d.meta_tokens(),
                d.excerpt[:1000],
            )
            for d in documents
        ]
        for start in range(0, len(rows), BATCH_SIZE):
            self._write(rows[start : start + BATCH_SIZE])
        return len(rows)

    def remove(self, kind: str, object_ids: Iterable[int]) -> None:
        """Remove records from the index (ids that were never indexed are ignored)."""
        ids = [int(i) for i in object_ids]
        with self.connection.cursor() as cursor:
            for start in range(0, len(ids), BATCH_SIZE):
                self._delete(cursor, kind, ids[start : start + BATCH_SIZE])

    def clear(self, kind: str) -> None:
        """Remove every record of ``kind`` (before a full rebuild)."""
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_searchdocument WHERE kind = %s", [kind])

    def _delete(self, cursor, kind: str, ids: list[int]) -> None:
        marks = ",".join(["%s"] * len(ids))
        cursor.execute(
            f"DELETE FROM core_searchdocument WHERE kind = %s AND object_id IN ({marks})",  # noqa: S608
            [kind, *ids],
        )

    @abstractmethod
    def _write(self, rows: list[tuple]) -> None:
        """Insert or replace index rows (kind, object_id, organization, facet, title, body,
        meta, excerpt)."""

    # --- reading ---------------------------------------------------------------------------

    @property
    def _cache_key(self) -> tuple:
        return (self.alias, self.connection.settings_dict["NAME"])

    def _kind_sample(self) -> _KindSample:
        """The kinds of up to ``KIND_SAMPLE`` documents at evenly spaced ids (two indexed
        reads; counting a million rows per kind took 80 ms on SQLite and 145 ms on
        PostgreSQL), kept per process for ``KIND_SAMPLE_SECONDS``."""
        sample = _KIND_SAMPLES.get(self._cache_key)
        now = time.monotonic()
        if sample is None or now - sample.taken_at > KIND_SAMPLE_SECONDS:
            sample = _KindSample(now, {}, 0)
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT MIN(id), MAX(id) FROM core_searchdocument")
                low, high = cursor.fetchone()
                if low is not None:
                    step = max(1, (high - low) // KIND_SAMPLE)
                    ids = list(range(low, high + 1, step))[:KIND_SAMPLE]
                    marks = ",".join(["%s"] * len(ids))
                    cursor.execute(
                        "SELECT kind, COUNT(*) FROM core_searchdocument "  # noqa: S608
                        f"WHERE id IN ({marks}) GROUP BY kind",
                        ids,
                    )
                    sample = _KindSample(now, dict(cursor.fetchall()), high - low + 1)
            _KIND_SAMPLES[self._cache_key] = sample
        return sample

    def kind_share(self, kinds: Sequence[str]) -> float:
        """Return about what share (0 to 1) of the indexed documents are of ``kinds``.

        An estimate (:meth:`_kind_sample`): backends use it to choose how to run a search,
        never what it finds, so a poor estimate only costs speed.
        """
        counts = self._kind_sample().counts
        sampled = sum(counts.values())
        return sum(counts.get(kind, 0) for kind in kinds) / sampled if sampled else 0.0

    def kind_size_estimate(self, kind: str) -> int:
        """Return about how many documents ``kind`` has (its share of the span of ids)."""
        return int(self.kind_share([kind]) * self._kind_sample().span)

    def search(
        self,
        kinds: str | Sequence[str],
        query: str,
        *,
        limit: int = 10,
        filters: dict | None = None,
    ) -> list[Hit]:
        """Return the best ``limit`` hits of ``kinds`` for what the user typed.

        ``filters``: ``organization_id`` (an id or a list of ids), ``facet`` (a value or a
        list). Every word must match; the last one as a prefix. When Chinese words segment
        differently from the indexed names, the query is retried with character pairs.
        """
        kinds = _as_list(kinds)
        parsed = tokenize.parse_query(query)
        if not parsed or not kinds:
            return []
        hits = self._search(kinds, parsed, limit, filters or {})
        if not hits and tokenize.has_cjk_pairs(query):
            pairs = tokenize.parse_query(query, bigrams=True)
            if pairs != parsed:  # "打印 printer" cuts the same way: the same query finds nothing
                hits = self._search(kinds, pairs, limit, filters or {})
        return hits

    @abstractmethod
    def _search(self, kinds, parsed: Query, limit: int, filters: dict) -> list[Hit]:
        """Return ranked hits for a parsed query."""


class SqliteSearchBackend(SearchBackend):
    """FTS5 over an external-content table, written here with set-based statements.

    The FTS index only stores tokens; deleting an entry needs the values it was built from
    (the ``'delete'`` command), so old rows are removed from the FTS index before the table.
    """

    vendor = "sqlite"

    def _delete(self, cursor, kind: str, ids: list[int]) -> None:
        marks = ",".join(["%s"] * len(ids))
        cursor.execute(
            "INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, body, meta) "  # noqa: S608
            "SELECT 'delete', id, title, body, meta FROM core_searchdocument "
            f"WHERE kind = %s AND object_id IN ({marks})",
            [kind, *ids],
        )
        super()._delete(cursor, kind, ids)

    def clear(self, kind: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM core_searchdocument WHERE kind <> %s", [kind])
            if cursor.fetchone()[0] == 0:
                # The only kind indexed: dropping the whole FTS index is instant.
                cursor.execute(
                    "INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES ('delete-all')"
                )
            else:
                cursor.execute(
                    "INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, "
                    "body, meta) SELECT 'delete', id, title, body, meta FROM core_searchdocument "
                    "WHERE kind = %s",
                    [kind],
                )
            cursor.execute("DELETE FROM core_searchdocument WHERE kind = %s", [kind])

    def _write(self, rows: list[tuple]) -> None:
        now = timezone.now().isoformat()
        by_kind: dict[str, list[int]] = {}
        for row in rows:
            by_kind.setdefault(row[0], []).append(row[1])
        with self.connection.cursor() as cursor:
            for kind, ids in by_kind.items():
                self._delete(cursor, kind, ids)
            cursor.executemany(
                "INSERT INTO core_searchdocument (kind, object_id, organization_id, facet, "
                "title, body, meta, excerpt, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [(*row, now) for row in rows],
            )
            for kind, ids in by_kind.items():
                marks = ",".join(["%s"] * len(ids))
                cursor.execute(
                    "INSERT INTO core_searchdocument_fts(rowid, title, body, meta) "  # noqa: S608
                    "SELECT id, title, body, meta FROM core_searchdocument "
                    f"WHERE kind = %s AND object_id IN ({marks})",
                    [kind, *ids],
                )

    @staticmethod
    def _term(term: Term) -> str:
        return f'"{term.text}"' + ("*" if term.prefix else "")

    def match_expression(self, kinds, parsed: Query, filters: dict, *, kind_tags=True) -> str:
        """Return the FTS5 MATCH expression for a parsed query and filters (without the kinds'
        tags when ``kind_tags`` is false: the caller then filters the kind itself)."""
        groups = []
        for group in parsed:
            terms = " OR ".join(self._term(t) for t in group)
            groups.append(f"({terms})" if len(group) > 1 else terms)
        text = " AND ".join(groups)
        meta = []
        if kind_tags:
            meta.append("(" + " OR ".join(f'"{_kind_token(k)}"' for k in kinds) + ")")
        organizations = _as_list(filters.get("organization_id"))
        if organizations:
            meta.append("(" + " OR ".join(f'"{_org_token(o)}"' for o in organizations) + ")")
        facets = _as_list(filters.get("facet"))
        if facets:
            meta.append("(" + " OR ".join(f'"{_facet_token(f)}"' for f in facets) + ")")
        # The words first: FTS5 advances an AND's children in order and the tags are in every
        # document of the kind (5-10% less for two common words that never meet, at 100k).
        if not meta:
            return f"{{title body}} : ({text})"
        return f"{{title body}} : ({text}) AND meta : ({' AND '.join(meta)})"

    def _search(self, kinds, parsed: Query, limit: int, filters: dict) -> list[Hit]:
        # No bm25(): it counts every row holding each phrase (the kind tag is in all of them),
        # which is a full doclist scan per query. The newest CANDIDATES matches come straight
        # off the index in rowid order and are ranked here.
        share = self.kind_share(kinds)
        rows = None
        if share >= WIDE_KIND_SHARE:
            rows = self._wide_kind_matches(kinds, parsed, filters, share)
        if rows is None:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT d.id, d.kind, d.object_id, d.title, d.excerpt "
                    "FROM core_searchdocument_fts "
                    "JOIN core_searchdocument d ON d.id = core_searchdocument_fts.rowid "
                    "WHERE core_searchdocument_fts MATCH %s "
                    "ORDER BY core_searchdocument_fts.rowid DESC LIMIT %s",
                    [self.match_expression(kinds, parsed, filters), CANDIDATES],
                )
                rows = cursor.fetchall()
        return _ranked(rows, parsed, limit)

    def _wide_kind_matches(self, kinds, parsed: Query, filters: dict, share: float):
        """The newest CANDIDATES matches of ``kinds`` when they are most of the index, or None.

        A kind's tag is in every one of its documents: ANDing the words with the tag of a
        kind of a million documents makes FTS5 seek through that million-entry list once per
        match of the words (4 ms for two common English names at 1M contacts, 0.6 without
        it). Here the words alone give their newest matches, a few more than the candidates
        (most of them are of these kinds), and the kind is checked on the rows read for
        ranking anyway. The answer is the same as with the tag: if the read was not cut
        short, it held every match; if it was and still gave CANDIDATES of these kinds, those
        are the newest. Otherwise (the words are mostly another kind's) None: use the tag.
        (``+kind``: the rows are found by id; SQLite would otherwise walk the kind's index.)
        """
        read = min(WIDE_KIND_MAX_READ, int(CANDIDATES / share * 1.25) + 1)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts "
                "MATCH %s ORDER BY rowid DESC LIMIT %s",
                [self.match_expression(kinds, parsed, filters, kind_tags=False), read],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return []
            id_marks = ",".join(["%s"] * len(ids))
            kind_marks = ",".join(["%s"] * len(kinds))
            cursor.execute(
                "SELECT id, kind, object_id, title, excerpt FROM core_searchdocument "  # noqa: S608
                f"WHERE id IN ({id_marks}) AND +kind IN ({kind_marks}) ORDER BY id DESC LIMIT %s",
                [*ids, *kinds, CANDIDATES],
            )
            rows = cursor.fetchall()
        if len(ids) == read and len(rows) < CANDIDATES:
            return None
        return rows


class PostgresSearchBackend(SearchBackend):
    """A tsvector column (written here, with positions and weights) under a GIN index."""

    vendor = "postgresql"

    @staticmethod
    def _tsvector(title: str, body: str) -> str:
        # Tokens are from tokenize's safe alphabet (no quotes, no backslashes), so they can be
        # written as tsvector literals directly; the weight is what makes titles count more.
        parts = []
        position = 0
        for weight, text in (("A", title), ("B", body)):
            for token in text.split():
                position = min(position + 1, _MAX_POSITION)
                parts.append(f"'{token}':{position}{weight}")
        return " ".join(parts)

    def _write(self, rows: list[tuple]) -> None:
        now = timezone.now()
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO core_searchdocument (kind, object_id, organization_id, facet, "
                "title, body, meta, excerpt, updated_at, tsv) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector) "
                "ON CONFLICT (kind, object_id) DO UPDATE SET "
                "organization_id = EXCLUDED.organization_id, facet = EXCLUDED.facet, "
                "title = EXCLUDED.title, body = EXCLUDED.body, meta = EXCLUDED.meta, "
                "excerpt = EXCLUDED.excerpt, updated_at = EXCLUDED.updated_at, tsv = EXCLUDED.tsv",
                [(*row, now, self._tsvector(row[4], row[5])) for row in rows],
            )

    @staticmethod
    def tsquery(parsed: Query) -> str:
        """Return the tsquery literal (cast with ``::tsquery``, never re-parsed by a config)."""
        groups = []
        for group in parsed:
            terms = " | ".join(f"'{t.text}'" + (":*" if t.prefix else "") for t in group)
            groups.append(f"({terms})" if len(group) > 1 else terms)
        return " & ".join(groups)

    def _search(self, kinds, parsed: Query, limit: int, filters: dict) -> list[Hit]:
        tsquery = self.tsquery(parsed)
        narrowing, narrowing_params = [], []
        organizations = _as_list(filters.get("organization_id"))
        if organizations:
            narrowing.append("organization_id = ANY(%s)")
            narrowing_params.append([int(o) for o in organizations])
        facets = _as_list(filters.get("facet"))
        if facets:
            narrowing.append("facet = ANY(%s)")
            narrowing_params.append([str(f) for f in facets])
        condition = " AND ".join(["tsv @@ %s::tsquery", *narrowing])
        params = [tsquery, *narrowing_params]
        with self.connection.cursor() as cursor:
            rows = []
            if len(kinds) == 1 and not self._small_with_own_index(kinds[0]):
                for size in PROBES:
                    rows = self._newest_matches(
                        cursor, kinds[0], condition, params, size, facets=facets
                    )
                    # Too few matches for the next window to fill the candidates: the index
                    # is cheaper than reading it.
                    if len(rows) >= CANDIDATES or len(rows) * PROBES[-1] < CANDIDATES * size:
                        break
                if (
                    len(rows) < CANDIDATES
                    # Not counted for a kind far larger than the window (a wrong estimate
                    # only means the GIN index is read: the same answer).
                    and self.kind_size_estimate(kinds[0]) <= 2 * size
                    and self._window_held_all(cursor, kinds[0], size, facets=facets)
                ):
                    return _ranked(rows, parsed, limit)
            if len(rows) < CANDIDATES:
                selective = [g for g in parsed if not _unselective(g)]
                if selective and len(selective) < len(parsed):
                    # The index collects the selective words' matches; the whole query is then
                    # checked on those rows (IS TRUE: not an index condition), not expanded in
                    # the index (see _unselective).
                    condition = " AND ".join(
                        ["tsv @@ %s::tsquery", "(tsv @@ %s::tsquery) IS TRUE", *narrowing]
                    )
                    params = [self.tsquery(selective), tsquery, *narrowing_params]
                rows = self._indexed_matches(cursor, kinds, condition, params)
        return _ranked(rows, parsed, limit)

    def _small_with_own_index(self, kind: str) -> bool:
        """Whether ``kind`` is searched through its own GIN index at once: it has one, and is
        small (a common word's matches there are few). A large kind with its own index (an
        article base of 100k) still tries the windows first, then reads its own index."""
        return kind in self.kinds_with_own_index() and self.kind_size_estimate(kind) <= PROBES[-1]

    def kinds_with_own_index(self) -> frozenset[str]:
        """The kinds given a GIN index of their own by a migration (``kefu.core.search.schema``),
        which PostgreSQL picks for ``kind = ANY(...)`` of that kind. Read from the catalogue
        once per process (indexes change with migrations, which restart it)."""
        kinds = _OWN_INDEX_KINDS.get(self._cache_key)
        if kinds is None:
            from kefu.core.search.schema import kind_of_index

            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'core_searchdocument'"
                )
                kinds = frozenset(
                    kind for (name,) in cursor.fetchall() if (kind := kind_of_index(name))
                )
            _OWN_INDEX_KINDS[self._cache_key] = kinds
        return kinds

    def _window_held_all(self, cursor, kind: str, size: int, *, facets=()) -> bool:
        """Return whether the window of ``size`` held every document of ``kind`` (of the
        facets it was limited to): then its matches are all the matches, and the GIN index,
        which would collect every match of the words in other kinds (30,000 contacts for a
        surname, for a kind with none), is not read. Counts at most ``size + 1`` entries."""
        condition, params = "kind = %s", [kind]
        windowed = _windowed_facets(facets)
        if windowed:
            condition, params = "kind = %s AND facet = ANY(%s)", [kind, windowed]
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM core_searchdocument "  # noqa: S608
            f"WHERE {condition} LIMIT %s) window_rows",
            [*params, size + 1],
        )
        return cursor.fetchone()[0] <= size

    def _newest_matches(
        self, cursor, kind: str, condition: str, params: list, size: int, *, facets=()
    ) -> list:
        """Return the first CANDIDATES matches among the newest ``size`` documents of ``kind``
        (of ``facets`` when the search is limited to a few: an agent's queues).

        A word in every other document has its candidates here after a few hundred rows,
        where the GIN index would first collect every one of its matches into a bitmap
        (tens of thousands at 100k documents, ~10 ms and more; ten times that at 1M). With
        facets, the window is the newest documents of those facets, merged from the
        ``(kind, facet, object_id DESC)`` index: an agent of one queue in six reads the same
        number of rows per candidate as a supervisor.
        """
        columns = "id, kind, object_id, title, excerpt, tsv, organization_id, facet"
        facets = _windowed_facets(facets)
        if facets:
            part = (
                f"(SELECT {columns} FROM core_searchdocument WHERE kind = %s AND facet = %s "  # noqa: S608
                "ORDER BY object_id DESC LIMIT %s)"
            )
            parts = " UNION ALL ".join([part] * len(facets))
            window = f"SELECT * FROM ({parts}) merged ORDER BY object_id DESC LIMIT %s"  # noqa: S608
            window_params = [v for f in facets for v in (kind, str(f), size)] + [size]
        else:
            window = (
                f"SELECT {columns} FROM core_searchdocument WHERE kind = %s "  # noqa: S608
                "ORDER BY object_id DESC LIMIT %s"
            )
            window_params = [kind, size]
        cursor.execute(
            "SELECT id, kind, object_id, title, excerpt FROM ("  # noqa: S608
            f"{window}) newest WHERE {condition} LIMIT %s",
            [*window_params, *params, CANDIDATES],
        )
        return cursor.fetchall()

    def _indexed_matches(self, cursor, kinds, condition: str, params: list) -> list:
        """Return the first CANDIDATES matches through the GIN index, whatever the planner thinks.

        With a LIMIT, the planner prefers reading the table (or a b-tree) in order until
        enough rows match, trusting its estimate that words are independent: "支付 invoice"
        (two common words that never meet) reads all 100k rows for nothing (~250 ms) instead
        of intersecting two posting lists. Plans other than the bitmap are turned off for this
        statement only, and the previous settings restored (``is_local``: a caller's
        transaction keeps its own).
        """
        query = (
            "SELECT id, kind, object_id, title, excerpt FROM core_searchdocument "  # noqa: S608
            f"WHERE {condition} AND kind = ANY(%s) LIMIT %s"
        )
        params = [*params, list(kinds), CANDIDATES]
        if not self.connection.in_atomic_block and _binds_client_side(cursor):
            # Outside a transaction, both statements go in one message: PostgreSQL runs it as
            # one implicit transaction, and is_local settings end with it (one round trip
            # instead of BEGIN, settings, query, COMMIT).
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), "
                f"set_config('enable_indexscan', 'off', true); {query}",
                params,
            )
            cursor.nextset()
            return cursor.fetchall()
        with transaction.atomic(using=self.alias, savepoint=False):
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true)"
            )
            seqscan, indexscan = cursor.fetchone()[:2]
            cursor.execute(query, params)
            rows = cursor.fetchall()
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), "
                "set_config('enable_indexscan', %s, true)",
                [seqscan, indexscan],
            )
        return rows


def _windowed_facets(facets) -> list[str]:
    """The facets a candidate window is limited to: all of them when they are few enough to
    merge (``MAX_WINDOW_FACETS``), none (the kind's window) otherwise."""
    return [str(f) for f in facets] if facets and len(facets) <= MAX_WINDOW_FACETS else []


def _unselective(group: list[Term]) -> bool:
    """Whether a query word is a prefix of one or two characters ("w" of "joshua.w", "ha" of
    "姜丹丹 Ha"). In PostgreSQL's GIN index such a prefix stands for thousands of words whose
    lists are all merged (160 ms at 1M contacts for "joshua.w", most of it that "w"); beside
    other words it narrows little, so it is checked on their matches instead."""
    return all(term.prefix and len(term.text) <= 2 for term in group)


def _binds_client_side(cursor) -> bool:
    """Whether parameters are merged into the SQL here (psycopg's client-side binding, Django's
    default), which is what lets one execute carry two statements."""
    import psycopg

    return isinstance(getattr(cursor, "cursor", cursor), psycopg.ClientCursor)


def score(title: str, parsed: Query) -> float:
    """Return how well a document whose title tokens are ``title`` answers ``parsed``.

    Per query word: 1 for a whole title token, 0.6 for a title token it begins, 0.2 when it
    matched only the body; plus a small bonus for short titles (an exact name beats a name
    that merely contains the word). The same on both databases, so results do not depend on
    which one runs.
    """
    tokens = title.split()
    present = set(tokens)
    total = 0.0
    for group in parsed:
        best = 0.2
        for term in group:
            if term.text in present:
                best = 1.0
                break
            if term.prefix and any(t.startswith(term.text) for t in tokens):
                best = max(best, 0.6)
        total += best
    return total + 1.0 / (1 + len(tokens))


def _ranked(rows, parsed: Query, limit: int) -> list[Hit]:
    scored = sorted(
        (
            (score(title, parsed), pk, kind, object_id, excerpt)
            for pk, kind, object_id, title, excerpt in rows
        ),
        key=lambda row: (-row[0], -row[1]),
    )
    words = tuple(t.text for group in parsed for t in group)
    return [
        Hit(kind=kind, object_id=object_id, score=float(value), excerpt=excerpt, words=words)
        for value, _pk, kind, object_id, excerpt in scored[:limit]
    ]


_BACKENDS = {"sqlite": SqliteSearchBackend, "postgresql": PostgresSearchBackend}


def get_backend(alias: str | None = None) -> SearchBackend:
    """Return the search backend for the database ``alias`` (default: where documents live)."""
    from kefu.core.models import SearchDocument

    alias = alias or router.db_for_write(SearchDocument)
    vendor = connections[alias].vendor
    try:
        return _BACKENDS[vendor](alias)
    except KeyError:
        raise LookupError(f"no search backend for the {vendor} database") from None
