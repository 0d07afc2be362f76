"""Run the benchmarks against the database the environment names (one process per database).

``python -m kefu.bench`` starts this module once per database with a fresh, separate database
in the environment; it migrates it, measures the floors, runs the benchmarks and prints one JSON
object per benchmark on standard output (progress goes to standard error).
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from dataclasses import dataclass

BENCHMARKS = (
    "contact_api",
    "organization_360",
    "csv_import",
    "search",
    "mail",
    "knowledge",
    "tickets",
    "service",
    "sla",
    "reports",
)
# Benchmarks other apps contribute as ``kefu.bench.<name>`` modules with ``run(args) -> [dict]``.
PLUGINS = ("search", "mail", "knowledge", "tickets", "service", "sla", "reports")


@dataclass(frozen=True)
class Scale:
    name: str
    import_rows: int
    sites: int
    events: int
    api_seconds: float
    page_requests: int
    floor_inserts: int
    floor_lookups: int
    floor_fill: int
    concurrency: int


SCALES = {
    "tiny": Scale("tiny", 300, 50, 200, 1.0, 10, 50, 500, 1000, 4),
    "small": Scale("small", 10_000, 1000, 10_000, 3.0, 60, 500, 5000, 20_000, 8),
    "full": Scale("full", 100_000, 1000, 10_000, 10.0, 200, 2000, 20_000, 100_000, 8),
}


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


# --- floors -------------------------------------------------------------------------------------
FLOOR_TABLE = "bench_floor"


def prepare_floor_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} "
                "(id bigserial PRIMARY KEY, name varchar(100) NOT NULL, value integer NOT NULL)"
            )
        else:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} "
                "(id integer PRIMARY KEY AUTOINCREMENT, name varchar(100) NOT NULL, "
                "value integer NOT NULL)"
            )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {FLOOR_TABLE}_name ON {FLOOR_TABLE} (name)")


def floor_insert_transactions(count: int) -> float:
    """Single-row INSERTs, each its own transaction (autocommit): transactions per second."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        for i in range(count):
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} (name, value) VALUES (%s, %s)", [f"tx-{i}", i]
            )
        elapsed = time.perf_counter() - started
    return count / elapsed


