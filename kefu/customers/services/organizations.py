"""Writes to organizations, tiers and sites."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.customfields import clean_custom_fields
from kefu.customers.models import Organization, OrganizationTier, Site
from kefu.customers.services._common import assign_fields, full_clean, set_tags

ORGANIZATION_FIELDS = {
    "name",
    "alt_name",
    "external_id",
    "parent_id",
    "tier_id",
    "industry",
    "owner_id",
    "status",
    "is_vendor",
    "website",
    "email_domains",
    "phone",
    "notes",
}
SITE_FIELDS = {
    "name",
    "code",
    "external_id",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "time_zone",
    "contact_person_id",
    "is_active",
}
TIER_FIELDS = {"key", "name", "name_zh_hans", "rank", "color"}


def _check_parent(organization: Organization) -> None:
    # Walk up from the new parent: meeting ourselves means the change would make a cycle.
    seen = set()
    parent_id = organization.parent_id
    while parent_id is not None:
        if parent_id == organization.pk or parent_id in seen:
            raise ValidationError(
                {"parent_id": [_("An organization cannot be its own parent or ancestor.")]}
            )
        seen.add(parent_id)
        parent_id = (
            Organization.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )


def _check_owner(organization: Organization) -> None:
    if organization.owner_id is None:
        return
    from django.contrib.auth import get_user_model

    if not (
        get_user_model()
        .objects.filter(pk=organization.owner_id, is_staff=True, is_active=True)
        .exists()
    ):
        raise ValidationError({"owner_id": [_("The account owner must be an active staff user.")]})


def _normalize_domains(value: str) -> str:
    domains = [d.strip().lower().lstrip("@") for d in (value or "").split(",")]
    return ",".join(d for d in domains if d)


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    **fields: Any,
) -> Organization:
    """Create an organization; raises ``ValidationError`` (field -> messages) on bad input."""
    organization = Organization(name=(name or "").strip())
    assign_fields(organization, fields, ORGANIZATION_FIELDS)
    organization.email_domains = _normalize_domains(organization.email_domains)
    organization.custom_fields = clean_custom_fields("customers.organization", custom_fields)
    full_clean(organization)
    _check_parent(organization)
    _check_owner(organization)
    organization.save()
    set_tags(organization, tags)
    return organization


@transaction.atomic
def organization_update(
    *,
    actor,
    organization: Organization,
    tags: list[str] | None = None,
    custom_fields: dict[str, Any] | None = None,
    partial_custom_fields: bool = True,
    **fields: Any,
) -> Organization:
    """Change the given fields of ``organization`` (others keep their value)."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    assign_fields(organization, fields, ORGANIZATION_FIELDS)
    organization.email_domains = _normalize_domains(organization.email_domains)
    if custom_fields is not None:
        organization.custom_fields = clean_custom_fields(
            "customers.organization",
            custom_fields,
            existing=organization.custom_fields,
            partial=partial_custom_fields,
        )
    full_clean(organization)
    _check_parent(organization)
    _check_owner(organization)
    organization.save()
    set_tags(organization, tags)
    return organization


@transaction.atomic
def organization_delete(*, actor, organization: Organization) -> None:
    """Delete an organization with its sites; refused while it has child organizations."""
    if organization.children.exists():
        raise ValidationError({"parent_id": [_("Move or delete its child organizations first.")]})
    organization.delete()


@transaction.atomic
def tier_create(*, actor, key: str, name: str, **fields: Any) -> OrganizationTier:
    """Create a customer tier; ``key`` is unique and what routing/SLA rules refer to."""
    tier = OrganizationTier(key=(key or "").strip(), name=(name or "").strip())
    assign_fields(tier, fields, TIER_FIELDS)
    full_clean(tier)
    tier.save()
    return tier


@transaction.atomic
def tier_update(*, actor, tier: OrganizationTier, **fields: Any) -> OrganizationTier:
    """Change a tier's names, rank, colour or key."""
    tier = OrganizationTier.objects.select_for_update().get(pk=tier.pk)
    assign_fields(tier, fields, TIER_FIELDS)
    full_clean(tier)
    tier.save()
    return tier


@transaction.atomic
def tier_delete(*, actor, tier: OrganizationTier) -> None:
    """Delete a tier; refused while organizations are in it (move them first)."""
    if Organization.objects.filter(tier_id=tier.pk).exists():
        raise ValidationError({"key": [_("Organizations are in this tier; move them first.")]})
    tier.delete()


@transaction.atomic
def site_create(
    *,
    actor,
    organization_id: int,
    name: str,
    custom_fields: dict[str, Any] | None = None,
    **fields: Any,
) -> Site:
    """Create a site of ``organization_id``."""
    site = Site(organization_id=organization_id, name=(name or "").strip())
    assign_fields(site, fields, SITE_FIELDS)
    site.custom_fields = clean_custom_fields("customers.site", custom_fields)
    full_clean(site)
    _check_site_contact(site)
    site.save()
    return site


@transaction.atomic
def site_update(
    *,
    actor,
    site: Site,
    custom_fields: dict[str, Any] | None = None,
    partial_custom_fields: bool = True,
    **fields: Any,
) -> Site:
    site = Site.objects.select_for_update().get(pk=site.pk)
    assign_fields(site, fields, SITE_FIELDS | {"organization_id"})
    if custom_fields is not None:
        site.custom_fields = clean_custom_fields(
            "customers.site",
            custom_fields,
            existing=site.custom_fields,
            partial=partial_custom_fields,
        )
    full_clean(site)
    _check_site_contact(site)
    site.save()
    return site


@transaction.atomic
def site_delete(*, actor, site: Site) -> None:
    site.delete()


def _check_site_contact(site: Site) -> None:
    if site.contact_person_id is None:
        return
    from kefu.customers.models import ContactMembership

    if not ContactMembership.objects.filter(
        contact_id=site.contact_person_id, organization_id=site.organization_id
    ).exists():
        raise ValidationError(
            {"contact_person_id": [_("The contact person must belong to the site's organization.")]}
        )
