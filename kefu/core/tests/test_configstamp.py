"""Configuration snapshots: checked once per read-only request, never stale across requests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core import configstamp

pytestmark = pytest.mark.django_db


def _stamp_reads(queries) -> int:
    return sum('"core_configstamp"' in q["sql"] and "SELECT" in q["sql"] for q in queries)


def test_a_checked_once_checks_each_snapshot_once():
    builds = []

    def build():
        builds.append(1)
        return len(builds)

    configstamp.snapshot("test.scope", build)
    with configstamp.checked_once(), CaptureQueriesContext(connection) as queries:
        first = configstamp.snapshot("test.scope", build)
        second = configstamp.snapshot("test.scope", build)
    assert first == second == 1
    assert _stamp_reads(queries) == 1

    configstamp.snapshot("test.other", build)
    with configstamp.checked_once(), CaptureQueriesContext(connection) as queries:
        configstamp.snapshot("test.scope", build)
        configstamp.snapshot("test.other", build)
    assert _stamp_reads(queries) == 1, "one stamp read for every snapshot of the scope"

    with CaptureQueriesContext(connection) as outside:
        configstamp.snapshot("test.scope", build)
        configstamp.snapshot("test.scope", build)
    assert _stamp_reads(outside) == 2


def test_a_change_inside_the_scope_is_seen_by_the_next_read():
    values = iter(range(100))
    configstamp.snapshot("test.change", lambda: next(values))
    with configstamp.checked_once():
        before = configstamp.snapshot("test.change", lambda: next(values))
        configstamp.config_changed()
        after = configstamp.snapshot("test.change", lambda: next(values))
    assert after != before


def test_get_requests_read_the_desk_configuration_once(admin_client):
    from kefu.service.tests.factories import QueueFactory

    QueueFactory(key="scope-test")
    admin_client.get("/service/?view=all")
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get("/service/?view=all").status_code == 200
    assert _stamp_reads(queries) == 1
