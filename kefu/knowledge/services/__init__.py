"""Every write to the knowledge base.

Lifecycle: ``article_create`` (draft) -> ``article_submit`` (in review) -> ``article_approve``
(published, at once or at ``publish_at``) or ``article_send_back`` (draft, with a comment) ->
``article_archive``. ``article_update`` of a published article publishes the change as a new
version at once when the editor is a reviewer; otherwise the article goes back to review.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kefu.accounts import policy
from kefu.knowledge import markdown
from kefu.knowledge.choices import (
    ArticleLanguageChoices,
    ArticleStatusChoices,
    ArticleVisibilityChoices,
    ReviewDecisionChoices,
    RewardReasonChoices,
)
from kefu.knowledge.constants import (
    MAX_TITLE,
    POINTS_HELPFUL,
    POINTS_PUBLISHED,
    POINTS_REUSED,
    REVIEW_INTERVAL,
)
from kefu.knowledge.models import (
    Article,
    ArticleReview,
    ArticleTicketLink,
    ArticleVersion,
    ArticleVote,
    RewardPoint,
)

REVIEW_PERMISSION = "knowledge.review_article"


def _clean_tags(tags) -> str:
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: list[str] = []
    for tag in tags or []:
        tag = tag.strip()[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return ", ".join(seen)[:300]


def _unique_slug(title: str, language: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title, allow_unicode=True)[:100] or "article"
    if language == ArticleLanguageChoices.EN and not base.isascii():
        base = "article"
    slug, n = base, 1
    while Article.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _validate(title: str, language: str, visibility: str) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("A title is required.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("The title is too long.")]
    if language not in ArticleLanguageChoices.values:
        errors["language"] = [_("Unknown language.")]
    if visibility not in ArticleVisibilityChoices.values:
        errors["visibility"] = [_("Unknown visibility.")]
    if errors:
        raise ValidationError(errors)


def _lock(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _award(user_id: int | None, article: Article, reason: str, points: int) -> None:
    if user_id:
        RewardPoint.objects.create(user_id=user_id, article=article, reason=reason, points=points)


def _refresh_quality(article_id: int) -> None:
    article = Article.objects.get(pk=article_id)
    Article.objects.filter(pk=article_id).update(quality=article.compute_quality())


@transaction.atomic
def article_create(
    *,
    actor,
    title: str,
    body: str = "",
    language: str = ArticleLanguageChoices.ZH_HANS,
    visibility: str = ArticleVisibilityChoices.INTERNAL,
    category_id: int | None = None,
    tags=None,
    translation_of: Article | None = None,
    source_ticket_id: int | None = None,
    publish_at=None,
) -> Article:
    """Create a draft written by ``actor``.

    ``translation_of``: another language variant of the same article (one per language;
    ``ValidationError`` on a second one).
    """
    policy.require(actor, "knowledge.add_article")
    _validate(title, language, visibility)
    group = translation_of.translation_group if translation_of else uuid.uuid4()
    if Article.objects.filter(translation_group=group, language=language).exists():
        raise ValidationError({"language": [_("This article already has that language.")]})
    try:
        with transaction.atomic():
            return Article.objects.create(
                translation_group=group,
                language=language,
                title=title.strip(),
                slug=_unique_slug(title, language),
                category_id=category_id,
                tags=_clean_tags(tags),
                visibility=visibility,
                body=body,
                body_html=markdown.render(body),
                author=actor,
                source_ticket_id=source_ticket_id,
                publish_at=publish_at,
            )
    except IntegrityError as exc:
        raise ValidationError({"title": [_("Please try again.")]}) from exc


@transaction.atomic
def article_update(
    *,
    actor,
    article: Article,
    title: str | None = None,
    body: str | None = None,
    visibility: str | None = None,
    category_id: int | None = None,
    tags=None,
    publish_at=None,
) -> Article:
    """Change an article's content. A published one gets a new version when ``actor`` is a
    reviewer; an author's change to a published article sends it back to review."""
    policy.require(actor, "knowledge.change_article")
    article = _lock(article)
    if article.status == ArticleStatusChoices.ARCHIVED:
        raise ValidationError({"status": [_("Archived articles cannot be edited.")]})
    new_title = article.title if title is None else title
    new_visibility = article.visibility if visibility is None else visibility
    _validate(new_title, article.language, new_visibility)
    article.title = new_title.strip()
    if body is not None:
        article.body = body
        article.body_html = markdown.render(body)
    article.visibility = new_visibility
    if category_id is not None:
        article.category_id = category_id or None
    if tags is not None:
        article.tags = _clean_tags(tags)
    if publish_at is not None:
        article.publish_at = publish_at
    if article.status == ArticleStatusChoices.PUBLISHED:
        if policy.can(actor, REVIEW_PERMISSION):
            _publish(article, actor=actor)
        else:
            article.status = ArticleStatusChoices.IN_REVIEW
    article.save()
    return article


