"""Benchmark: knowledge search at scale (issue #6): latency, recall, suggestions.

``run(args) -> list[dict]`` runs on the database Django is set up with: the harness calls it
once per benchmark database (``python -m kefu.bench --only knowledge``). Standalone,
``python -m kefu.bench.knowledge [--articles N]`` uses a throw-away SQLite file.

1. ``N`` published public articles (tiny 2k, small 20k, full 100k) are bulk-inserted, half in
   Chinese and half in English, from a vocabulary of common support words, then indexed through
   ``kefu.core.search.index_objects`` (the build time is reported);
2. 50 "needle" articles each carry one rare two-character Chinese word found nowhere else:
   recall is the share of needles found in the top 10 for their word (target 100%);
3. a query mix (two-character Chinese words, mixed Chinese/English, English stems) is timed
   through ``article_search`` (ranked, objects loaded, snippets) against the raw full-text query
   of the same run, ranked by the database (MATCH ... ORDER BY bm25 / ``@@`` ... ORDER BY
   ts_rank, LIMIT 10) - target p95 <= 30 ms and within 3x of its p95; the bare unranked lookup
   (LIMIT 10, no ORDER BY) is reported too, as the lowest floor;
4. suggestion latency: the portal's suggestion fragment view, in-process - target p95 <= 50 ms.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time

SCALE_ARTICLES = {"tiny": 2_000, "small": 20_000, "full": 100_000}
TARGET_SEARCH_P95_MS = 30.0
TARGET_SUGGEST_P95_MS = 50.0
RAW_RATIO = 3.0

ZH_WORDS = (  # noqa: SIM905
    "打印 网络 发票 退款 密码 账户 登录 设置 订单 物流 配送 支付 会员 积分 优惠 故障 重启 升级 "
    "安装 下载 连接 无线 路由 门店 收银 扫码 库存 报表 权限 审批 合同 续费 保修 维修 更换 退货"
).split()
EN_WORDS = (  # noqa: SIM905
    "printer network invoice refund password account login settings order shipping payment "
    "member points coupon failure restart upgrade install download connection wireless router "
    "store cashier scanner inventory report permission approval contract renewal warranty "
    "repair replace return"
).split()
# Rare two-character words that appear in no generated article: the recall needles.
NEEDLES = (  # noqa: SIM905
    "麒麟 琵琶 鹦鹉 蝴蝶 葡萄 玫瑰 珊瑚 骆驼 蜻蜓 枇杷 蝙蝠 琥珀 翡翠 玛瑙 芙蓉 牡丹 芍药 茉莉 "
    "蟋蟀 蚯蚓 蜘蛛 螃蟹 鸳鸯 孔雀 凤凰 狮子 老虎 熊猫 海豚 鲸鱼 企鹅 袋鼠 骏马 山羊 绵羊 "
    "骆马 松鼠 刺猬 狐狸 野狼 老鹰 燕子 喜鹊 乌鸦 白鹭 仙鹤 天鹅 鸬鹚 杜鹃 黄鹂"
).split()[:50]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def _summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": round(_percentile(samples, 0.50), 2),
        "p95_ms": round(_percentile(samples, 0.95), 2),
        "mean_ms": round(statistics.fmean(samples), 2),
    }


def _timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def _text(rng: random.Random, words, count: int, joiner: str) -> str:
    return joiner.join(rng.choice(words) for _ in range(count))


def _seed(count: int, rng: random.Random) -> list[int]:
    """Insert ``count`` public published articles and the needles; return the needle ids."""
    import uuid

    from django.utils import timezone

    from kefu.knowledge.models import Article

    now = timezone.now()
    start = (Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    batch = []

    def make(n: int, title: str, body: str, language: str) -> Article:
        return Article(
            translation_group=uuid.uuid4(),
            language=language,
            title=title[:200],
            slug=f"bench-{start + n}",
            body=body,
            body_html="",
            visibility="public",
            status="published",
            published_at=now,
            version=1,
        )

    for n in range(count):
        if n % 2:
            title = _text(rng, EN_WORDS, 5, " ").capitalize()
            body = _text(rng, EN_WORDS, 60, " ")
            batch.append(make(n, title, body, "en"))
        else:
            title = _text(rng, ZH_WORDS, 4, "") + "怎么办"
            body = "，".join(_text(rng, ZH_WORDS, 3, "") for _ in range(20)) + "。"
            batch.append(make(n, title, body, "zh-hans"))
    for i, word in enumerate(NEEDLES):
        body = f"关于{word}的说明：{_text(rng, ZH_WORDS, 3, '')}。"
        batch.append(make(count + i, f"{_text(rng, ZH_WORDS, 2, '')}问题 {i}", body, "zh-hans"))
    Article.objects.bulk_create(batch, batch_size=2000)
    slugs = [f"bench-{start + count + i}" for i in range(len(NEEDLES))]
    by_slug = dict(Article.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return [by_slug[s] for s in slugs]


def _raw_fts(backend, query: str, *, ranked: bool = False) -> None:
    """The raw full-text query: MATCH / ``@@`` with LIMIT 10, unranked (the bare index
    lookup) or ``ranked`` by the database (bm25 / ts_rank with the title weighted)."""
    from django.db import connection

    from kefu.core.search.tokenize import parse_query

    parsed = parse_query(query)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            order = "ORDER BY bm25(core_searchdocument_fts, 10.0, 1.0, 0.0) " if ranked else ""
            cursor.execute(
                "SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts "
                f"MATCH %s {order}LIMIT 10",
                [backend.match_expression(["knowledge.article"], parsed, {})],
            )
        else:
            order = "ORDER BY ts_rank(tsv, %s::tsquery) DESC " if ranked else ""
            tsquery = backend.tsquery(parsed)
            cursor.execute(
                "SELECT object_id FROM core_searchdocument WHERE tsv @@ %s::tsquery "
                f"AND kind = 'knowledge.article' {order}LIMIT 10",
                [tsquery, tsquery] if ranked else [tsquery],
            )
        cursor.fetchall()


def _vacuum() -> None:
    """After a bulk load, what autovacuum does on a live PostgreSQL: merge the GIN index's
    pending list (scanned by every query until merged) and refresh the statistics of both
    tables (both work inside a transaction, unlike VACUUM)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT gin_clean_pending_list('core_searchdocument_tsv'::regclass)")
            cursor.execute("ANALYZE core_searchdocument")
            # Without statistics the planner takes status = 'published' for a rare value and
            # ANDs the status index's 100k-row bitmap into every article lookup (~12 ms).
            cursor.execute("ANALYZE knowledge_article")
        else:
            cursor.execute("PRAGMA optimize")


