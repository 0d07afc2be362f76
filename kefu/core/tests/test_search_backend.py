"""The search backend on the database under test (run the suite on SQLite and PostgreSQL)."""

import pytest
from django.db import connection

from kefu.core.models import SearchDocument
from kefu.core.search import backends, get_backend, tokenize
from kefu.core.search.snippets import highlight

pytestmark = pytest.mark.django_db

KIND = "test.article"


def ids(hits):
    return [hit.object_id for hit in hits]


def test_backend_matches_the_database_vendor():
    assert get_backend().vendor == connection.vendor


def test_two_character_chinese_words_are_found():
    backend = get_backend()
    backend.index(KIND, 1, title="打印机无法连接网络", body="请检查路由器设置")
    backend.index(KIND, 2, title="发票开具流程", body="财务部门处理")

    assert ids(backend.search(KIND, "网络")) == [1]
    assert ids(backend.search(KIND, "打印")) == [1]
    assert ids(backend.search(KIND, "发票")) == [2]
    assert ids(backend.search(KIND, "路由器")) == [1]


def test_mixed_chinese_and_english_query_needs_every_word():
    backend = get_backend()
    backend.index(KIND, 1, title="打印机 printer 安装指南")
    backend.index(KIND, 2, title="打印机 scanner 安装指南")

    assert ids(backend.search(KIND, "打印机 printer")) == [1]
    assert ids(backend.search(KIND, "printer 打印机")) == [1]
    assert ids(backend.search(KIND, "安装 scanner")) == [2]
    assert backend.search(KIND, "打印机 fax") == []


def test_english_words_match_their_stems():
    backend = get_backend()
    backend.index(KIND, 1, body="The printers were printing slowly")

    assert ids(backend.search(KIND, "printed")) == [1]
    assert ids(backend.search(KIND, "printer slow")) == [1]


def test_last_word_is_a_prefix():
    backend = get_backend()
    backend.index(KIND, 1, title="Configuration of the mail gateway")

    assert ids(backend.search(KIND, "config")) == [1]
    assert ids(backend.search(KIND, "mail gate")) == [1]
    assert backend.search(KIND, "gate mail") == []


def test_names_match_single_characters_and_character_pairs():
    backend = get_backend()
    backend.index(KIND, 1, names=["欧阳娜娜"])

    assert ids(backend.search(KIND, "欧")) == [1]
    assert ids(backend.search(KIND, "阳娜")) == [1]
    assert ids(backend.search(KIND, "欧阳娜娜")) == [1]


def test_reindexing_replaces_the_old_words():
    backend = get_backend()
    backend.index(KIND, 1, title="旧标题 legacy")
    backend.index(KIND, 1, title="新标题 modern")

    assert backend.search(KIND, "legacy") == []
    assert ids(backend.search(KIND, "modern")) == [1]
    assert SearchDocument.objects.filter(kind=KIND, object_id=1).count() == 1


def test_removed_documents_are_not_found():
    backend = get_backend()
    backend.index(KIND, 1, title="退款申请")
    backend.index(KIND, 2, title="退款进度")

    backend.remove(KIND, [1])

    assert ids(backend.search(KIND, "退款")) == [2]
    assert not SearchDocument.objects.filter(kind=KIND, object_id=1).exists()


def test_kinds_and_filters_narrow_the_hits():
    backend = get_backend()
    backend.index(KIND, 1, title="保修政策", organization_id=10, facet="public")
    backend.index(KIND, 2, title="保修政策", organization_id=20, facet="internal")
    backend.index("test.other", 3, title="保修政策", organization_id=10)

    assert sorted(ids(backend.search(KIND, "保修"))) == [1, 2]
    assert ids(backend.search(KIND, "保修", filters={"organization_id": 10})) == [1]
    assert ids(backend.search(KIND, "保修", filters={"facet": "internal"})) == [2]
    assert sorted(
        ids(backend.search([KIND, "test.other"], "保修", filters={"organization_id": [10]}))
    ) == [1, 3]


def test_title_matches_rank_above_body_matches():
    backend = get_backend()
    backend.index(KIND, 1, title="其他问题", body="退货 说明")
    backend.index(KIND, 2, title="退货 说明", body="其他问题")

    assert ids(backend.search(KIND, "退货")) == [2, 1]


