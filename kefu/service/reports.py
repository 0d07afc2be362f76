"""Supervisor reports: ticket volume, backlog by age, and sites far above the norm.

Reads only; every query is one aggregate over the tickets the user may see.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from kefu.accounts.policy import scope
from kefu.service.models import Ticket

# A site needs attention when its ticket count is at least this many times the norm (the mean
# per site with tickets, of its organization and of all customers), and at least MIN_TICKETS.
ATTENTION_RATIO = 2.0
MIN_TICKETS = 3
AGE_BUCKETS = [(0, 1), (1, 3), (3, 7), (7, 30), (30, None)]


def _tickets(user):
    return scope(user, Ticket.objects.all()).order_by()


def volume_by_day(*, user, days: int = 30) -> list[dict]:
    """Tickets created per day over the last ``days`` days (days without tickets included)."""
    start = timezone.localdate() - timedelta(days=days - 1)
    since = timezone.now() - timedelta(days=days)
    rows = dict(
        _tickets(user)
        .filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    return [
        {
            "day": (start + timedelta(days=i)).isoformat(),
            "count": rows.get(start + timedelta(days=i), 0),
        }
        for i in range(days)
    ]


def volume_by(*, user, field: str, days: int = 30, limit: int = 10) -> list[dict]:
    """The top ``limit`` values of ``field`` (category, channel, organization, site) by tickets."""
    labels = {
        "category": "category__name",
        "channel": "channel",
        "organization": "organization__name",
        "site": "site__name",
    }
    since = timezone.now() - timedelta(days=days)
    rows = (
        _tickets(user)
        .filter(created_at__gte=since)
        .values(labels[field])
        .annotate(n=Count("id"))
        .order_by("-n")[:limit]
    )
    return [{"label": row[labels[field]] or "—", "count": row["n"]} for row in rows]


def backlog_by_age(*, user) -> list[dict]:
    """Active tickets by age since creation, in buckets (one query)."""
    now = timezone.now()
    aggregates = {}
    for low, high in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - timedelta(days=high))
        aggregates[f"b{low}"] = Count("id", filter=condition)
    counts = _tickets(user).active().aggregate(**aggregates)
    return [{"low": low, "high": high, "count": counts[f"b{low}"]} for low, high in AGE_BUCKETS]


def sites_needing_attention(*, user, days: int) -> list[dict]:
    """Sites whose ticket count over ``days`` is far above their organization's and everyone's norm.

    The norm is the mean number of tickets of the *other* sites that had any, within the site's
    organization and across all customers; a site is flagged at ``ATTENTION_RATIO`` times both
    (the organization's only when it has other sites) and at least ``MIN_TICKETS`` tickets.
    These are the sites that may need a visit or training.
    """
    since = timezone.now() - timedelta(days=days)
    rows = list(
        _tickets(user)
        .filter(created_at__gte=since, site__isnull=False)
        .values("site_id", "site__name", "organization_id", "organization__name")
        .annotate(n=Count("id"))
    )
    if not rows:
        return []
    total = sum(r["n"] for r in rows)
    per_org: dict[int, list[int]] = {}
    for row in rows:
        per_org.setdefault(row["organization_id"], []).append(row["n"])
    flagged = []
    for row in rows:
        if row["n"] < MIN_TICKETS or len(rows) < 2:
            continue
        # Peers exclude the site itself, or one busy site would raise its own bar.
        overall = (total - row["n"]) / (len(rows) - 1)
        org_counts = per_org[row["organization_id"]]
        org_norm = (
            (sum(org_counts) - row["n"]) / (len(org_counts) - 1) if len(org_counts) > 1 else None
        )
        if row["n"] < ATTENTION_RATIO * overall:
            continue
        if org_norm is not None and row["n"] < ATTENTION_RATIO * org_norm:
            continue
        flagged.append(
            {
                "site_id": row["site_id"],
                "site": row["site__name"],
                "organization": row["organization__name"],
                "tickets": row["n"],
                "organization_norm": round(org_norm, 1) if org_norm is not None else None,
                "overall_norm": round(overall, 1),
                "ratio": round(row["n"] / overall, 1) if overall else None,
            }
        )
    return sorted(flagged, key=lambda r: -(r["ratio"] or 0))
