"""Support contracts: what a customer organization bought, and what its tickets used of it."""

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel


class ContractCoverageChoices(models.TextChoices):
    SOFTWARE = "software", _("Software")
    HARDWARE = "hardware", _("Hardware")
    BOTH = "both", _("Software and hardware")


class ContractHoursChoices(models.TextChoices):
    BUSINESS = "business", _("Business hours")
    ALWAYS = "24x7", _("24x7")


class ContractAllowanceUnitChoices(models.TextChoices):
    TICKETS = "tickets", _("Support calls (tickets)")
    HOURS = "hours", _("Hours of work")
    UNLIMITED = "unlimited", _("Unlimited")


class ContractConsumeOnChoices(models.TextChoices):
    CREATED = "created", _("When the ticket is opened")
    RESOLVED = "resolved", _("When the ticket is resolved")


class ContractStateChoices(models.TextChoices):
    SCHEDULED = "scheduled", _("Not started")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")


class ConsumptionKindChoices(models.TextChoices):
    TICKET = "ticket", _("Support call")
    TIME = "time", _("Time spent")
    REFUND = "refund", _("Returned (merged duplicate)")


DEFAULT_THRESHOLDS = [80, 100]


def default_thresholds() -> list[int]:
    return list(DEFAULT_THRESHOLDS)


