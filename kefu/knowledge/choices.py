from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleStatusChoices(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleVisibilityChoices(models.TextChoices):
    INTERNAL = "internal", _("Internal (agents only)")
    PUBLIC = "public", _("Public")


class ArticleLanguageChoices(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class ReviewDecisionChoices(models.TextChoices):
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back")


class RewardReasonChoices(models.TextChoices):
    PUBLISHED = "published", _("Article published")
    REUSED = "reused", _("Article used to solve a ticket")
    HELPFUL = "helpful", _("Helpful vote")
