import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.service.constants import SURVEY_RATING_MAX, SURVEY_RATING_MIN


def _new_nonce() -> str:
    return secrets.token_urlsafe(16)


class Survey(models.Model):
    """A satisfaction (CSAT) survey of one ticket, sent to its requester when it is resolved.

    One per ticket (``ticket`` is one-to-one): resolving again neither creates a second survey
    nor mails again. ``contact``, ``organization``, ``queue`` and ``agent`` are copied from the
    ticket at resolution, so results per agent or queue keep meaning what they meant then even
    if the ticket moves later, and reports need no join through the ticket. The link in the mail
    is a signed token of ``(id, ticket, nonce)`` (see ``services/surveys.py``); ``rating`` is
    empty until the requester answers, once.
    """

    ticket = models.OneToOneField(
        "service.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="survey"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    queue = models.ForeignKey(
        "service.Queue",
        verbose_name=_("queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    nonce = models.CharField(max_length=32, default=_new_nonce, editable=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    mailed_at = models.DateTimeField(_("mailed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="service_survey_created"),
            models.Index(fields=["agent", "created_at"], name="service_survey_agent"),
            models.Index(fields=["queue", "created_at"], name="service_survey_queue"),
            models.Index(fields=["organization", "created_at"], name="service_survey_org"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True)
                | models.Q(rating__gte=SURVEY_RATING_MIN, rating__lte=SURVEY_RATING_MAX),
                name="service_survey_rating_range",
            ),
        ]
        permissions = [
            ("view_service_reports", _("Can see the service reports and survey results")),
        ]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating or '-'}"

    @property
    def is_answered(self) -> bool:
        return self.rating is not None