def _queries(rng: random.Random, per_type: int) -> list[str]:
    zh = [rng.choice(ZH_WORDS) for _ in range(per_type)]
    mixed = [f"{rng.choice(ZH_WORDS)} {rng.choice(EN_WORDS)}" for _ in range(per_type)]
    english = [f"{rng.choice(EN_WORDS)}s" for _ in range(per_type)]  # plural: stemming
    pairs = [f"{rng.choice(EN_WORDS)} {rng.choice(EN_WORDS)}" for _ in range(per_type)]
    return zh + mixed + english + pairs


def measure(articles: int, *, per_type: int = 50, seed: int = 11) -> list[dict]:
    """Seed, index and measure on the current database; return the records."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory

    from kefu.core.search import get_backend, index_objects
    from kefu.knowledge.models import Article
    from kefu.knowledge.search import ARTICLE, article_search
    from kefu.portal.views import kb_suggest

    rng = random.Random(seed)
    vendor = connection.vendor
    started = time.perf_counter()
    needles = _seed(articles, rng)
    seed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    ids = list(Article.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
    index_objects(ARTICLE, ids)
    index_seconds = time.perf_counter() - started
    _vacuum()

    found = 0
    for word, needle_id in zip(NEEDLES, needles, strict=True):
        hits = article_search(query=word, public_only=True, limit=10)
        found += any(article.pk == needle_id for article, _snippet in hits)
    recall = found / len(NEEDLES)

    backend = get_backend()
    queries = _queries(rng, per_type)
    for query in queries[:10]:  # warm caches
        article_search(query=query, public_only=True, limit=10)
        _raw_fts(backend, query)
    search_ms = [
        _timed(lambda q: article_search(query=q, public_only=True, limit=10), q) for q in queries
    ]
    raw_ms = [_timed(_raw_fts, backend, q) for q in queries]
    ranked_ms = [_timed(lambda q: _raw_fts(backend, q, ranked=True), q) for q in queries]

    factory = RequestFactory()
    session = SessionStore()
    session.create()

    def suggest(query: str) -> None:
        request = factory.get("/portal/kb/suggest/", {"subject": query})
        request.session = session
        request.user = _anonymous()
        kb_suggest(request)

    suggest_ms = [_timed(suggest, q) for q in queries]
    search = _summary(search_ms)
    raw = _summary(raw_ms)
    raw_ranked = _summary(ranked_ms)
    suggestions = _summary(suggest_ms)
    common = {"benchmark": "knowledge", "database": vendor, "articles": articles + len(NEEDLES)}
    return [
        {
            **common,
            "figure": "build",
            "seed_s": round(seed_seconds, 1),
            "index_s": round(index_seconds, 1),
        },
        {
            **common,
            "figure": "recall_two_character_chinese",
            "needles": len(NEEDLES),
            "found": found,
            "recall": recall,
            "target": 1.0,
            "ok": recall == 1.0,
        },
        {
            **common,
            "figure": "search",
            **search,
            "raw_fts_ranked": raw_ranked,
            "ratio_to_raw_ranked_p95": round(search["p95_ms"] / max(raw_ranked["p95_ms"], 0.01), 2),
            "raw_fts_unranked": raw,
            "ratio_to_raw_unranked_p95": round(search["p95_ms"] / max(raw["p95_ms"], 0.01), 2),
            "target_p95_ms": TARGET_SEARCH_P95_MS,
            "target_ratio": RAW_RATIO,
            "ok": search["p95_ms"] <= TARGET_SEARCH_P95_MS
            and search["p95_ms"] <= RAW_RATIO * raw_ranked["p95_ms"],
        },
        {
            **common,
            "figure": "suggestions",
            **suggestions,
            "target_p95_ms": TARGET_SUGGEST_P95_MS,
            "ok": suggestions["p95_ms"] <= TARGET_SUGGEST_P95_MS,
        },
    ]


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def run(args=None) -> list[dict]:
    """Measure on the database Django is set up with (the harness's benchmark database).

    ``args``: ``articles`` or the harness's ``scale`` (tiny 2k, small 20k, full 100k).
    """
    scale = getattr(args, "scale", None)
    articles = int(getattr(args, "articles", None) or SCALE_ARTICLES.get(scale, 100_000))
    return measure(articles)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kefu.bench.knowledge")
    parser.add_argument("--articles", type=int, default=SCALE_ARTICLES["tiny"])
    args = parser.parse_args(argv)
    directory = tempfile.mkdtemp(prefix="kefu-bench-knowledge-")
    os.environ.pop("KEFU_DATABASE_URL", None)
    os.environ["KEFU_SQLITE_PATH"] = os.path.join(directory, "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    for record in run(args):
        print(json.dumps(record, ensure_ascii=False), flush=True)
    print(f"database: {directory}", file=sys.stderr)


if __name__ == "__main__":
    main()
