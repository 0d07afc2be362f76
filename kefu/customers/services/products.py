"""Writes to the product catalogue and installed assets."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.customfields import clean_custom_fields
from kefu.customers.models import Asset, Product, Site
from kefu.customers.services._common import assign_fields, full_clean

PRODUCT_FIELDS = {
    "sku",
    "name",
    "alt_name",
    "category",
    "list_price",
    "currency",
    "is_active",
    "description",
}
ASSET_FIELDS = {
    "product_id",
    "serial_number",
    "external_id",
    "organization_id",
    "site_id",
    "install_date",
    "warranty_end",
    "status",
    "vendor_id",
    "notes",
}


@transaction.atomic
def product_create(*, actor, sku: str, name: str, **fields: Any) -> Product:
    product = Product(sku=(sku or "").strip(), name=(name or "").strip())
    assign_fields(product, fields, PRODUCT_FIELDS)
    full_clean(product)
    product.save()
    return product


@transaction.atomic
def product_update(*, actor, product: Product, **fields: Any) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    assign_fields(product, fields, PRODUCT_FIELDS)
    full_clean(product)
    product.save()
    return product


@transaction.atomic
def product_delete(*, actor, product: Product) -> None:
    if product.assets.exists():
        raise ValidationError({"sku": [_("Installed assets use this product.")]})
    product.delete()


def _check_asset(asset: Asset) -> None:
    """Validate fields and cross-record rules together, so a client sees every problem at once."""
    errors: dict[str, list[str]] = {}
    try:
        full_clean(asset)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if asset.site_id is not None and "site_id" not in errors:
        site_org = (
            Site.objects.filter(pk=asset.site_id).values_list("organization_id", flat=True).first()
        )
        if site_org is not None and site_org != asset.organization_id:
            errors["site_id"] = [_("The site belongs to another organization.")]
    if asset.vendor_id is not None and "vendor_id" in errors:
        # limit_choices_to reports a non-vendor as "does not exist"; say what is wrong instead.
        from kefu.customers.models import Organization

        if Organization.objects.filter(pk=asset.vendor_id, is_vendor=False).exists():
            errors["vendor_id"] = [_("Choose an organization marked as a vendor.")]
    if asset.install_date and asset.warranty_end and asset.warranty_end < asset.install_date:
        errors["warranty_end"] = [_("The warranty cannot end before installation.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def asset_create(
    *,
    actor,
    product_id: int,
    serial_number: str,
    organization_id: int,
    custom_fields: dict[str, Any] | None = None,
    **fields: Any,
) -> Asset:
    """Record an installed product at a customer (and optionally one of its sites)."""
    asset = Asset(
        product_id=product_id,
        serial_number=(serial_number or "").strip(),
        organization_id=organization_id,
    )
    assign_fields(asset, fields, ASSET_FIELDS)
    asset.custom_fields = clean_custom_fields("customers.asset", custom_fields)
    _check_asset(asset)
    asset.save()
    return asset


@transaction.atomic
def asset_update(
    *,
    actor,
    asset: Asset,
    custom_fields: dict[str, Any] | None = None,
    partial_custom_fields: bool = True,
    **fields: Any,
) -> Asset:
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    assign_fields(asset, fields, ASSET_FIELDS)
    if custom_fields is not None:
        asset.custom_fields = clean_custom_fields(
            "customers.asset",
            custom_fields,
            existing=asset.custom_fields,
            partial=partial_custom_fields,
        )
    _check_asset(asset)
    asset.save()
    return asset


@transaction.atomic
def asset_delete(*, actor, asset: Asset) -> None:
    asset.delete()
