"""Third-party vendors: their underpinning contracts and the tickets dispatched to them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel


class VendorClockStateChoices(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class VendorDispatchStateChoices(models.TextChoices):
    OPEN = "open", _("Waiting for the vendor")
    RESPONDED = "responded", _("Vendor responded")
    RESOLVED = "resolved", _("Vendor resolved")
    CANCELLED = "cancelled", _("Cancelled")


class UnderpinningContract(TimeStampedModel):
    """What a vendor organization promised us: response and resolution targets on a calendar.

    The vendor is an organization with ``is_vendor``. Targets are working minutes on
    ``calendar`` (24x7 when no calendar is set). A dispatch copies the due times when it is
    made, so later edits here do not move running clocks.
    """

    vendor = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("vendor"),
        on_delete=models.PROTECT,
        related_name="underpinning_contracts",
        limit_choices_to={"is_vendor": True},
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    calendar = models.ForeignKey(
        "service.BusinessCalendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="underpinning_contracts",
        help_text=_("The vendor's working hours; empty means 24x7."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["vendor", "-end_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="service_uc_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(response_minutes__gt=0) & models.Q(resolution_minutes__gt=0),
                name="service_uc_targets_positive",
            ),
        ]
        verbose_name = _("underpinning contract")
        verbose_name_plural = _("underpinning contracts")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("service:uc_detail", args=[self.pk])

    def is_active_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.start_date <= day <= self.end_date


class VendorDispatch(models.Model):
    """A ticket (or a hardware fault of an asset) passed to a vendor, with the vendor's clock.

    ``response_due_at``/``resolution_due_at`` come from the underpinning contract when the
    dispatch is made. Each clock is running until the vendor's answer or resolution is recorded
    (met or breached by comparing with the due time); the sweep marks a running clock breached
    once its due time passes, with a conditional UPDATE.
    """

    ticket = models.ForeignKey(
        "service.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="vendor_dispatches",
    )
    vendor = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("vendor"),
        on_delete=models.PROTECT,
        related_name="vendor_dispatches",
    )
    underpinning_contract = models.ForeignKey(
        UnderpinningContract,
        verbose_name=_("underpinning contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispatches",
    )
    asset = models.ForeignKey(
        "customers.Asset",
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    vendor_reference = models.CharField(_("vendor reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=VendorDispatchStateChoices.choices,
        default=VendorDispatchStateChoices.OPEN,
    )
    dispatched_at = models.DateTimeField(_("dispatched"), default=timezone.now)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    response_state = models.CharField(
        _("response"),
        max_length=10,
        choices=VendorClockStateChoices.choices,
        default=VendorClockStateChoices.RUNNING,
    )
    resolution_state = models.CharField(
        _("resolution"),
        max_length=10,
        choices=VendorClockStateChoices.choices,
        default=VendorClockStateChoices.RUNNING,
    )
    response_note = models.TextField(_("vendor's answer"), blank=True)
    resolution_note = models.TextField(_("vendor's resolution"), blank=True)

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        indexes = [
            models.Index(fields=["vendor", "dispatched_at"], name="service_dispatch_vendor"),
            models.Index(fields=["response_state", "response_due_at"], name="service_disp_resp"),
            models.Index(
                fields=["resolution_state", "resolution_due_at"], name="service_disp_resol"
            ),
        ]
        verbose_name = _("vendor dispatch")
        verbose_name_plural = _("vendor dispatches")

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.vendor_id} {self.vendor_reference}"

    @property
    def is_open(self) -> bool:
        return self.state in (VendorDispatchStateChoices.OPEN, VendorDispatchStateChoices.RESPONDED)
