"""``python -m kefu.bench [--only NAME] [--db sqlite|postgres|both] [--scale tiny|small|full]
[--tickets N]``.

Each database gets a fresh benchmark database of its own (a temporary SQLite file, or the
PostgreSQL database named by ``KEFU_BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/kefu_bench``, dropped and created again), and a process of
its own running :mod:`kefu.bench.runner`. The development database is never touched.

PostgreSQL runs as in production, with Redis as the cache (``KEFU_BENCH_REDIS_URL``, default
``redis://127.0.0.1:6379/14``, emptied first; without Redis the database cache); SQLite runs
as on one machine, with the database cache. Each record says which (``cache``).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kefu.bench.runner import BENCHMARKS, SCALES

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/kefu_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


def redis_cache_url() -> str | None:
    """The Redis database the PostgreSQL leg uses as its cache, emptied; None if unreachable."""
    import redis

    url = os.environ.get("KEFU_BENCH_REDIS_URL", DEFAULT_REDIS)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.flushdb()
    except redis.RedisError:
        return None
    return url


def recreate_postgres(url: str) -> None:
    """Drop and create the benchmark database named in ``url`` (never the one Kefu uses)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if not name or name == os.environ.get("KEFU_DATABASE_URL", "").rsplit("/", 1)[-1]:
        raise RuntimeError("refusing to recreate the development database")
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        quoted = '"' + name.replace('"', '""') + '"'
        connection.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {quoted}")


def run_database(db: str, args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="kefu-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kefu.bench.settings",
            "KEFU_VAR_DIR": str(workdir / "var"),
            "KEFU_DEBUG": "0",
        }
    )
    for name in ("KEFU_CONN_MAX_AGE", "KEFU_DEFAULT_PHONE_REGION", "KEFU_TIME_ZONE"):
        if name in os.environ:
            env[name] = os.environ[name]
    if db == "postgres":
        url = os.environ.get("KEFU_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
        try:
            recreate_postgres(url)
        except Exception as exc:
            print(
                json.dumps({"benchmark": "all", "db": "postgresql", "skipped": str(exc)}),
                flush=True,
            )
            shutil.rmtree(workdir, ignore_errors=True)
            return 0
        env["KEFU_DATABASE_URL"] = url
        cache_url = redis_cache_url()
        if cache_url:
            env["KEFU_BENCH_CACHE_URL"] = cache_url
    else:
        env["KEFU_SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    command = [sys.executable, "-m", "kefu.bench.runner", "--scale", args.scale]
    for name in args.only or []:
        command += ["--only", name]
    if args.tickets:
        command += ["--tickets", str(args.tickets)]
    try:
        return subprocess.call(command, env=env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kefu.bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="repeatable")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument(
        "--tickets",
        type=int,
        help="service: tickets at the full measurement (a tenth first); default by scale",
    )
    args = parser.parse_args(argv)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    status = 0
    for db in databases:
        status = run_database(db, args) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
