from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    USER = "user", _("Staff user")


class CustomFieldDefinition(models.Model):
    """An administrator-defined field on one kind of record (its ``target``, e.g. ``customers.contact``).

    Values live in the target row's ``custom_fields`` JSON column keyed by ``key`` (the NetBox
    pattern: no join per field, filterable with JSON lookups on SQLite and PostgreSQL).
    ``choices`` is a list of ``{"value", "label", "label_zh_hans"}``. Validation and form fields are
    built by ``kefu.core.customfields``.
    """

    target = models.CharField(_("applies to"), max_length=60, db_index=True)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label (English)"), max_length=100)
    label_zh_hans = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=CustomFieldType.choices)
    is_required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    regex = models.CharField(_("pattern"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["target", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="core_customfield_target_key")
        ]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return f"{self.target}.{self.key}"

    @property
    def display_label(self) -> str:
        if (get_language() or "").lower().startswith("zh") and self.label_zh_hans:
            return self.label_zh_hans
        return self.label

    def choice_label(self, value: str) -> str:
        """Return the label of one choice value in the active language (the value if unknown)."""
        zh = (get_language() or "").lower().startswith("zh")
        for choice in self.choices or []:
            if str(choice.get("value")) == str(value):
                if zh and choice.get("label_zh_hans"):
                    return choice["label_zh_hans"]
                return choice.get("label") or str(value)
        return str(value)
