"""Recording portal searches for the deflection report."""

import pytest
from django.db import connection, transaction

from kefu.knowledge.models import PortalSearch
from kefu.knowledge.services.deflection import portal_search_record


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_suggestion_lookup_is_recorded_in_its_own_transaction():
    portal_search_record(session_key="s1", kind="suggestion", query=" 打印 ", result_count=3)

    row = PortalSearch.objects.get()
    assert (row.session_key, row.kind, row.query, row.result_count) == (
        "s1",
        "suggestion",
        "打印",
        3,
    )
    if connection.vendor == "postgresql":
        assert _synchronous_commit() == "on"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL commit setting")
def test_recording_inside_a_callers_transaction_keeps_its_durability():
    with transaction.atomic():
        portal_search_record(session_key="s1", kind="search", query="发票")
        assert _synchronous_commit() == "on"

    assert PortalSearch.objects.filter(session_key="s1", kind="search").count() == 1


@pytest.mark.django_db
def test_nothing_is_recorded_without_a_session():
    portal_search_record(session_key="", kind="search", query="发票")

    assert not PortalSearch.objects.exists()