def _publish(article: Article, *, actor) -> None:
    now = timezone.now()
    first = article.published_at is None
    article.status = ArticleStatusChoices.PUBLISHED
    article.version += 1
    article.published_at = article.published_at or now
    article.review_due = max(now, article.publish_at or now) + REVIEW_INTERVAL
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        created_by=actor,
    )
    if first:
        _award(article.author_id, article, RewardReasonChoices.PUBLISHED, POINTS_PUBLISHED)


@transaction.atomic
def article_submit(*, actor, article: Article) -> Article:
    """Ask for review of a draft (``ValidationError`` in any other status)."""
    policy.require(actor, "knowledge.change_article")
    article = _lock(article)
    if article.status != ArticleStatusChoices.DRAFT:
        raise ValidationError({"status": [_("Only drafts can be submitted for review.")]})
    if not article.body.strip():
        raise ValidationError({"body": [_("Write the article before submitting it.")]})
    article.status = ArticleStatusChoices.IN_REVIEW
    article.save(update_fields=["status", "updated_at"])
    return article


@transaction.atomic
def article_approve(*, actor, article: Article, comment: str = "") -> Article:
    """Publish an article in review as a new version (visible at ``publish_at`` if later)."""
    policy.require(actor, REVIEW_PERMISSION)
    article = _lock(article)
    if article.status != ArticleStatusChoices.IN_REVIEW:
        raise ValidationError({"status": [_("Only articles in review can be approved.")]})
    ArticleReview.objects.create(
        article=article, reviewer=actor, decision=ReviewDecisionChoices.APPROVED, comment=comment
    )
    _publish(article, actor=actor)
    article.save()
    return article


@transaction.atomic
def article_send_back(*, actor, article: Article, comment: str) -> Article:
    """Return an article in review to its author as a draft, with what to change."""
    policy.require(actor, REVIEW_PERMISSION)
    if not comment.strip():
        raise ValidationError({"comment": [_("Say what should change.")]})
    article = _lock(article)
    if article.status != ArticleStatusChoices.IN_REVIEW:
        raise ValidationError({"status": [_("Only articles in review can be sent back.")]})
    ArticleReview.objects.create(
        article=article,
        reviewer=actor,
        decision=ReviewDecisionChoices.SENT_BACK,
        comment=comment.strip(),
    )
    article.status = ArticleStatusChoices.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


