"""Reads of the knowledge base: lists, diffs, the leaderboard."""

import difflib
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from kefu.knowledge.models import Article, ArticleVersion, RewardPoint

PERIODS = {"week": 7, "month": 30, "quarter": 91, "year": 365}


def article_list(*, status: str = "", visibility: str = "", language: str = "", due: bool = False):
    """Articles for the staff list, newest change first, optionally filtered (``due``: published
    articles whose re-review date has passed)."""
    articles = Article.objects.select_related("category", "author")
    if due:
        articles = articles.due_for_review()
    if status:
        articles = articles.filter(status=status)
    if visibility:
        articles = articles.filter(visibility=visibility)
    if language:
        articles = articles.filter(language=language)
    return articles


def article_variants(article: Article):
    """The other language variants of ``article``."""
    return Article.objects.filter(translation_group=article.translation_group).exclude(
        pk=article.pk
    )


def version_diff(version: ArticleVersion) -> list[tuple[str, str]]:
    """Return the unified diff of ``version`` against the one before it as ``(css, line)``
    pairs (plain text, escaped when rendered): "add", "del", "hunk" or "" per line."""
    previous = (
        ArticleVersion.objects.filter(article_id=version.article_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    before = f"# {previous.title}\n\n{previous.body}" if previous else ""
    after = f"# {version.title}\n\n{version.body}"
    lines = difflib.unified_diff(
        before.splitlines(),
        after.splitlines(),
        fromfile=f"v{previous.number}" if previous else "-",
        tofile=f"v{version.number}",
        lineterm="",
    )
    result = []
    for line in lines:
        if line.startswith(("+++", "---")):
            css = "hunk"
        elif line.startswith("+"):
            css = "add"
        elif line.startswith("-"):
            css = "del"
        elif line.startswith("@@"):
            css = "hunk"
        else:
            css = ""
        result.append((css, line))
    return result


def leaderboard(*, period: str = "month", limit: int = 20) -> list[dict]:
    """Authors by points earned in the last ``period`` (week, month, quarter, year)."""
    since = timezone.now() - timedelta(days=PERIODS.get(period, 30))
    rows = (
        RewardPoint.objects.filter(created_at__gte=since)
        .values("user_id", "user__username", "user__first_name", "user__last_name")
        .annotate(points=Sum("points"))
        .order_by("-points", "user_id")[:limit]
    )
    return [
        {
            "user_id": row["user_id"],
            "name": f"{row['user__first_name']} {row['user__last_name']}".strip()
            or row["user__username"],
            "points": row["points"],
        }
        for row in rows
    ]


def deflection_report(*, days: int = 30, gaps: int = 20) -> dict:
    """Return the deflection rate of the last ``days`` and the top searches with no results.

    A session that searched or clicked a suggestion counts as deflected unless it then
    submitted a request.
    """
    from django.db.models import Count

    from kefu.knowledge.models import PortalSearch

    rows = PortalSearch.objects.filter(created_at__gte=timezone.now() - timedelta(days=days))
    total = rows.values("session_key").distinct().count()
    requested = rows.filter(ended_in_request=True).values("session_key").distinct().count()
    deflected = total - requested
    no_results = (
        rows.filter(kind=PortalSearch.Kind.SEARCH, result_count=0)
        .exclude(query="")
        .values("query")
        .annotate(count=Count("id"))
        .order_by("-count", "query")[:gaps]
    )
    return {
        "sessions": total,
        "deflected": deflected,
        "requested": requested,
        "rate": (deflected / total) if total else None,
        "searches": rows.filter(kind=PortalSearch.Kind.SEARCH).count(),
        "clicks": rows.filter(kind=PortalSearch.Kind.CLICK).count(),
        "gaps": list(no_results),
    }
