"""Fixtures shared by every app's tests.

``KEFU_REQUIRE_SERVICES=1`` (set by CI) turns "service not available, skipped" into a failure, so
a green CI run really ran the PostgreSQL, Redis, browser and mail-server tests.
"""

import os

import pytest

REQUIRE_SERVICES = os.environ.get("KEFU_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str) -> None:
    """Skip the calling test, or fail it when services are required (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """``@pytest.mark.postgres_only`` tests skip on SQLite: CI runs them on its PostgreSQL pass.

    Use the marker, not service_unavailable(), for a test that is about PostgreSQL itself: the
    SQLite pass is not missing a service, it is the other database.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="PostgreSQL only (runs when KEFU_DATABASE_URL is PostgreSQL)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request through the test client leaves its language active in the thread (a
    Chinese page, the language switch): start every test in the site's default language, so
    messages do not depend on which test ran before on the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, put the test database in a file (one per xdist worker) instead of memory.

    Tests that start real processes (a job consumer, a live server thread) then share the very
    database the test writes to. ``KEFU_TEST_DATABASE_NAME`` still wins when set.
    """
    from django.conf import settings

    db = settings.DATABASES["default"]
    # (pytest-django names a per-worker test database only for Django's own SQLite engine;
    # for Kefu's it would prefix the file's path: the name is always set here.)
    if db["ENGINE"].endswith("sqlite3") and not os.environ.get("KEFU_TEST_DATABASE_NAME"):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        path = tmp_path_factory.mktemp("db", numbered=True) / f"test_kefu_{worker}.sqlite3"
        db.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture
def make_user(db):
    """``make_user(role="agent", **fields)``: a staff user in a role group (or a portal user)."""
    from kefu.accounts.roles import assign_role
    from kefu.accounts.tests.factories import UserFactory

    def make(role: str | None = "agent", **fields):
        is_staff = role is not None
        user = UserFactory(is_staff=is_staff, **fields)
        if role:
            assign_role(user, role)
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", username="admin-user")


@pytest.fixture
def agent(make_user):
    return make_user("agent", username="agent-user")


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor", username="supervisor-user")


@pytest.fixture
def api_token(db):
    """``api_token(user, scope="read_write") -> raw token`` for ``Authorization: Bearer``."""
    from kefu.accounts.services import api_token_create

    def make(user, scope: str = "read_write"):
        _token, raw = api_token_create(actor=user, user=user, name="test", scope=scope)
        return raw

    return make


@pytest.fixture
def api(client, api_token):
    """``api(user)`` -> a client whose requests carry that user's bearer token."""
    from django.test import Client

    def make(user, scope: str = "read_write"):
        raw = api_token(user, scope)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache: rows are rolled back between tests and their ids
    reused, so presence, rate-limit or lookup entries left by one test must not leak into the next.
    """
    from django.core.cache import cache

    yield
    cache.clear()