def test_ranking_only_looks_at_a_capped_set_of_candidates(monkeypatch):
    monkeypatch.setattr(backends, "CANDIDATES", 5)
    backend = get_backend()
    for object_id in range(1, 21):
        backend.index(KIND, object_id, title=f"会员 {object_id}")

    hits = backend.search(KIND, "会员", limit=50)

    assert len(hits) == 5


def test_matches_older_than_the_newest_documents_tried_first_are_found(monkeypatch):
    # PostgreSQL tries windows of a kind's newest documents before the GIN index.
    monkeypatch.setattr(backends, "PROBES", (3, 6))
    backend = get_backend()
    backend.index(KIND, 1, title="琥珀 old")
    for object_id in range(2, 10):
        backend.index(KIND, object_id, title=f"会员 {object_id}")

    assert ids(backend.search(KIND, "琥珀")) == [1]
    assert sorted(ids(backend.search(KIND, "会员", limit=20))) == list(range(2, 10))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL candidate windows")
def test_a_filter_keeping_few_matches_reads_the_larger_window(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(backends, "CANDIDATES", 3)
    monkeypatch.setattr(backends, "PROBES", (4, 40))
    backend = get_backend()
    for object_id in range(1, 41):
        backend.index(KIND, object_id, title="保修", facet="mine" if object_id % 5 == 0 else "")

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修", filters={"facet": "mine"})

    assert sorted(ids(hits)) == [30, 35, 40]
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL candidate windows")
def test_facet_filters_read_the_newest_documents_of_those_facets(monkeypatch):
    """An agent's queues: the window is their newest documents, not every queue's."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(backends, "CANDIDATES", 6)
    monkeypatch.setattr(backends, "PROBES", (4, 8))
    backend = get_backend()
    for object_id in range(1, 4):
        backend.index(KIND, object_id, title="保修 a", facet="queue-a")
    for object_id in range(4, 7):
        backend.index(KIND, object_id, title="保修 b", facet="queue-b")
    for object_id in range(7, 60):  # newer, and in queues the agent does not work
        backend.index(KIND, object_id, title="保修 other", facet=f"queue-{object_id % 4}")

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修", limit=10, filters={"facet": ["queue-a", "queue-b"]})

    assert sorted(ids(hits)) == [1, 2, 3, 4, 5, 6]
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)
    # More facets than the window merges: the kind's window, then the index; same answer.
    monkeypatch.setattr(backends, "MAX_WINDOW_FACETS", 1)
    many = backend.search(KIND, "保修", limit=10, filters={"facet": ["queue-a", "queue-b"]})
    assert sorted(ids(many)) == [1, 2, 3, 4, 5, 6]


def _planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        return cursor.fetchone()


def _index_newer_others(backend, first: int, last: int) -> None:
    """Documents ``first``..``last`` of KIND that match none of the tests' words."""
    for object_id in range(first, last + 1):
        backend.index(KIND, object_id, title=f"其他 {object_id}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
def test_index_only_search_leaves_the_callers_planner_settings_alone():
    from django.db import transaction

    backend = get_backend()
    backend.index(KIND, 1, title="保修 printer")
    with transaction.atomic():
        backend.search(KIND, "保修 fax")  # no match in the newest documents: the index path
        assert _planner_settings() == ("on", "on")
    assert _planner_settings() == ("on", "on")


def test_query_syntax_characters_are_harmless():
    backend = get_backend()
    backend.index(KIND, 1, title="quoted or near")

    for query in ['"', '" OR *', "NEAR(", "a:b", "'; DROP TABLE x; --", "-(", "*", "^"]:
        backend.search(KIND, query)
    assert ids(backend.search(KIND, 'quoted" OR "near')) == [1]


def test_snippet_highlights_matches_in_the_excerpt():
    backend = get_backend()
    backend.index(KIND, 1, title="网络故障", excerpt="路由器<重启>后网络恢复")

    [hit] = backend.search(KIND, "网络")

    assert hit.snippet == "路由器&lt;重启&gt;后<mark>网络</mark>恢复"


def test_highlight_cuts_a_window_around_the_first_match():
    text = "前言" * 200 + "关键内容 Keyword here" + "后记" * 200

    snippet = highlight(text, ["keyword"], width=40)

    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>Keyword</mark>" in snippet


def test_phone_tokens_hold_every_suffix_of_four_digits_or_more():
    tokens = tokenize.phone_tokens("+8613800138000", "13800138000")

    assert "8613800138000" in tokens
    assert "13800138000" in tokens
    assert "8000" in tokens and "00138000" in tokens
    assert "000" not in tokens


def test_phone_like_queries_become_one_digit_prefix():
    assert tokenize.parse_query("+86 138-0013-8000") == [[tokenize.Term("8613800138000", True)]]
    assert tokenize.parse_query("138 0013") == [[tokenize.Term("1380013", True)]]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
def test_sqlite_fts_index_stays_consistent_with_its_table():
    backend = get_backend()
    backend.index(KIND, 1, title="一致性 检查")
    backend.index(KIND, 2, title="第二 文档")
    backend.index(KIND, 1, title="已经 修改")
    backend.remove(KIND, [2])
    backend.clear("test.none")

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rank) "
            "VALUES ('integrity-check', 1)"
        )
    assert ids(backend.search(KIND, "修改")) == [1]


