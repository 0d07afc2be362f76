"""Knowledge-base API (staff): articles, their lifecycle, votes, ticket links and suggestions.

Every operation needs a staff permission, so portal customers get 403 whatever the id.
"""

import contextlib

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kefu.accounts.policy import require
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core.audit import AuditSource, audit_context
from kefu.knowledge import selectors, services
from kefu.knowledge.models import Article
from kefu.knowledge.schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatch,
    ReviewIn,
    SuggestionOut,
    VoteIn,
)
from kefu.knowledge.search import article_search

router = Router(tags=["knowledge"])


@contextlib.contextmanager
def _writing(request):
    with audit_context(source=AuditSource.API, actor=request.auth):
        yield


class ArticleFilters(Schema):
    status: str = ""
    visibility: str = ""
    language: str = ""


@router.get(
    "/articles",
    response={200: list[ArticleOut], **LIST_ERRORS},
    summary="List articles",
    description="Filter with `status`, `visibility` and `language`.",
)
@paginate(PageNumberPagination)
def article_list(request, filters: Query[ArticleFilters]):
    require(request.auth, "knowledge.view_article")
    return selectors.article_list(**filters.model_dump())


@router.get(
    "/articles/suggestions",
    response={200: list[SuggestionOut], **LIST_ERRORS},
    summary="Best matching live articles for a text",
    description="`public_only=true` gives what customers may read.",
)
def article_suggestions(request, q: str, public_only: bool = False, limit: int = 5):
    require(request.auth, "knowledge.view_article")
    results = article_search(query=q[:300], public_only=public_only, limit=max(1, min(limit, 20)))
    return [
        {
            "id": article.pk,
            "title": article.title,
            "language": article.language,
            "visibility": article.visibility,
            "snippet": snippet,
            "url": article.get_absolute_url(),
        }
        for article, snippet in results
    ]


@router.get("/articles/{article_id}", response={200: ArticleOut, **READ_ERRORS})
def article_get(request, article_id: int):
    require(request.auth, "knowledge.view_article")
    return get_object_or_404(Article, pk=article_id)


@router.post("/articles", response={201: ArticleOut, **WRITE_ERRORS}, summary="Create a draft")
def article_create(request, payload: ArticleIn):
    require(request.auth, "knowledge.add_article")
    data = payload.model_dump()
    translation_of = data.pop("translation_of")
    if translation_of is not None:
        data["translation_of"] = get_object_or_404(Article, pk=translation_of)
    with _writing(request):
        article = services.article_create(actor=request.auth, **data)
    return Status(201, article)


@router.patch("/articles/{article_id}", response={200: ArticleOut, **WRITE_ERRORS})
def article_update(request, article_id: int, payload: ArticlePatch):
    require(request.auth, "knowledge.change_article")
    article = get_object_or_404(Article, pk=article_id)
    with _writing(request):
        return services.article_update(
            actor=request.auth, article=article, **payload.model_dump(exclude_unset=True)
        )


def _transition(request, article_id: int, service, **kwargs):
    require(request.auth, "knowledge.view_article")
    article = get_object_or_404(Article, pk=article_id)
    with _writing(request):
        return service(actor=request.auth, article=article, **kwargs)


@router.post("/articles/{article_id}/submit", response={200: ArticleOut, **WRITE_ERRORS})
def article_submit(request, article_id: int):
    return _transition(request, article_id, services.article_submit)


@router.post("/articles/{article_id}/approve", response={200: ArticleOut, **WRITE_ERRORS})
def article_approve(request, article_id: int, payload: ReviewIn):
    return _transition(request, article_id, services.article_approve, comment=payload.comment)


@router.post("/articles/{article_id}/send-back", response={200: ArticleOut, **WRITE_ERRORS})
def article_send_back(request, article_id: int, payload: ReviewIn):
    return _transition(request, article_id, services.article_send_back, comment=payload.comment)


@router.post("/articles/{article_id}/archive", response={200: ArticleOut, **WRITE_ERRORS})
def article_archive(request, article_id: int):
    return _transition(request, article_id, services.article_archive)


@router.post("/articles/{article_id}/votes", response={204: None, **WRITE_ERRORS})
def article_vote(request, article_id: int, payload: VoteIn):
    require(request.auth, "knowledge.view_article")
    article = get_object_or_404(Article, pk=article_id)
    services.article_vote(article=article, is_helpful=payload.helpful, user=request.auth)
    return Status(204, None)


@router.post(
    "/articles/{article_id}/tickets/{ticket_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Mark the article as used to solve the ticket",
)
def article_link_ticket(request, article_id: int, ticket_id: int):
    require(request.auth, "knowledge.add_articleticketlink")
    article = get_object_or_404(Article.objects.live(), pk=article_id)
    with _writing(request):
        services.article_ticket_link(actor=request.auth, article=article, ticket_id=ticket_id)
    return Status(204, None)


@router.post(
    "/tickets/{ticket_id}/article-draft",
    response={201: ArticleOut, **WRITE_ERRORS},
    summary="Create a draft article from a ticket",
)
def article_from_ticket(request, ticket_id: int, language: str = "zh-hans"):
    require(request.auth, "knowledge.add_article")
    with _writing(request):
        article = services.article_create_from_ticket(
            actor=request.auth, ticket_id=ticket_id, language=language
        )
    return Status(201, article)
