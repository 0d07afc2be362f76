from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel, TranslatedNameModel
from kefu.service.choices import AssignmentModeChoices, StatusCategoryChoices
from kefu.service.constants import DEFAULT_AUTO_CLOSE_DAYS


class Lifecycle(TimeStampedModel):
    """A set of statuses and the moves allowed between them; each queue follows one.

    The statuses belong to the lifecycle (``statuses``); ``transitions`` lists the allowed moves.
    A lifecycle without any transition rows allows every move between its statuses.
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (English)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lifecycle")
        verbose_name_plural = _("lifecycles")

    def __str__(self) -> str:
        return self.name


class Status(TranslatedNameModel):
    """One status of a lifecycle, in one of the fixed categories (new, open, waiting, ...).

    The category drives behaviour (an agent's load counts new/open/waiting, the auto-close sweep
    picks resolved, SLA clocks will pause in waiting); the name is what the team sees.
    ``is_initial`` marks the status new tickets start in (one per lifecycle).
    """

    lifecycle = models.ForeignKey(
        Lifecycle, verbose_name=_("lifecycle"), on_delete=models.CASCADE, related_name="statuses"
    )
    key = models.SlugField(_("key"), max_length=40)
    category = models.CharField(_("category"), max_length=20, choices=StatusCategoryChoices.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_initial = models.BooleanField(_("initial status"), default=False)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["lifecycle_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lifecycle", "key"], name="service_status_key"),
            models.UniqueConstraint(
                fields=["lifecycle"],
                condition=models.Q(is_initial=True),
                name="service_status_one_initial",
            ),
        ]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")


class StatusTransition(models.Model):
    """An allowed move from one status to another within a lifecycle."""

    lifecycle = models.ForeignKey(Lifecycle, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.ForeignKey(
        Status, verbose_name=_("from"), on_delete=models.CASCADE, related_name="transitions_out"
    )
    to_status = models.ForeignKey(
        Status, verbose_name=_("to"), on_delete=models.CASCADE, related_name="transitions_in"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_status", "to_status"], name="service_transition_unique"
            )
        ]
        verbose_name = _("status transition")
        verbose_name_plural = _("status transitions")

    def __str__(self) -> str:
        return f"{self.from_status_id} -> {self.to_status_id}"


class Queue(TimeStampedModel):
    """A line of work tickets land in: its members, lifecycle and how tickets are assigned.

    ``second_line`` is where an agent escalates a ticket by hand. ``last_assigned_at`` on each
    membership drives round-robin. ``auto_close_days`` closes resolved tickets after that many
    days (0: never).
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name (English)"), max_length=100)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    lifecycle = models.ForeignKey(
        Lifecycle, verbose_name=_("lifecycle"), on_delete=models.PROTECT, related_name="queues"
    )
    assignment_mode = models.CharField(
        _("assignment"),
        max_length=20,
        choices=AssignmentModeChoices.choices,
        default=AssignmentModeChoices.MANUAL,
    )
    second_line = models.ForeignKey(
        "self",
        verbose_name=_("second-line queue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="first_lines",
    )
    auto_close_days = models.PositiveSmallIntegerField(
        _("close resolved tickets after (days)"), default=DEFAULT_AUTO_CLOSE_DAYS
    )
    is_default = models.BooleanField(
        _("default queue"), default=False, help_text=_("Where tickets go when no rule matches.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="QueueMembership",
        related_name="service_queues",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="service_queue_one_default",
            )
        ]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").lower().startswith("zh") and self.name_zh_hans:
            return self.name_zh_hans
        return self.name


class QueueMembership(models.Model):
    """A staff user working a queue; ``is_supervisor`` may see and manage all its tickets."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_memberships"
    )
    is_supervisor = models.BooleanField(_("queue supervisor"), default=False)
    last_assigned_at = models.DateTimeField(_("last assigned"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["queue", "user"], name="service_membership_unique")
        ]
        indexes = [models.Index(fields=["user", "queue"], name="service_membership_user")]
        verbose_name = _("queue membership")
        verbose_name_plural = _("queue memberships")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.queue_id}"
