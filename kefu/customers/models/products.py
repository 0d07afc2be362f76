from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.core.models import TimeStampedModel
from kefu.customers.choices import AssetStatusChoices


class Product(TimeStampedModel):
    """A catalogue item we sell or support. Installed instances are ``Asset`` rows."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    alt_name = models.CharField(_("alternative name"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        return reverse("customers:product_detail", args=[self.pk])


class Asset(TimeStampedModel):
    """An installed product at a customer: serial number, where, since when, under whose warranty.

    ``vendor`` is the third-party organization responsible for its hardware support.
    """

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="assets"
    )
    serial_number = models.CharField(_("serial number"), max_length=100, db_index=True)
    external_id = models.CharField(
        _("external ID"), max_length=100, null=True, blank=True, unique=True
    )
    organization = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="assets",
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    install_date = models.DateField(_("installed on"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssetStatusChoices.choices,
        default=AssetStatusChoices.ACTIVE,
    )
    vendor = models.ForeignKey(
        "customers.Organization",
        verbose_name=_("hardware vendor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supported_assets",
        limit_choices_to={"is_vendor": True},
    )
    notes = models.TextField(_("notes"), blank=True)
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        ordering = ["organization_id", "serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "serial_number"], name="customers_asset_product_serial"
            )
        ]
        indexes = [
            models.Index(fields=["site", "status"], name="customers_asset_site"),
            # The 360° page's asset panel: an organization's first page by serial, no sort.
            models.Index(
                fields=["organization", "serial_number"], name="customers_asset_org_serial"
            ),
        ]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")

    def __str__(self) -> str:
        return f"{self.product.name} #{self.serial_number}"

    def get_absolute_url(self) -> str:
        return reverse("customers:asset_detail", args=[self.pk])