def test_overlong_words_are_not_indexed():
    backend = get_backend()
    backend.index(KIND, 1, body="x" * 3000 + " 正常内容")

    assert ids(backend.search(KIND, "正常")) == [1]
    assert backend.search(KIND, "x" * 3000) == []


@pytest.fixture
def fresh_kind_shares():
    """The kinds' shares estimated afresh (they are kept per process for minutes)."""
    backends._KIND_SAMPLES.clear()
    yield
    backends._KIND_SAMPLES.clear()


def _fts_matches(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if " MATCH " in q["sql"]]


def test_a_kind_holding_most_documents_is_filtered_on_its_rows(fresh_kind_shares):
    from django.test.utils import CaptureQueriesContext

    backend = get_backend()
    for object_id in range(1, 9):
        backend.index(KIND, object_id, title=f"保修 {object_id}", organization_id=object_id % 2)
    backend.index("test.other", 1, title="保修 other", organization_id=1)
    assert backend.kind_share([KIND]) == pytest.approx(8 / 9)

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修", limit=20)
        in_org = backend.search(KIND, "保修", limit=20, filters={"organization_id": 1})

    assert sorted(ids(hits)) == list(range(1, 9))
    assert sorted(ids(in_org)) == [1, 3, 5, 7]
    if connection.vendor == "sqlite":
        # The words (and the organization's tag) matched; the kind's tag was not needed.
        assert not any("k.test.article" in sql for sql in _fts_matches(queries))
    # A kind with few documents is still matched by its tag: the same answers.
    assert ids(backend.search("test.other", "保修")) == [1]


