"""Benchmark: global customer search at scale, on SQLite and PostgreSQL (issue #2, section 8).

``run(args) -> list[dict]`` (called by ``kefu.bench``; also ``python -m kefu.bench.search``)
runs one worker process per database, each on its own throw-away database (a temporary SQLite
file, a ``kefu_bench_search_<pid>`` PostgreSQL database), never the development one:

1. migrate, then ``kefu seed --organizations N/100 --contacts N`` (its bulk path) - the seed
   calls ``kefu.customers.search.bulk_index``, whose time is the index build figure;
2. sample real rows and build a query mix: full Chinese names, one-character surnames,
   English names and prefixes, exact and partial e-mail addresses, phone numbers as written
   and their last four digits, name + organization word;
3. time ``global_search`` (every provider, objects loaded, what the view renders) and the
   HTTP view in-process, against the floors measured in the same run: a raw indexed identity
   lookup and the raw full-text query (MATCH / ``@@`` with LIMIT, no ranking, no join).

Each result is one JSON object; the target is p95 <= 20 ms at 1M contacts.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_P95_MS = 20.0
DEFAULT_CONTACTS = 1_000_000
SCALE_CONTACTS = {"tiny": 10_000, "small": 100_000, "full": 1_000_000}
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "kefu_bench_search"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


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


# --- the worker: runs inside Django, on the throw-away database ------------------------------


def _query_mix(rng: random.Random, per_type: int) -> list[tuple[str, str]]:
    from kefu.customers.models import Contact, ContactIdentity

    highest = Contact.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = [rng.randint(1, highest) for _ in range(per_type * 4)]
    rows = list(
        Contact.objects.filter(pk__in=picks).values_list(
            "pk", "name", "alt_name", "primary_organization__name"
        )
    )
    identities: dict[int, dict[str, str]] = {}
    for contact_id, kind, value, normalized in ContactIdentity.objects.filter(
        contact_id__in=[r[0] for r in rows]
    ).values_list("contact_id", "kind", "value", "normalized"):
        identities.setdefault(contact_id, {})[kind] = (value, normalized)
    chinese = [r for r in rows if r[1] and not r[1].isascii()]
    english = [r for r in rows if r[1] and r[1].isascii()]
    mix: list[tuple[str, str]] = []

    def add(kind: str, candidates, make):
        for row in rng.sample(candidates, min(per_type, len(candidates))):
            text = make(row)
            if text:
                mix.append((kind, text))

    add("chinese_name", chinese, lambda r: r[1])
    add("chinese_surname", chinese, lambda r: r[1][0])
    add("chinese_name_and_org", chinese, lambda r: f"{r[1]} {(r[3] or '')[:2]}".strip())
    add("english_name", english, lambda r: r[1])
    add("english_prefix", english, lambda r: r[1].split()[0][:5])
    add("email_exact", rows, lambda r: identities.get(r[0], {}).get("email", ("", ""))[0])
    add("email_prefix", rows, lambda r: identities.get(r[0], {}).get("email", ("", ""))[1][:8])
    add("phone_as_written", rows, lambda r: identities.get(r[0], {}).get("phone", ("", ""))[0])
    add("phone_last4", rows, lambda r: identities.get(r[0], {}).get("phone", ("", ""))[1][-4:])
    rng.shuffle(mix)
    return mix


def _raw_fts(backend, query: str) -> None:
    from django.db import connection

    from kefu.core.search.tokenize import parse_query

    parsed = parse_query(query)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT rowid FROM core_searchdocument_fts WHERE core_searchdocument_fts "
                "MATCH %s LIMIT 10",
                [backend.match_expression(["customers.contact"], parsed, {})],
            )
        else:
            cursor.execute(
                "SELECT object_id FROM core_searchdocument WHERE tsv @@ %s::tsquery "
                "AND kind = 'customers.contact' LIMIT 10",
                [backend.tsquery(parsed)],
            )
        cursor.fetchall()


def _raw_lookup(normalized: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_id FROM customers_contactidentity WHERE kind = 'email' "
            "AND normalized = %s",
            [normalized],
        )
        cursor.fetchall()


def worker(contacts: int, per_type: int, seed: int) -> list[dict]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kefu.accounts.models import User
    from kefu.core.models import SearchDocument
    from kefu.core.search import get_backend
    from kefu.core.search.providers import global_search
    from kefu.customers import search as customer_search
    from kefu.customers.models import Contact, ContactIdentity

    vendor = connection.vendor
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)

    index_seconds = {}
    original_bulk_index = customer_search.bulk_index

    def timed_bulk_index(**kwargs):
        started = time.perf_counter()
        written = original_bulk_index(**kwargs)
        index_seconds["bulk_index"] = time.perf_counter() - started
        return written

    customer_search.bulk_index = timed_bulk_index
    started = time.perf_counter()
    existing = Contact.objects.count()
    if existing < contacts:
        call_command(
            "seed",
            organizations=max(1, (contacts - existing) // 100),
            contacts=contacts - existing,
            seed=seed,
            verbosity=0,
        )
    seed_seconds = time.perf_counter() - started
    customer_search.bulk_index = original_bulk_index
    documents = SearchDocument.objects.count()
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE core_searchdocument")
            cursor.execute("ANALYZE customers_contactidentity")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")

    user, _ = User.objects.get_or_create(
        username="bench-search", defaults={"is_staff": True, "is_superuser": True}
    )
    rng = random.Random(seed)
    mix = _query_mix(rng, per_type)
    backend = get_backend()
    emails = list(
        ContactIdentity.objects.filter(
            kind="email", contact_id__in=[rng.randint(1, contacts) for _ in range(200)]
        ).values_list("normalized", flat=True)
    )

    # Warm-up: every query once (the page cache and the segmenter's dictionary).
    for _kind, query in mix:
        global_search(user, query, limit=10)

    by_kind: dict[str, list[float]] = {}
    everything: list[float] = []
    for kind, query in mix:
        elapsed = _timed(lambda q: global_search(user, q, limit=10), query)
        by_kind.setdefault(kind, []).append(elapsed)
        everything.append(elapsed)
    raw_fts = [_timed(_raw_fts, backend, query) for _kind, query in mix]
    raw_lookup = [_timed(_raw_lookup, email) for email in emails]

    client = Client()
    client.force_login(user)
    view = []
    for _kind, query in mix:
        started = time.perf_counter()
        response = client.get("/search/", {"q": query})
        view.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code

    overall = _summary(everything)
    common = {"database": vendor, "contacts": Contact.objects.count(), "documents": documents}
    return [
        {
            "benchmark": "search.global_customer_search",
            **common,
            **overall,
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": overall["p95_ms"] <= TARGET_P95_MS,
            "by_query": {kind: _summary(samples) for kind, samples in sorted(by_kind.items())},
            "floor_raw_fulltext": _summary(raw_fts),
            "floor_raw_indexed_lookup": _summary(raw_lookup),
            "ratio_p95_to_raw_fulltext": round(
                overall["p95_ms"] / max(_summary(raw_fts)["p95_ms"], 0.01), 1
            ),
        },
        {"benchmark": "search.view_http_in_process", **common, **_summary(view)},
        {
            "benchmark": "search.index_build",
            **common,
            "seed_seconds": round(seed_seconds, 1),
            "index_seconds": round(index_seconds.get("bulk_index", 0.0), 1),
            "documents_per_second": round(documents / index_seconds["bulk_index"])
            if index_seconds.get("bulk_index")
            else None,
        },
    ]


# --- the driver: one worker per database --------------------------------------------------------


def _postgres_admin(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def _run_worker(env: dict, contacts: int, per_type: int, seed: int) -> list[dict]:
    command = [
        sys.executable,
        "-m",
        "kefu.bench.search",
        "--worker",
        "--contacts",
        str(contacts),
        "--per-type",
        str(per_type),
        "--seed",
        str(seed),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return [{"benchmark": "search", "error": result.stderr.strip().splitlines()[-5:]}]
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def run(args=None) -> list[dict]:
    """Run the search benchmark on SQLite and PostgreSQL; return one dict per figure.

    ``args`` may carry ``search_contacts`` (or ``contacts``, or the harness's ``scale``: tiny
    10k, small 100k, full 1M), ``search_databases`` (a list or comma-separated
    "sqlite,postgresql"; from the harness: the database it is running on), ``postgres_url`` and
    ``keep`` (keep the databases).
    """
    scale = getattr(args, "scale", None)
    contacts = int(
        getattr(args, "search_contacts", None)
        or getattr(args, "contacts", None)
        or SCALE_CONTACTS.get(scale, DEFAULT_CONTACTS)
    )
    databases = getattr(args, "search_databases", None)
    if not databases and scale is not None:
        # Called by the kefu.bench harness, which runs once per database: follow its choice.
        from django.db import connection

        databases = connection.vendor
    databases = databases or "sqlite,postgresql"
    if isinstance(databases, str):
        databases = [d.strip() for d in databases.split(",") if d.strip()]
    per_type = int(getattr(args, "per_type", None) or 60)
    seed = int(getattr(args, "seed", None) or 7)
    keep = bool(getattr(args, "keep", False))
    admin_url = (
        getattr(args, "postgres_url", None)
        or os.environ.get("KEFU_BENCH_POSTGRES_URL")
        or DEFAULT_POSTGRES_URL
    )
    base_env = {k: v for k, v in os.environ.items() if k not in ("KEFU_DATABASE_URL",)}
    base_env["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    results: list[dict] = []
    if "sqlite" in databases:
        directory = tempfile.mkdtemp(prefix="kefu-bench-search-")
        path = os.path.join(directory, "bench.sqlite3")
        env = {**base_env, "KEFU_SQLITE_PATH": path, "KEFU_VAR_DIR": directory}
        try:
            results += _run_worker(env, contacts, per_type, seed)
        finally:
            if keep:
                results.append({"benchmark": "search", "database": "sqlite", "kept": path})
            else:
                shutil.rmtree(directory, ignore_errors=True)
    if "postgresql" in databases:
        try:
            admin = _postgres_admin(admin_url)
        except Exception as exc:
            results.append({"benchmark": "search", "database": "postgresql", "skipped": str(exc)})
        else:
            # One database per run: two benchmark runs at once must not drop each other's.
            name = f"{BENCH_DATABASE}_{os.getpid()}"
            database_url = admin_url.rsplit("/", 1)[0] + "/" + name
            with admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name}")
                admin.execute(f"CREATE DATABASE {name}")
            directory = tempfile.mkdtemp(prefix="kefu-bench-search-")
            env = {**base_env, "KEFU_DATABASE_URL": database_url, "KEFU_VAR_DIR": directory}
            try:
                results += _run_worker(env, contacts, per_type, seed)
            finally:
                if not keep:
                    with _postgres_admin(admin_url) as admin:
                        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                shutil.rmtree(directory, ignore_errors=True)
    return results


def _die_with_parent() -> None:
    """Ask Linux to stop this worker when the driver dies (a harness timeout kills the driver)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=DEFAULT_CONTACTS)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--per-type", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres-url", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _die_with_parent()
        results = worker(args.contacts, args.per_type, args.seed)
    else:
        args.search_contacts = args.contacts
        args.search_databases = args.databases
        results = run(args)
    for result in results:
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
