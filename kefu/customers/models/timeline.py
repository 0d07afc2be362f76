from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import TimelineKindChoices


class TimelineEvent(models.Model):
    """One business event in a customer's history, written by any app (the 360° timeline).

    Events point at the organization, contact and site they concern (any may be empty), carry a
    ``source`` reference (``"service.ticket"``, 42) back to the record that caused them, and are
    read newest first through the (organization|contact, occurred_at) indexes: the 360° page is
    one indexed query, not a join across apps.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=TimelineKindChoices.choices)
    verb = models.CharField(_("what happened"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        "customers.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="timeline_events",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="timeline_events",
    )
    site = models.ForeignKey(
        "customers.Site", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.CharField(_("source ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-occurred_at", "-id"], name="customers_tl_org"),
            models.Index(fields=["contact", "-occurred_at", "-id"], name="customers_tl_contact"),
            models.Index(fields=["source_type", "source_id"], name="customers_tl_source"),
        ]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return self.title