def test_words_mostly_of_another_kind_fall_back_to_the_kinds_tag(fresh_kind_shares, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(backends, "CANDIDATES", 3)
    monkeypatch.setattr(backends, "WIDE_KIND_MAX_READ", 4)
    backend = get_backend()
    for object_id in range(1, 21):
        backend.index(KIND, object_id, title=f"会员 {object_id}")
    backend.index("test.other", 1, title="保修 old")
    for object_id in range(1, 4):
        backend.index(KIND, 100 + object_id, title="保修 卡")
    backend.index("test.other", 2, title="保修 new")
    for object_id in range(3, 12):  # the newest matches of 保修 are another kind's
        backend.index("test.other", object_id, title=f"保修 {object_id}")

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修", limit=10)

    assert sorted(ids(hits)) == [101, 102, 103]
    if connection.vendor == "sqlite":
        # The newest four matches of the words held none of the kind: its tag answered.
        assert any("k.test.article" in sql for sql in _fts_matches(queries))
    # Cut short but enough of the kind among what was read: the newest three, no fallback.
    backend.index(KIND, 201, title="保修 新")
    backend.index(KIND, 202, title="保修 新")
    backend.index(KIND, 203, title="保修 新")
    backends._KIND_SAMPLES.clear()
    with CaptureQueriesContext(connection) as queries:
        newest = backend.search(KIND, "保修", limit=10)
    assert sorted(ids(newest)) == [201, 202, 203]
    if connection.vendor == "sqlite":
        assert not any("k.test.article" in sql for sql in _fts_matches(queries))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL candidate windows")
def test_a_window_holding_the_whole_kind_is_the_answer(fresh_kind_shares, monkeypatch):
    """A small kind: its window held every document, so the GIN index (which would collect the
    words' matches in every other kind) is not read; a larger kind still reads it."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(backends, "PROBES", (4, 8))
    backend = get_backend()
    for object_id in range(1, 30):
        backend.index("test.other", object_id, title=f"保修 {object_id}")
    backend.index(KIND, 1, title="保修 small")
    _index_newer_others(backend, 2, 2)

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修")
    assert ids(hits) == [1]
    assert not any("set_config" in q["sql"] for q in queries.captured_queries)

    _index_newer_others(backend, 3, 11)  # now more documents than the window
    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修")
    assert ids(hits) == [1]
    assert any("set_config" in q["sql"] for q in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
@pytest.mark.parametrize("kind", ["customers.organization", "knowledge.article"])
def test_small_kinds_have_their_own_index(kind):
    from kefu.core.search.schema import kind_index_name

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'core_searchdocument' "
            "AND indexname = %s",
            [kind_index_name(kind)],
        )
        (definition,) = cursor.fetchone()
    assert "USING gin (tsv)" in definition
    assert f"WHERE ((kind)::text = '{kind}'::text)" in definition
    assert kind in get_backend().kinds_with_own_index()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_a_small_kind_with_its_own_index_is_searched_through_it_at_once(
    fresh_kind_shares, monkeypatch
):
    from django.test.utils import CaptureQueriesContext

    backend = get_backend()
    for object_id in range(1, 6):
        backend.index("customers.organization", object_id, title=f"示例 科技 {object_id}")
        backend.index("customers.contact", object_id, title=f"示例 {object_id}")

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search("customers.organization", "科技")

    assert sorted(ids(hits)) == [1, 2, 3, 4, 5]
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("ORDER BY object_id DESC" in q for q in sql)  # no candidate window
    assert any("kind = ANY" in q for q in sql)

    # Larger than the candidate windows: they are tried first, as for any large kind.
    monkeypatch.setattr(backends, "PROBES", (2, 4))
    backends._KIND_SAMPLES.clear()
    with CaptureQueriesContext(connection) as queries:
        hits = backend.search("customers.organization", "科技")
    assert sorted(ids(hits)) == [1, 2, 3, 4, 5]
    assert any("ORDER BY object_id DESC" in q["sql"] for q in queries.captured_queries)


def test_index_names_accept_only_kind_names_and_name_their_kind():
    from kefu.core.search.schema import kind_index_name, kind_of_index

    assert kind_index_name("customers.organization") == "core_searchdoc_tsv_customers_organization"
    assert kind_of_index("core_searchdoc_tsv_customers_organization") == "customers.organization"
    assert kind_of_index("core_searchdocument_tsv") is None
    assert kind_of_index("core_searchdoc_facet") is None
    for bad in (
        "customers.organization'; DROP TABLE x; --",
        "Customers.Org",
        "nodot",
        "snake_case.kind",
        "a." + "b" * 60,
    ):
        with pytest.raises(ValueError):
            kind_index_name(bad)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_index_is_read_in_one_message(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(backends, "PROBES", (2, 4))
    backend = get_backend()
    backend.index(KIND, 1, title="保修 printer")
    _index_newer_others(backend, 2, 11)
    assert not connection.in_atomic_block

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "保修")

    assert ids(hits) == [1]
    index_reads = [q["sql"] for q in queries.captured_queries if "set_config" in q["sql"]]
    assert len(index_reads) == 1 and "; SELECT id, kind, object_id" in index_reads[0]
    assert _planner_settings() == ("on", "on")  # the settings ended with that message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL GIN reads")
def test_a_short_prefix_beside_other_words_is_checked_on_their_matches(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(backends, "PROBES", (2, 4))
    backend = get_backend()
    backend.index(KIND, 1, title="joshua wang", tokens=["joshua.wang@example.com"])
    backend.index(KIND, 2, title="joshua li")
    backend.index(KIND, 3, title="wang wei")
    _index_newer_others(backend, 4, 11)

    with CaptureQueriesContext(connection) as queries:
        hits = backend.search(KIND, "joshua w")
    assert ids(hits) == [1]
    index_read = next(q["sql"] for q in queries.captured_queries if "IS TRUE" in q["sql"])
    # The index collects joshua's matches only; the whole query is checked on them.
    assert "WHERE tsv @@ '''joshua'''::tsquery AND (tsv @@ " in index_read
    # A prefix alone, or a longer one, is the index's to expand as before.
    assert sorted(ids(backend.search(KIND, "wa"))) == [1, 3]
    assert ids(backend.search(KIND, "joshua wan")) == [1]
