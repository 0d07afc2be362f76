import math
import os
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel
from kefu.knowledge.choices import (
    ArticleLanguageChoices,
    ArticleStatusChoices,
    ArticleVisibilityChoices,
    ReviewDecisionChoices,
    RewardReasonChoices,
)
from kefu.knowledge.constants import MAX_TITLE


class Category(models.Model):
    """A node of the category tree articles are filed in (``parent`` is the node above)."""

    name = models.CharField(_("name (English)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def label(self, language: str = "") -> str:
        """Return the name in ``language`` (the Chinese one when set and asked for)."""
        if language.startswith("zh") and self.name_zh_hans:
            return self.name_zh_hans
        return self.name


class ArticleQuerySet(models.QuerySet):
    def live(self, *, at=None):
        """Published articles whose ``publish_at`` has come."""
        at = at or timezone.now()
        return self.filter(status=ArticleStatusChoices.PUBLISHED).filter(
            models.Q(publish_at__isnull=True) | models.Q(publish_at__lte=at)
        )

    def public(self):
        return self.filter(visibility=ArticleVisibilityChoices.PUBLIC)

    def due_for_review(self, *, at=None):
        at = at or timezone.now()
        return self.filter(status=ArticleStatusChoices.PUBLISHED, review_due__lte=at)


class Article(TimeStampedModel):
    """One language variant of a knowledge article.

    Variants of the same article (Chinese and English) share a ``translation_group``; one
    variant per language. ``body`` is Markdown; ``body_html`` is its sanitized rendering,
    written by the services. Every publication of a change is an ``ArticleVersion``.
    ``source_ticket`` is the ticket a draft was created from; ``ArticleTicketLink`` rows are
    the tickets it helped solve. The counters and ``quality`` are kept by the services.
    """

    translation_group = models.UUIDField(_("translation group"), default=uuid.uuid4, db_index=True)
    language = models.CharField(
        _("language"), max_length=10, choices=ArticleLanguageChoices.choices
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=ArticleVisibilityChoices.choices,
        default=ArticleVisibilityChoices.INTERNAL,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ArticleStatusChoices.choices,
        default=ArticleStatusChoices.DRAFT,
        db_index=True,
    )
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (HTML)"), blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_articles",
    )
    source_ticket = models.ForeignKey(
        "service.Ticket",
        verbose_name=_("created from ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    review_due = models.DateTimeField(_("review due"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("unhelpful votes"), default=0)
    reuse_count = models.PositiveIntegerField(_("used to solve"), default=0)
    quality = models.FloatField(_("quality"), default=0.0)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_group", "language"], name="knowledge_one_variant_per_language"
            )
        ]
        permissions = [("review_article", _("Can review and publish articles"))]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article_detail", args=[self.pk])

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    def is_live(self, *, at=None) -> bool:
        """Whether customers (public) or agents (internal) may read it now."""
        at = at or timezone.now()
        return self.status == ArticleStatusChoices.PUBLISHED and (
            self.publish_at is None or self.publish_at <= at
        )

    def compute_quality(self) -> float:
        """Quality from reuses (strongest signal), net helpful votes and views (log-damped)."""
        return round(
            3.0 * self.reuse_count
            + 2.0 * (self.helpful_count - self.unhelpful_count)
            + math.log1p(self.view_count),
            3,
        )


def _attachment_token() -> str:
    return secrets.token_urlsafe(24)


def attachment_path(instance: "ArticleAttachment", filename: str) -> str:
    """Store under the random token: a path no one can guess or enumerate."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"knowledge/attachments/{instance.token[:2]}/{instance.token}{ext}"


class ArticleAttachment(models.Model):
    """A file or image of an article. ``token`` names its download URL (staff:
    ``knowledge:attachment_download``; the portal serves those of live public articles)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=64, unique=True, default=_attachment_token, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ArticleVersion(models.Model):
    """A published state of an article: its title and Markdown body as of ``number``."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    body = models.TextField(_("body"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleReview(models.Model):
    """A reviewer's decision on an article in review: approved, or sent back with a comment."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecisionChoices.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article review")
        verbose_name_plural = _("article reviews")

    def __str__(self) -> str:
        return f"{self.article_id} {self.decision}"


class ArticleVote(models.Model):
    """Whether an article helped: one vote per person (a staff user or a customer contact)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    is_helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=models.Q(user__isnull=False),
                name="knowledge_vote_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "contact"],
                condition=models.Q(contact__isnull=False),
                name="knowledge_vote_one_per_contact",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(contact__isnull=False),
                name="knowledge_vote_has_voter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.is_helpful}"


class ArticleTicketLink(models.Model):
    """An article used to solve a ticket (one row per pair)."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "service.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("linked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("article used to solve a ticket")
        verbose_name_plural = _("articles used to solve tickets")
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket"], name="knowledge_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} -> {self.ticket_id}"


class RewardPoint(models.Model):
    """Points an author earned, and why (a publication, a reuse, a helpful vote)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="knowledge_points",
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=RewardReasonChoices.choices)
    points = models.IntegerField(_("points"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("reward points")
        verbose_name_plural = _("reward points")

    def __str__(self) -> str:
        return f"{self.user_id} +{self.points}"


class PortalSearch(models.Model):
    """A customer's search or suggestion click in the portal, for the deflection report.

    Rows of one browser session are marked ``ended_in_request`` when that session submits a
    request; the others were deflected (the customer found the answer, or gave up).
    """

    class Kind(models.TextChoices):
        SEARCH = "search", _("Search")
        SUGGESTION = "suggestion", _("Suggestions while typing")
        CLICK = "click", _("Suggestion clicked")

    session_key = models.CharField(_("session"), max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    query = models.CharField(_("query"), max_length=300, blank=True)
    result_count = models.PositiveIntegerField(_("results"), default=0)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_in_request = models.BooleanField(_("ended in a request"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("portal search")
        verbose_name_plural = _("portal searches")

    def __str__(self) -> str:
        return f"{self.kind} {self.query}"
