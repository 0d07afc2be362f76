from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.service.choices import CallDirectionChoices, CallOutcomeChoices


class CallRecord(models.Model):
    """One phone call: who, when, how long the caller waited and talked, how it ended.

    Linked to the contact the number resolved to and to the ticket it created or added to;
    these rows feed the call-centre KPIs.
    """

    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirectionChoices.choices
    )
    number = models.CharField(_("number"), max_length=40, blank=True)
    started_at = models.DateTimeField(_("started"))
    wait_seconds = models.PositiveIntegerField(_("wait (seconds)"), default=0)
    talk_seconds = models.PositiveIntegerField(_("talk (seconds)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcomeChoices.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_calls",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_calls",
    )
    organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_calls",
    )
    ticket = models.ForeignKey(
        "service.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at"], name="service_call_started"),
            models.Index(fields=["agent", "-started_at"], name="service_call_agent"),
            models.Index(fields=["contact", "-started_at"], name="service_call_contact"),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return f"{self.direction} {self.number} {self.started_at:%Y-%m-%d %H:%M}"
