import os
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel
from kefu.service.choices import (
    EntryKindChoices,
    ImpactChoices,
    LinkKindChoices,
    PriorityChoices,
    ResolutionCodeChoices,
    StatusCategoryChoices,
    TicketChannelChoices,
    TicketTypeChoices,
    UrgencyChoices,
)
from kefu.service.constants import TICKET_NUMBER_DIGITS, TICKET_NUMBER_PREFIX
from kefu.service.querysets import TicketEntryQuerySet, TicketQuerySet


class Ticket(TimeStampedModel):
    """A request from a customer (or raised internally), worked through a queue's lifecycle.

    ``number`` ("T-000123") is derived from the primary key right after the insert, so it is
    unique and allocated without a shared counter row under any concurrency. ``status_category``
    copies ``status.category`` so lists and load counts need no join. ``version`` is bumped by
    every write; a save carrying an older version is refused (optimistic concurrency).
    Incidents point at their ``problem``; ``parent`` holds child tasks; ``merged_into`` points at
    the ticket a duplicate was merged into. The conversation is ``entries``.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    requester = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("requester"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_tickets",
    )
    organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_tickets",
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_tickets",
    )
    asset = models.ForeignKey(
        "customers.Asset",
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_tickets",
    )
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=TicketChannelChoices.choices,
        default=TicketChannelChoices.INTERNAL,
    )
    ticket_type = models.CharField(
        _("type"),
        max_length=20,
        choices=TicketTypeChoices.choices,
        default=TicketTypeChoices.QUESTION,
    )
    category = models.ForeignKey(
        "service.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=ImpactChoices.choices, default=ImpactChoices.MEDIUM
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=UrgencyChoices.choices, default=UrgencyChoices.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=PriorityChoices.choices, default=PriorityChoices.MEDIUM
    )
    queue = models.ForeignKey(
        "service.Queue", verbose_name=_("queue"), on_delete=models.PROTECT, related_name="tickets"
    )
    status = models.ForeignKey(
        "service.Status", verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    status_category = models.CharField(
        _("status category"), max_length=20, choices=StatusCategoryChoices.choices
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followers"),
        blank=True,
        related_name="followed_tickets",
    )
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    source_ref = models.CharField(
        _("source reference"),
        max_length=255,
        blank=True,
        help_text=_("The reference in the channel it came from, e.g. a mail's Message-ID."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    resolution_code = models.CharField(
        _("resolution"), max_length=30, choices=ResolutionCodeChoices.choices, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    problem = models.ForeignKey(
        "self",
        verbose_name=_("problem"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incidents",
        limit_choices_to={"ticket_type": TicketTypeChoices.PROBLEM},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set by the contracts module (services/contracts.py) when the ticket is created.
    contract = models.ForeignKey(
        "service.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    billable = models.BooleanField(
        _("billable"),
        default=False,
        help_text=_("No active contract with credit covers this ticket: it is charged."),
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["queue", "status_category", "-updated_at"], name="service_tkt_queue"
            ),
            models.Index(
                fields=["assignee", "status_category", "-updated_at"], name="service_tkt_assignee"
            ),
            models.Index(fields=["organization", "-created_at"], name="service_tkt_org"),
            models.Index(fields=["site", "-created_at"], name="service_tkt_site"),
            models.Index(fields=["requester", "-created_at"], name="service_tkt_requester"),
            models.Index(fields=["status_category", "resolved_at"], name="service_tkt_resolved"),
            models.Index(fields=["source_ref"], name="service_tkt_source"),
            models.Index(fields=["-updated_at"], name="service_tkt_updated"),
        ]
        permissions = [
            ("view_all_tickets", _("Can see the tickets of every queue")),
            ("merge_across_organizations", _("Can merge tickets of different organizations")),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"{self.number or '#'} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("service:ticket_detail", args=[self.pk])

    @staticmethod
    def format_number(pk: int) -> str:
        """Return the human-friendly number of ticket ``pk`` ("T-000123")."""
        return f"{TICKET_NUMBER_PREFIX}{pk:0{TICKET_NUMBER_DIGITS}d}"

    @property
    def is_active(self) -> bool:
        return self.status_category not in (
            StatusCategoryChoices.RESOLVED,
            StatusCategoryChoices.CLOSED,
        )


class TicketEntry(models.Model):
    """One item of a ticket's conversation: a public reply, an internal note or a system event.

    A reply or note is written by a staff ``author`` or by a customer ``author_contact``.
    Internal notes (``kind=note``) and events are never shown or sent to customers.
    ``time_spent_minutes`` is what contracts will bill.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKindChoices.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("customer author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("text"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    time_spent_minutes = models.PositiveIntegerField(_("time spent (minutes)"), default=0)
    message_id = models.CharField(_("message ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TicketEntryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="service_entry_tkt")]
        verbose_name = _("ticket entry")
        verbose_name_plural = _("ticket entries")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @property
    def is_public(self) -> bool:
        return self.kind == EntryKindChoices.REPLY


def attachment_path(instance: "TicketAttachment", filename: str) -> str:
    """Store under a random token: a download path no one can guess or enumerate."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"service/attachments/{instance.token[:2]}/{instance.token}{ext}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class TicketAttachment(models.Model):
    """A file attached to a ticket (optionally to one entry), stored through Django's storage.

    ``token`` (192 random bits) names the file and its download URL; the original name is kept
    for the ``Content-Disposition`` header only.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(
        TicketEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    is_public = models.BooleanField(_("visible to the customer"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("service:attachment_download", args=[self.token])


class TicketLink(models.Model):
    """A relation between two tickets ("related to", "duplicate of"), stored once per pair."""

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKindChoices.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_ticket", "to_ticket", "kind"], name="service_link_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_ticket=models.F("to_ticket")), name="service_link_not_self"
            ),
        ]
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")

    def __str__(self) -> str:
        return f"{self.from_ticket_id} {self.kind} {self.to_ticket_id}"
