from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel


class RoutingRule(TimeStampedModel):
    """An ordered rule sending new tickets to a queue when all its set conditions match.

    Empty conditions match anything. ``channels``, ``category_keys``, ``tier_keys`` and
    ``languages`` are lists (any of them matches; a category key also matches its children);
    ``keywords`` match, case-insensitively, anywhere in the subject or description. The first
    active rule by ``order`` wins.
    """

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    category_keys = models.JSONField(_("categories"), default=list, blank=True)
    tier_keys = models.JSONField(_("organization tiers"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    queue = models.ForeignKey(
        "service.Queue", verbose_name=_("queue"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name
