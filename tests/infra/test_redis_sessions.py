"""With ``KEFU_REDIS_URL`` set, Redis is the cache and sits in front of the sessions, which are
still written to the database (a Redis restart signs nobody out)."""

import os
import subprocess
import sys
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches

import conftest


def _redis_url() -> str:
    import redis

    url = os.environ.get("KEFU_REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        conftest.service_unavailable(f"Redis at {url}: {exc}")
    return url


@pytest.mark.dbless
def test_redis_url_selects_redis_cache_and_cached_sessions():
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_REDIS")}
    env["KEFU_REDIS_URL"] = "redis://127.0.0.1:6379/15"
    code = (
        "from kefu import settings as s; "
        "print(s.CACHES['default']['BACKEND']); print(s.SESSION_ENGINE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


@pytest.mark.django_db
def test_signed_in_requests_read_the_session_from_redis(client, settings, make_user):
    url = _redis_url()
    prefix = f"kefu-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    assert "Redis" in type(caches["default"]).__name__  # Django rebuilt the cache handler
    try:
        agent = make_user("agent", username="cached-session")
        client.force_login(agent)
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert Session.objects.filter(session_key=key).exists()  # written through

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/service/").status_code == 200
        assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]

        Session.objects.filter(session_key=key).delete()  # still signed in from Redis
        assert client.get("/service/").status_code == 200
        client.logout()
        assert client.get("/service/").status_code == 302
    finally:
        import redis

        server = redis.Redis.from_url(url)
        for stale in server.scan_iter(f"{prefix}:*"):
            server.delete(stale)
