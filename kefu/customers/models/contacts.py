from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel
from kefu.customers.choices import (
    ChannelChoices,
    ConsentSourceChoices,
    IdentityKindChoices,
)
from kefu.customers.querysets import ContactQuerySet


class Contact(TimeStampedModel):
    """A person we serve, with every way of reaching them (``identities``).

    A contact belongs to one or more organizations through ``memberships`` (one primary). With a
    ``user`` they can log in to the portal. ``primary_organization`` is denormalised from the
    primary membership so that lists and scoping need no join.
    """

    name = models.CharField(_("name"), max_length=200, db_index=True)
    alt_name = models.CharField(
        _("alternative name"),
        max_length=200,
        blank=True,
        help_text=_("The name in the other language or script (e.g. pinyin)."),
    )
    external_id = models.CharField(
        _("external ID"), max_length=100, null=True, blank=True, unique=True
    )
    primary_organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="primary_contacts",
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=20,
        choices=ChannelChoices.choices,
        default=ChannelChoices.EMAIL,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.url_for(self.pk)

    @staticmethod
    def url_for(pk: int) -> str:
        """The page of the record ``pk``, for lists that read ids and columns, not objects."""
        return reverse("customers:contact_detail", args=[pk])


class ContactMembership(models.Model):
    """A contact's role at one organization. ``is_admin``: may see all the organization's requests."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "customers.Organization", on_delete=models.CASCADE, related_name="memberships"
    )
    title = models.CharField(_("title / role"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_admin = models.BooleanField(_("organization administrator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "organization"], name="customers_membership_unique"
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(is_primary=True),
                name="customers_membership_one_primary",
            ),
        ]
        verbose_name = _("organization membership")
        verbose_name_plural = _("organization memberships")

    def __str__(self) -> str:
        return f"{self.contact_id} @ {self.organization_id}"


class ContactIdentity(models.Model):
    """One way to reach a contact: an email address, a phone number, a WeChat ID...

    ``value`` is what was entered; ``normalized`` (lower-cased email, E.164 phone) is unique per
    kind across all contacts, so an inbound mail or call resolves to exactly one person.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKindChoices.choices)
    value = models.CharField(_("value"), max_length=254)
    normalized = models.CharField(_("normalized value"), max_length=254)
    label = models.CharField(_("label"), max_length=50, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_verified = models.BooleanField(_("verified"), default=False)
    is_undeliverable = models.BooleanField(_("undeliverable"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "normalized"], name="customers_identity_unique")
        ]
        indexes = [models.Index(fields=["normalized"], name="customers_identity_norm")]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ConsentRecord(models.Model):
    """An append-only record of a contact granting or withdrawing marketing consent on a channel.

    The latest record per channel is the current state; the history is the proof.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelChoices.choices)
    is_granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSourceChoices.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(
                fields=["contact", "channel", "-recorded_at"], name="customers_consent_latest"
            )
        ]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel} {self.is_granted}"
