from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel, TranslatedNameModel
from kefu.service.choices import ImpactChoices, PriorityChoices, UrgencyChoices


class Category(TranslatedNameModel):
    """A node of the ticket category tree (``parent``), e.g. Hardware > Printer > Paper jam.

    ``key`` is what routing rules and agent skills match on; a skill on a parent category also
    covers its children.
    """

    key = models.SlugField(_("key"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def ancestor_keys(self) -> list[str]:
        """Return this category's key and its ancestors' keys, nearest first."""
        keys, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            keys.append(node.key)
            node = node.parent
        return keys


class PriorityMatrixEntry(models.Model):
    """One cell of the ITIL impact x urgency matrix: which priority a combination gets."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=ImpactChoices.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=UrgencyChoices.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=PriorityChoices.choices)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="service_priority_cell")
        ]
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")

    def __str__(self) -> str:
        return f"{self.impact}x{self.urgency}={self.priority}"


class CannedResponse(TimeStampedModel):
    """A reusable reply in English and Chinese with placeholders such as ``{contact_name}``.

    Placeholders are filled by ``services.canned.canned_response_render``; unknown ones are left
    as written so a typo shows instead of vanishing.
    """

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text (English)"), blank=True)
    body_zh_hans = models.TextField(_("text (Chinese)"), blank=True)
    queue = models.ForeignKey(
        "service.Queue",
        verbose_name=_("queue"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
        help_text=_("Empty: available in every queue."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str | None = None) -> str:
        """Return the text in ``language`` (default: active), falling back to the other one."""
        language = (language or get_language() or "").lower()
        if language.startswith("zh") and self.body_zh_hans:
            return self.body_zh_hans
        return self.body or self.body_zh_hans