def articles_expire_for_review(*, now=None) -> int:
    """Send published articles whose ``review_due`` has passed back to review (the periodic
    job ``knowledge.tasks.articles_review_due``): they leave search and the portal until a
    reviewer approves them again, which sets the next ``review_due``. Returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Article.objects.filter(
        status=ArticleStatusChoices.PUBLISHED, review_due__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due[:1000]):
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=pk)
            if article.status != ArticleStatusChoices.PUBLISHED or not (
                article.review_due and article.review_due <= now
            ):
                continue
            article.status = ArticleStatusChoices.IN_REVIEW
            article.save(update_fields=["status", "updated_at"])
            expired += 1
    return expired


@transaction.atomic
def article_archive(*, actor, article: Article) -> Article:
    """Withdraw an article (it leaves search and the portal; its versions are kept)."""
    policy.require(actor, REVIEW_PERMISSION)
    article = _lock(article)
    article.status = ArticleStatusChoices.ARCHIVED
    article.save(update_fields=["status", "updated_at"])
    return article


@transaction.atomic
def article_reopen(*, actor, article: Article) -> Article:
    """Turn an archived article back into a draft."""
    policy.require(actor, "knowledge.change_article")
    article = _lock(article)
    if article.status != ArticleStatusChoices.ARCHIVED:
        raise ValidationError({"status": [_("Only archived articles can be reopened.")]})
    article.status = ArticleStatusChoices.DRAFT
    article.save(update_fields=["status", "updated_at"])
    return article


@transaction.atomic
def article_vote(
    *, article: Article, is_helpful: bool, user=None, contact_id: int | None = None
) -> ArticleVote:
    """Record (or change) one person's vote: a staff ``user`` or a customer ``contact_id``.

    Locks the article row, so concurrent votes keep the counters exact. Only live articles.
    """
    if (user is None) == (contact_id is None):
        raise ValidationError({"voter": [_("A vote needs exactly one voter.")]})
    article = _lock(article)
    if not article.is_live():
        raise ValidationError({"article": [_("This article cannot be voted on.")]})
    who = {"user": user} if user is not None else {"contact_id": contact_id}
    vote = ArticleVote.objects.filter(article=article, **who).first()
    if vote is not None and vote.is_helpful == is_helpful:
        return vote
    if vote is None:
        vote = ArticleVote.objects.create(article=article, is_helpful=is_helpful, **who)
    else:
        previous = "helpful_count" if vote.is_helpful else "unhelpful_count"
        Article.objects.filter(pk=article.pk).update(**{previous: F(previous) - 1})
        vote.is_helpful = is_helpful
        vote.save(update_fields=["is_helpful"])
    counter = "helpful_count" if is_helpful else "unhelpful_count"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    if is_helpful:
        _award(article.author_id, article, RewardReasonChoices.HELPFUL, POINTS_HELPFUL)
    _refresh_quality(article.pk)
    return vote


def article_view_record(*, article: Article) -> None:
    """Count one reading of an article (a single UPDATE, no lock)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    _refresh_quality(article.pk)


@transaction.atomic
def article_ticket_link(*, actor, article: Article, ticket_id: int) -> ArticleTicketLink:
    """Record that ``article`` was used to solve the ticket (idempotent; 404 semantics for a
    ticket the agent may not see: ``PermissionDenied``)."""
    from kefu.service import facade as service

    policy.require(actor, "knowledge.add_articleticketlink")
    if not service.ticket_visible_to(actor, ticket_id):
        raise PermissionDenied
    article = _lock(article)
    link, created = ArticleTicketLink.objects.get_or_create(
        article=article, ticket_id=ticket_id, defaults={"linked_by": actor}
    )
    if created:
        Article.objects.filter(pk=article.pk).update(reuse_count=F("reuse_count") + 1)
        if article.author_id != actor.pk:
            _award(article.author_id, article, RewardReasonChoices.REUSED, POINTS_REUSED)
        _refresh_quality(article.pk)
    return link


def article_create_from_ticket(
    *, actor, ticket_id: int, language: str = ArticleLanguageChoices.ZH_HANS
) -> Article:
    """Draft an article from a ticket: its subject and question, then the agents' answers.

    The draft is linked to the ticket (``source_ticket``) and counts it as solved by it.
    Only public replies are used; internal notes never reach an article.
    """
    from kefu.service import facade as service

    policy.require(actor, "knowledge.add_article")
    if not service.ticket_visible_to(actor, ticket_id):
        raise PermissionDenied
    summary = service.ticket_get_summary(ticket_id)
    entries = service.ticket_public_entries(ticket_id)
    questions = [e["body"] for e in entries if e["author_contact_id"] and e["body"].strip()]
    answers = [e["body"] for e in entries if e["author_id"] and e["body"].strip()]
    question_heading = _("Question")
    answer_heading = _("Answer")
    body = "\n\n".join(
        [
            f"## {question_heading}",
            "\n\n".join(questions[:1]) or summary["subject"],
            f"## {answer_heading}",
            "\n\n".join(answers) or "",
        ]
    )
    with transaction.atomic():
        article = article_create(
            actor=actor,
            title=summary["subject"][:MAX_TITLE],
            body=body,
            language=language,
            source_ticket_id=ticket_id,
        )
        article_ticket_link(actor=actor, article=article, ticket_id=ticket_id)
    article.refresh_from_db()
    return article
