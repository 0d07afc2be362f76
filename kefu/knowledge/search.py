"""Article search through the shared backend (``kefu.core.search``), kind ``knowledge.article``.

Indexed: published articles only (scheduled ones too; they are filtered by ``publish_at`` when
read), title and tags as the title (weighted above the body), the Markdown body as the body,
facet ``public`` or ``internal``. Drafts, articles in review and archived ones are removed from
the index on their next save. Ranking: the backend's text score, then quality (reuses, votes,
views) and recency as tie-breakers of decreasing weight.
"""

import math

from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts import policy
from kefu.core.search import Document, get_backend, register_indexer, schedule
from kefu.core.search.providers import register_provider
from kefu.knowledge.choices import ArticleStatusChoices, ArticleVisibilityChoices
from kefu.knowledge.models import Article

ARTICLE = "knowledge.article"
# Snippets are cut around the first match: the start of the body is enough, and a short
# excerpt keeps the candidate rows every search reads small.
_EXCERPT = 600


def article_documents(ids: list[int]) -> list[Document]:
    """Return the search documents of the published articles among ``ids`` (one query)."""
    rows = (
        Article.objects.filter(pk__in=ids, status=ArticleStatusChoices.PUBLISHED)
        .order_by()
        .values_list("pk", "title", "tags", "body", "visibility")
    )
    return [
        Document(
            kind=ARTICLE,
            object_id=pk,
            title=f"{title} {tags.replace(',', ' ')}",
            body=body,
            facet=visibility,
            excerpt=f"{title}\n{body[:_EXCERPT]}",
        )
        for pk, title, tags, body, visibility in rows
    ]


register_indexer(ARTICLE, build=article_documents, all_ids=lambda: Article.objects.all())


def _article_changed(sender, instance, using, **kwargs):
    schedule(ARTICLE, [instance.pk], using=using)


post_save.connect(_article_changed, sender=Article, dispatch_uid="search_article_saved")
post_delete.connect(_article_changed, sender=Article, dispatch_uid="search_article_deleted")


def _rank(hit_score: float, article: Article, now) -> float:
    age_days = max((now - (article.published_at or article.created_at)).days, 0)
    quality = math.log1p(max(article.quality, 0.0))
    return hit_score + 0.1 * quality + 0.2 / (1 + age_days / 90)


def article_search(
    *, query: str, public_only: bool, language: str = "", limit: int = 10
) -> list[tuple[Article, str]]:
    """Return up to ``limit`` live articles matching ``query`` with highlighted snippets.

    ``public_only``: what customers and anonymous visitors may read; staff search passes
    False (internal articles too). ``language`` narrows to one variant language.
    """
    if not query.strip():
        return []
    # Staff read every visibility: no facet tags to match (on SQLite, each tag in the MATCH
    # is one more list of every article to step through).
    filters = {"facet": [ArticleVisibilityChoices.PUBLIC]} if public_only else {}
    hits = get_backend().search(ARTICLE, query, limit=max(limit * 2, 20), filters=filters)
    if not hits:
        return []
    articles = Article.objects.live().filter(pk__in=[h.object_id for h in hits])
    if public_only:
        articles = articles.public()
    if language:
        articles = articles.filter(language=language)
    # Results show titles, links and snippets: the bodies (most of a row) are not read.
    articles = articles.select_related("category").defer("body", "body_html")
    by_id = {a.pk: a for a in articles}
    now = timezone.now()
    ranked = sorted(
        ((_rank(h.score, by_id[h.object_id], now), h) for h in hits if h.object_id in by_id),
        key=lambda pair: -pair[0],
    )
    return [(by_id[h.object_id], h.snippet) for _score, h in ranked[:limit]]


def articles_provider(user, query: str, limit: int) -> dict | None:
    if not policy.can(user, "knowledge.view_article"):
        return None
    results = [
        {
            "title": article.title,
            "subtitle": article.get_visibility_display(),
            "organization": article.category.label(article.language) if article.category else "",
            "details": article.tag_list[:4],
            "url": article.get_absolute_url(),
        }
        for article, _snippet in article_search(query=query, public_only=False, limit=limit)
    ]
    return {"key": "articles", "label": _("Articles"), "results": results}


register_provider(articles_provider)
