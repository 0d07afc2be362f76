"""Planner statistics are refreshed after bulk loads (what autovacuum would do later)."""

import pytest
from django.db import connection
from django.utils import timezone

from kefu.core.dbstats import BULK_ROWS, refresh_statistics
from kefu.customers.models import TimelineEvent
from kefu.customers.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _reltuples() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [TimelineEvent._meta.db_table]
        )
        return cursor.fetchone()[0]


def _load(count: int) -> None:
    if connection.vendor == "postgresql":  # autovacuum must not do the refresh for us
        with connection.cursor() as cursor:
            table = TimelineEvent._meta.db_table
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    org, now = OrganizationFactory(), timezone.now()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            kind="note", verb="noted", title=f"事件 {i}", organization=org, occurred_at=now
        )
        for i in range(count)
    )


def test_a_bulk_load_refreshes_the_statistics():
    _load(BULK_ROWS + 7)
    if connection.vendor != "postgresql":
        refresh_statistics([TimelineEvent], rows=BULK_ROWS)  # nothing to do on SQLite
        return
    refresh_statistics([TimelineEvent], rows=BULK_ROWS + 7)
    # ANALYZE of a small table reads every row: the estimate is the count itself.
    assert _reltuples() == TimelineEvent.objects.count() == BULK_ROWS + 7


def test_a_small_load_leaves_them_to_autovacuum():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps planner statistics per table")
    _load(13)
    refresh_statistics([TimelineEvent], rows=13)
    # Whatever an earlier ANALYZE saw (or -1, never), not these 13 rows.
    assert _reltuples() != TimelineEvent.objects.count() == 13