def floor_lookups(count: int, fill: int) -> float:
    """Point lookups on an indexed column of a table of ``fill`` rows: lookups per second."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FLOOR_TABLE} (name, value) VALUES (%s, %s)",
            [(f"key-{i}", i) for i in range(fill)],
        )
    rng = random.Random(1)
    keys = [f"key-{rng.randrange(fill)}" for _ in range(count)]
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for key in keys:
            cursor.execute(f"SELECT id, value FROM {FLOOR_TABLE} WHERE name = %s", [key])
            cursor.fetchone()
        elapsed = time.perf_counter() - started
    return count / elapsed


def warm_up(server, make_request, *, seconds: float = 2.0) -> None:
    """Load every worker thread before measuring: the first requests import the application."""
    from kefu.bench.loadgen import run_load

    run_load(
        host=server.host,
        port=server.port,
        make_request=make_request,
        duration=seconds,
        concurrency=server.workers * server.threads,
        expect=(200, 201, 401),
    )


def floor_view(server, scale: Scale) -> dict:
    from kefu.bench.loadgen import run_load

    warm_up(server, lambda thread, n: ("GET", "/api/v1/health", None, {}))
    warm_up(server, lambda thread, n: ("POST", "/bench/one-insert/", b"", {}), seconds=1.0)
    result = run_load(
        host=server.host,
        port=server.port,
        make_request=lambda thread, n: ("POST", "/bench/one-insert/", b"", {}),
        duration=scale.api_seconds,
        concurrency=scale.concurrency,
    )
    return result.summary("floor_view_")


def floor_read_view(server, scale: Scale) -> dict:
    """The page floor: one-read view requests one after another, as the page benchmarks send
    theirs (through the same middleware, a session cookie included)."""
    from kefu.bench.loadgen import one_after_another

    headers = {"Cookie": session_cookie_for(bench_admin())}
    requests = max(20, min(scale.page_requests, 100))
    _warm, result = one_after_another(server, "/bench/one-read/", headers, requests)
    return {
        "floor_page_p50_ms": round(result.percentile(50), 2),
        "floor_page_p95_ms": round(result.percentile(95), 2),
    }


def measure_floors(scale: Scale, server) -> dict:
    prepare_floor_table()
    floors = {
        "floor_insert_tx_per_s": round(floor_insert_transactions(scale.floor_inserts), 1),
        "floor_lookup_per_s": round(floor_lookups(scale.floor_lookups, scale.floor_fill), 1),
    }
    if server is not None:
        view = floor_view(server, scale)
        floors["floor_view_rps"] = view["floor_view_rps"]
        floors["floor_view_p95_ms"] = view["floor_view_p95_ms"]
        floors["floor_view_errors"] = view["floor_view_errors"]
        floors.update(floor_read_view(server, scale))
    log(f"floors: {floors}")
    return floors


# --- fixtures -----------------------------------------------------------------------------------
def bench_admin():
    """A staff administrator for the API and the pages (created once per database)."""
    from django.contrib.auth import get_user_model

    from kefu.accounts.roles import assign_role

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-admin").first()
    if user is None:
        user = user_model.objects.create_user(
            username="bench-admin", email="bench-admin@example.com", is_staff=True
        )
        assign_role(user, "admin")
    return user


def api_token_for(user) -> str:
    from kefu.accounts.services import api_token_create

    _token, raw = api_token_create(actor=user, user=user, name="bench", scope="read_write")
    return raw


def session_cookie_for(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- benchmarks ---------------------------------------------------------------------------------
def bench_contact_api(server, scale: Scale, floors: dict) -> dict:
    """POST /api/v1/contacts with two identities, from ``concurrency`` keep-alive clients."""
    from kefu.bench.loadgen import run_load
    from kefu.customers.models import Contact

    token = api_token_for(bench_admin())
    run = int(time.time())
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def maker(tag: str):
        def make(thread: int, n: int):
            body = {
                "name": f"压测联系人 {tag}{thread}-{n}",
                "alt_name": f"Bench Contact {tag}{thread}-{n}",
                "identities": [
                    {"kind": "email", "value": f"bench.{run}.{tag}{thread}.{n}@example.com"},
                    {"kind": "wechat", "value": f"bench_{run}_{tag}{thread}_{n}"},
                ],
            }
            return "POST", "/api/v1/contacts", json.dumps(body).encode(), headers

        return make

    warm_up(server, maker("w"), seconds=1.0)
    make = maker("m")
    before = Contact.objects.count()
    result = run_load(
        host=server.host,
        port=server.port,
        make_request=make,
        duration=scale.api_seconds,
        concurrency=scale.concurrency,
        expect=(201,),
    )
    created = Contact.objects.count() - before
    record = {**result.summary(), "contacts_created": created, "statuses": result.statuses}
    if floors.get("floor_view_rps"):
        record["ratio_to_floor_view"] = round(result.rps / floors["floor_view_rps"], 3)
    record["target"] = "ratio_to_floor_view >= 0.40"
    return record


def seed_organization_360(scale: Scale):
    """An organization with ``scale.sites`` sites and ``scale.events`` timeline events."""
    from django.db import transaction

    from kefu.customers.management.commands.seed import Generator, make_event
    from kefu.customers.models import (
        Asset,
        Contact,
        ContactMembership,
        Organization,
        Product,
        Site,
    )

    gen = Generator(seed=360)
    with transaction.atomic():
        organization = Organization.objects.create(
            name="瑞丰零售集团（压测）", alt_name="Ruifeng Retail (bench)", external_id=None
        )
        Site.objects.bulk_create(
            [
                Site(
                    organization=organization,
                    name=f"瑞丰{gen.choice(gen.addresses)[1]}{i:04d}店",
                    code=f"B{i:04d}",
                    city="上海市",
                    region="上海市",
                )
                for i in range(scale.sites)
            ],
            batch_size=1000,
        )
        contacts = Contact.objects.bulk_create(
            [
                Contact(name=gen.choice(gen.zh_names), primary_organization=organization)
                for _ in range(50)
            ]
        )
        ContactMembership.objects.bulk_create(
            [
                ContactMembership(contact=c, organization=organization, is_primary=True)
                for c in contacts
            ]
        )
        product = Product.objects.create(sku=f"BENCH-{time.time_ns()}", name="POS 终端 K1")
        sites = list(Site.objects.filter(organization=organization).values_list("pk", flat=True))
        Asset.objects.bulk_create(
            [
                Asset(
                    product=product,
                    serial_number=f"B360-{i:06d}",
                    organization=organization,
                    site_id=sites[i % len(sites)],
                    install_date=datetime.date(2024, 1, 1),
                )
                for i in range(min(2000, scale.sites * 2))
            ],
            batch_size=1000,
        )
        events = []
        for i in range(scale.events):
            contact_id = contacts[i % len(contacts)].pk if i % 3 else None
            events.append(make_event(gen, organization.pk, contact_id))
        from kefu.customers.models import TimelineEvent

        TimelineEvent.objects.bulk_create(events, batch_size=2000)
    # As a bulk import does when it finishes (and autovacuum would a little later).
    from kefu.core.dbstats import refresh_statistics
    from kefu.customers.models import TimelineEvent

    refresh_statistics([Organization, Site, Contact, ContactMembership, Asset, TimelineEvent])
    return organization


def bench_organization_360(server, scale: Scale, floors: dict) -> dict:
    """GET the organization's 360° page one request at a time: latency p50/p95."""
    from django.urls import reverse

    from kefu.bench.loadgen import one_after_another

    organization = seed_organization_360(scale)
    cookie = session_cookie_for(bench_admin())
    path = reverse("customers:organization_detail", args=[organization.pk])
    headers = {"Cookie": cookie, "Accept-Language": "zh-hans"}
    warm, result = one_after_another(server, path, headers, scale.page_requests)
    return {
        **result.summary(),
        "sites": scale.sites,
        "timeline_events": scale.events,
        "statuses": result.statuses,
        "warmup_statuses": warm.statuses,
        "target": "p95_ms <= 100",
    }


