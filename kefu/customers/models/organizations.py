from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel, TranslatedNameModel
from kefu.customers.choices import IndustryChoices, OrganizationStatusChoices
from kefu.customers.querysets import OrganizationQuerySet, SiteQuerySet


class OrganizationTier(TranslatedNameModel):
    """An administrator-defined customer tier (strategic, gold, silver, bronze...).

    ``rank`` orders tiers (1 = most important); routing and SLA policies match on tiers.
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["rank", "key"]
        verbose_name = _("organization tier")
        verbose_name_plural = _("organization tiers")


class Organization(TimeStampedModel):
    """A customer company (or a vendor), optionally part of a group through ``parent``.

    Sites, contact memberships, assets and the timeline hang off it; every other app refers to
    customers through an organization and, where known, a site and a contact.
    """

    name = models.CharField(_("name"), max_length=200, db_index=True)
    alt_name = models.CharField(
        _("alternative name"),
        max_length=200,
        blank=True,
        help_text=_("The name in the other language, or a short name."),
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The ID in another system; imports match on it."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    tier = models.ForeignKey(
        OrganizationTier,
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    industry = models.CharField(
        _("industry"), max_length=30, choices=IndustryChoices.choices, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_organizations",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrganizationStatusChoices.choices,
        default=OrganizationStatusChoices.ACTIVE,
        db_index=True,
    )
    is_vendor = models.BooleanField(
        _("vendor"), default=False, help_text=_("A third party that supports our customers.")
    )
    website = models.URLField(_("website"), blank=True)
    email_domains = models.CharField(
        _("email domains"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated; new senders from these domains join this organization."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.url_for(self.pk)

    @staticmethod
    def url_for(pk: int) -> str:
        """The page of the record ``pk``, for lists that read ids and columns, not objects."""
        return reverse("customers:organization_detail", args=[pk])


class Site(TimeStampedModel):
    """A location of an organization: where its people work and its assets are installed.

    Large customers have thousands; lists of sites are always paginated and indexed by
    organization.
    """

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="sites",
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=50, blank=True)
    external_id = models.CharField(
        _("external ID"), max_length=100, null=True, blank=True, unique=True
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region / province"), max_length=100, blank=True, db_index=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    contact_person = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["organization_id", "name"]
        indexes = [models.Index(fields=["organization", "name"], name="customers_site_org_name")]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("customers:site_detail", args=[self.pk])
