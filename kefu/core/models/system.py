from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (one row per process kind)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    beat_at = models.DateTimeField(_("last beat"))
    host = models.CharField(_("host"), max_length=200, blank=True)
    count = models.PositiveBigIntegerField(_("beats"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name


class IdempotencyKey(models.Model):
    """A stored API response for an ``Idempotency-Key``, replayed when the same POST is retried.

    Keys are scoped to the user who sent them. ``request_hash`` guards against a key reused for a
    different request (that answers 422, as the IETF idempotency-key draft asks).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return self.key


class ConfigStamp(models.Model):
    """One row whose ``token`` changes whenever desk configuration is written.

    Processes keep snapshots of configuration rows (queues, rules, SLA policies, templates...)
    in memory and check this one row before using them (see ``kefu.core.configstamp``). The
    token is random rather than a counter: a rolled-back change must never let an old snapshot
    match a later, different change that happens to reach the same number.
    """

    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("configuration stamp")
        verbose_name_plural = _("configuration stamps")

    def __str__(self) -> str:
        return self.token