class Contract(TimeStampedModel):
    """A support contract of a customer organization: dates, service level, coverage, allowance.

    Optionally limited to some of the organization's ``sites`` and/or ``assets``; such a contract
    only covers tickets about them and wins over an organization-wide one. ``service_level`` is a
    short key ("gold") that SLA policies match on. The allowance is counted in ``allowance_units``
    and ``used_units``: tickets for a support-call contract, minutes for an hours contract.
    ``used_units`` only changes through a conditional UPDATE that never lets it pass the
    allowance (the last-credit race); every change has a :class:`ContractConsumption` row.
    Whether the contract is active is computed from its dates (:meth:`state_on`).
    """

    organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="service_contracts",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    sites = models.ManyToManyField(
        "customers.Site", verbose_name=_("limited to sites"), blank=True, related_name="+"
    )
    assets = models.ManyToManyField(
        "customers.Asset", verbose_name=_("limited to assets"), blank=True, related_name="+"
    )
    service_level = models.SlugField(
        _("service level"),
        max_length=30,
        help_text=_("A short key SLA policies match on, e.g. “gold” or “standard”."),
    )
    coverage = models.CharField(
        _("coverage"),
        max_length=10,
        choices=ContractCoverageChoices.choices,
        default=ContractCoverageChoices.BOTH,
    )
    hours = models.CharField(
        _("support hours"),
        max_length=10,
        choices=ContractHoursChoices.choices,
        default=ContractHoursChoices.BUSINESS,
    )
    allowance_unit = models.CharField(
        _("allowance"),
        max_length=10,
        choices=ContractAllowanceUnitChoices.choices,
        default=ContractAllowanceUnitChoices.TICKETS,
    )
    allowance_units = models.PositiveIntegerField(_("allowance (tickets or minutes)"), default=0)
    used_units = models.PositiveIntegerField(_("used (tickets or minutes)"), default=0)
    consume_on = models.CharField(
        _("consume"),
        max_length=10,
        choices=ContractConsumeOnChoices.choices,
        default=ContractConsumeOnChoices.CREATED,
    )
    ticket_types = models.JSONField(
        _("consuming ticket types"),
        default=list,
        blank=True,
        help_text=_("Ticket types that use the allowance; empty means every type."),
    )
    thresholds = models.JSONField(
        _("notification thresholds (%)"), default=default_thresholds, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-end_date", "-id"]
        indexes = [
            models.Index(fields=["organization", "end_date"], name="service_contract_org"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="service_contract_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(allowance_unit="unlimited")
                | models.Q(used_units__lte=models.F("allowance_units")),
                name="service_contract_used_within_allowance",
            ),
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("service:contract_detail", args=[self.pk])

    def state_on(self, day: date | None = None) -> str:
        """Return scheduled, active or expired for ``day`` (today in the site's time zone)."""
        day = day or timezone.localdate()
        if day < self.start_date:
            return ContractStateChoices.SCHEDULED
        if day > self.end_date:
            return ContractStateChoices.EXPIRED
        return ContractStateChoices.ACTIVE

    @property
    def state(self) -> str:
        return self.state_on()

    def get_state_display(self) -> str:
        return ContractStateChoices(self.state).label

    @property
    def is_unlimited(self) -> bool:
        return self.allowance_unit == ContractAllowanceUnitChoices.UNLIMITED

    @property
    def remaining_units(self) -> int | None:
        """Units left (None for an unlimited contract); never negative."""
        if self.is_unlimited:
            return None
        return max(self.allowance_units - self.used_units, 0)

    @property
    def is_exhausted(self) -> bool:
        return not self.is_unlimited and self.used_units >= self.allowance_units

    @property
    def used_percent(self) -> int | None:
        if self.is_unlimited or not self.allowance_units:
            return None if self.is_unlimited else 100
        return self.used_units * 100 // self.allowance_units

    def display_units(self, units: int | None) -> str:
        """Format ``units`` in the contract's unit: "3" tickets or "1.5" hours."""
        if units is None:
            return "∞"
        if self.allowance_unit == ContractAllowanceUnitChoices.HOURS:
            return f"{units / 60:.1f}".rstrip("0").rstrip(".") or "0"
        return str(units)

    @property
    def allowance_display(self) -> str:
        return self.display_units(None if self.is_unlimited else self.allowance_units)

    @property
    def used_display(self) -> str:
        return self.display_units(self.used_units)

    @property
    def remaining_display(self) -> str:
        return self.display_units(self.remaining_units)

    def consumes_type(self, ticket_type: str) -> bool:
        return not self.ticket_types or ticket_type in self.ticket_types


class ContractConsumption(models.Model):
    """One use of a contract's allowance by a ticket: auditable, never edited.

    ``kind=ticket`` is the support call itself (one per ticket and contract, enforced by a
    unique constraint, so a ticket never consumes twice); ``kind=time`` is the minutes of one
    conversation ``entry``. ``units`` is what the allowance covered and ``overage_units`` what it
    could not (the ticket is then billable). ``kind=refund`` gives a merged duplicate's call back
    (``units`` returned to the balance); rows are never edited or deleted.
    """

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="consumptions", verbose_name=_("contract")
    )
    ticket = models.ForeignKey(
        "service.Ticket",
        on_delete=models.CASCADE,
        related_name="contract_consumptions",
        verbose_name=_("ticket"),
    )
    entry = models.ForeignKey(
        "service.TicketEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ConsumptionKindChoices.choices)
    units = models.PositiveIntegerField(_("units"))
    overage_units = models.PositiveIntegerField(_("not covered"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "contract", "kind"],
                condition=models.Q(entry__isnull=True),
                name="service_consumption_once",
            ),
            models.UniqueConstraint(
                fields=["entry", "contract"],
                condition=models.Q(entry__isnull=False),
                name="service_consumption_entry_once",
            ),
        ]
        indexes = [models.Index(fields=["contract", "-created_at"], name="service_consumption_c")]
        verbose_name = _("contract consumption")
        verbose_name_plural = _("contract consumptions")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.ticket_id} {self.kind} {self.units}"


class ContractThresholdNotice(models.Model):
    """That the account owner was told a contract passed ``threshold`` percent: once each."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="notices")
    threshold = models.PositiveSmallIntegerField(_("threshold (%)"))
    used_units = models.PositiveIntegerField(_("used when notified"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["contract", "threshold"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "threshold"], name="service_contract_notice_once"
            )
        ]
        verbose_name = _("contract threshold notice")
        verbose_name_plural = _("contract threshold notices")

    def __str__(self) -> str:
        return f"{self.contract_id} {self.threshold}%"
