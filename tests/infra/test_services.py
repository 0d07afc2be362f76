"""The real services CI requires: PostgreSQL when configured, and a job consumer process that
takes a job from a Redis or SQLite queue and writes to the database the test reads.

Each round trip starts ``kefu run_huey`` as a separate process on the test's own database
(a file on SQLite, see conftest.py; the test database on PostgreSQL), puts the heartbeat job
on the queue from this process, and waits for the consumer's row.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from huey import RedisHuey, SqliteHuey
from huey.contrib.djhuey import HUEY

import conftest
from kefu.core.models import Heartbeat
from kefu.core.tasks import heartbeat

ROUND_TRIP_TIMEOUT = 60


def _consumer_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "KEFU_HUEY", "KEFU_REDIS", "KEFU_TEST_DATABASE"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "kefu.settings"
    env["KEFU_HUEY_PERIODIC"] = "0"  # only the job this test enqueues may write the row
    env["KEFU_HUEY_WORKERS"] = "1"
    env["KEFU_CONN_MAX_AGE"] = "0"
    env["KEFU_LOG_LEVEL"] = "WARNING"
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(database["NAME"])
        assert "memory" not in name, "the SQLite test database must be a file to be shared"
        env.pop("KEFU_DATABASE_URL", None)
        env["KEFU_SQLITE_PATH"] = name
    else:
        url = urlsplit(os.environ["KEFU_DATABASE_URL"])
        env["KEFU_DATABASE_URL"] = url._replace(path="/" + database["NAME"]).geturl()
    env.update(overrides)
    return env


def _run_round_trip(queue, env: dict[str, str], log_path: Path) -> None:
    with log_path.open("wb") as log:
        consumer = subprocess.Popen(
            [sys.executable, "-m", "kefu", "run_huey", "--skip-checks"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        queue.storage.enqueue(HUEY.serialize_task(heartbeat.s()), 0)
        deadline = time.monotonic() + ROUND_TRIP_TIMEOUT
        beat = None
        while time.monotonic() < deadline and consumer.poll() is None:
            beat = Heartbeat.objects.filter(name="worker").first()
            if beat is not None:
                break
            time.sleep(0.2)
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=15)
        except subprocess.TimeoutExpired:
            consumer.kill()
            consumer.wait()
    output = log_path.read_text(encoding="utf-8", errors="replace")
    assert beat is not None, f"the consumer wrote no heartbeat; its output:\n{output}"
    assert beat.count == 1
    assert queue.pending_count() == 0


@pytest.mark.django_db
def test_database_vendor_matches_kefu_database_url():
    url = os.environ.get("KEFU_DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_redis_queue_round_trip_through_a_real_consumer(tmp_path):
    import redis

    url = os.environ.get("KEFU_REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        conftest.service_unavailable(f"Redis at {url}: {exc}")
    name = f"kefu-test-{uuid.uuid4().hex[:12]}"
    queue = RedisHuey(name, url=url)
    try:
        env = _consumer_env(KEFU_REDIS_URL=url, KEFU_HUEY_NAME=name)
        _run_round_trip(queue, env, tmp_path / "consumer.log")
    finally:
        queue.flush()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sqlite_queue_round_trip_through_a_real_consumer(tmp_path):
    path = tmp_path / "huey.sqlite3"
    queue = SqliteHuey("kefu", filename=str(path))
    env = _consumer_env(KEFU_HUEY_PATH=str(path))
    _run_round_trip(queue, env, tmp_path / "consumer.log")


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_postgres_only_tests_run_only_on_postgresql():
    assert connection.vendor == "postgresql"
