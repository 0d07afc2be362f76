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
    """One text message to a phone number, queued, sent or failed, with the gateway's answer.

    It works like the mail outbox: ``key`` makes a message unique (the same SLA warning asked
    for twice is one row), a worker claims the row with a conditional ``UPDATE`` (``queued`` ->
    ``sending``), a claim older than the lease belongs to a dead worker and is taken again,
    temporary gateway failures retry at ``next_attempt_at`` with back-off, and the outcome is
    recorded on the ticket (``ticket_id``).
    """

    key = models.CharField(_("key"), max_length=64, blank=True)

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
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="channels_sms_key_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="channels_sms_due")]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self) -> str:
        return f"{self.to} ({self.state})"
