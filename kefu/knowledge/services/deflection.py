"""Writes of the deflection measurement (portal searches, suggestion clicks, requests)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kefu.knowledge.models import PortalSearch

SESSION_WINDOW = timedelta(hours=2)


def portal_search_record(
    *, session_key: str, kind: str, query: str = "", result_count: int = 0, article_id=None
) -> None:
    """Count one portal search, suggestion lookup or suggestion click (no-op without a
    session)."""
    if not session_key:
        return
    row = PortalSearch(
        session_key=session_key,
        kind=kind,
        query=query.strip()[:300],
        result_count=result_count,
        article_id=article_id,
    )
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        row.save()
        return
    # A count for a report, written for every keystroke's suggestions: the request need not
    # wait for the WAL flush (a crash may lose the last rows, never corrupt any). Only in a
    # transaction of its own, so a caller's writes keep their durability.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        row.save()


def portal_request_submitted(*, session_key: str) -> int:
    """Mark this session's recent searches and clicks as ended in a request; return how many."""
    if not session_key:
        return 0
    since = timezone.now() - SESSION_WINDOW
    return PortalSearch.objects.filter(
        session_key=session_key, created_at__gte=since, ended_in_request=False
    ).update(ended_in_request=True)
