from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.channels.choices import SmsGatewayKindChoices, SmsStateChoices
from kefu.core.models import TimeStampedModel


class SmsGateway(TimeStampedModel):
    """How text messages leave Kefu: the console (development) or a generic HTTP gateway.

    The HTTP gateway POSTs ``payload_template`` (JSON, ``$to`` and ``$text`` substituted, JSON
    escaped) to ``url`` with ``auth_header_encrypted`` as the ``Authorization`` header. One gateway
    is the default (``is_default``).
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SmsGatewayKindChoices.choices)
    url = models.URLField(_("URL"), blank=True)
    auth_header_encrypted = models.TextField(_("authorization (encrypted)"), blank=True)
    payload_template = models.TextField(
        _("payload template"), default='{"to": "$to", "text": "$text"}'
    )
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SMS gateway")
        verbose_name_plural = _("SMS gateways")

    def __str__(self) -> str:
        return self.name


class SmsMessage(models.Model):
    """One text message sent (or tried) to a phone number, with the gateway's answer."""

    gateway = models.ForeignKey(
        SmsGateway, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    to = models.CharField(_("to"), max_length=32)
    text = models.TextField(_("text"))
    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True, db_index=True)
    state = models.CharField(
        _("state"), max_length=10, choices=SmsStateChoices.choices, default=SmsStateChoices.QUEUED
    )
    provider_ref = models.CharField(_("gateway reference"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self) -> str:
        return f"{self.to} ({self.state})"