def _contact_csv(count: int, organizations: list[str], *, prefix: str) -> bytes:
    from kefu.customers.management.commands.seed import Generator

    gen = Generator(seed=100)
    lines = ["external_id,name,alt_name,title,organization_external_id,email,phone,wechat"]
    for i in range(count):
        lines.append(
            ",".join(
                [
                    f"{prefix}-C{i:07d}",
                    gen.choice(gen.zh_names),
                    f"Contact {i}",
                    gen.choice(["经理", "店长", "IT Manager"]),
                    organizations[i % len(organizations)],
                    f"{prefix.lower()}.{i}@example.com",
                    f"139 {i // 10000:04d} {i % 10000:04d}",
                    f"wx_{prefix.lower()}_{i}",
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def raw_insert_floor(count: int, organization_ids: list[int]) -> float:
    """The same contacts, identities and memberships written with plain batched INSERTs."""
    from django.db import transaction
    from django.utils import timezone

    from kefu.customers.importexport.bulk import db_value, insert_rows, reserve_ids
    from kefu.customers.models import Contact, ContactIdentity, ContactMembership

    now = db_value(Contact, "created_at", timezone.now())
    empty = db_value(Contact, "custom_fields", {})
    started = time.perf_counter()
    with transaction.atomic():
        for start in range(0, count, 1000):
            size = min(1000, count - start)
            ids = reserve_ids(Contact, size)
            contacts, identities, memberships = [], [], []
            for offset, pk in enumerate(ids):
                i = start + offset
                org = organization_ids[i % len(organization_ids)]
                contacts.append(
                    (pk, f"联系人{i}", "", "", "zh-hans", "email", org, True, "", empty, now, now)
                )
                email = f"floor.{i}@example.com"
                identities.append((pk, "email", email, email, "", True, False, False, now))
                phone = f"+86137{i:08d}"
                identities.append((pk, "phone", phone, phone, "", True, False, False, now))
                identities.append(
                    (pk, "wechat", f"wx_f_{i}", f"wx_f_{i}", "", True, False, False, now)
                )
                memberships.append((pk, org, "", True, False, now))
            insert_rows(
                Contact,
                (
                    "id",
                    "name",
                    "alt_name",
                    "title",
                    "preferred_language",
                    "preferred_channel",
                    "primary_organization_id",
                    "is_active",
                    "notes",
                    "custom_fields",
                    "created_at",
                    "updated_at",
                ),
                contacts,
            )
            insert_rows(
                ContactIdentity,
                (
                    "contact_id",
                    "kind",
                    "value",
                    "normalized",
                    "label",
                    "is_primary",
                    "is_verified",
                    "is_undeliverable",
                    "created_at",
                ),
                identities,
            )
            insert_rows(
                ContactMembership,
                ("contact_id", "organization_id", "title", "is_primary", "is_admin", "created_at"),
                memberships,
            )
    return count / (time.perf_counter() - started)


def bench_csv_import(server, scale: Scale, floors: dict) -> dict:
    """Import ``scale.import_rows`` contacts (3 identities and an organization each) from CSV."""
    from kefu.customers.importexport import importer
    from kefu.customers.importexport.csvfile import decode, read_rows
    from kefu.customers.models import Organization

    prefix = f"B{time.time_ns() % 10**8}"
    organizations = [
        Organization.objects.create(name=f"导入测试公司 {i}", external_id=f"{prefix}-ORG-{i}")
        for i in range(20)
    ]
    external_ids = [o.external_id for o in organizations]
    data = _contact_csv(scale.import_rows, external_ids, prefix=prefix)
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    started = time.perf_counter()
    text, _encoding = decode(data)
    header, rows = read_rows(text)
    contacts = importer.ContactImporter(actor=bench_admin(), progress=progress)
    result = contacts.run(header, rows, dry_run=False)
    imported = time.perf_counter()
    if not result.is_ok:
        return {"error": "import refused", "first_errors": result.errors[:5]}
    indexed_started = time.perf_counter()
    index_seconds = None
    try:
        from kefu.customers import search
    except ImportError:
        search = None
    if search is not None and hasattr(search, "index_contacts"):
        search.index_contacts(contacts.contact_ids)
        index_seconds = round(time.perf_counter() - indexed_started, 2)
    import_seconds = imported - started
    floor_rate = raw_insert_floor(scale.import_rows, [o.pk for o in organizations])
    rate = scale.import_rows / import_seconds
    record = {
        "rows": scale.import_rows,
        "created": result.created,
        "seconds": round(import_seconds, 2),
        "rows_per_s": round(rate, 1),
        "check_seconds": round(marks.get("write", imported) - started, 2),
        "write_seconds": round(imported - marks.get("write", imported), 2),
        "search_index_seconds": index_seconds,
        "floor_batched_insert_rows_per_s": round(floor_rate, 1),
        "ratio_to_floor_batched_insert": round(rate / floor_rate, 3),
    }
    if index_seconds:
        record["rows_per_s_with_search_index"] = round(
            scale.import_rows / (import_seconds + index_seconds), 1
        )
    return record


# Options of the command line the plugins read (``tickets``: the service bench's full size).
PLUGIN_OPTIONS: dict = {}


def bench_plugin(name: str):
    """Run ``kefu.bench.<name>.run(args)`` on this process's database, if the module exists."""

    def run(server, scale: Scale, floors: dict) -> list[dict]:
        import importlib

        try:
            module = importlib.import_module(f"kefu.bench.{name}")
        except ModuleNotFoundError:
            return [{"skipped": f"kefu.bench.{name} does not exist"}]
        args = argparse.Namespace(scale=scale.name, server=server, floors=floors, **PLUGIN_OPTIONS)
        return module.run(args)

    return run


RUNNERS = {
    "contact_api": bench_contact_api,
    "organization_360": bench_organization_360,
    "csv_import": bench_csv_import,
    **{name: bench_plugin(name) for name in PLUGINS},
}


def run_benchmarks(names: list[str], scale: Scale, *, server=None, floors: dict | None = None):
    """Run ``names`` and yield one record per benchmark (search may yield several)."""
    from django.conf import settings
    from django.db import connection

    floors = floors if floors is not None else {}
    for name in names:
        log(f"{name} ({scale.name}) on {connection.vendor}")
        started = time.perf_counter()
        try:
            outcome = RUNNERS[name](server, scale, floors)
        except Exception as exc:  # a broken benchmark must not hide the others' figures
            outcome = {"error": f"{type(exc).__name__}: {exc}"}
        records = outcome if isinstance(outcome, list) else [outcome]
        for record in records:
            yield {
                "benchmark": record.pop("benchmark", name),
                "db": connection.vendor,
                "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 2)[-2],
                "scale": scale.name,
                **floors,
                **record,
                "elapsed_s": round(time.perf_counter() - started, 1),
            }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kefu.bench.runner")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", action="append", choices=BENCHMARKS)
    parser.add_argument("--tickets", type=int)
    args = parser.parse_args(argv)
    if args.tickets:
        PLUGIN_OPTIONS["tickets"] = args.tickets
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from kefu.bench.server import Server

    log("migrating the benchmark database")
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    scale = SCALES[args.scale]
    names = args.only or list(BENCHMARKS)
    with Server() as server:
        floors = measure_floors(scale, server)
        for record in run_benchmarks(names, scale, server=server, floors=floors):
            emit(record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
