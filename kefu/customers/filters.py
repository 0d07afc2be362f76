"""List filters of the customer-master API: query-string schemas and how each narrows a queryset.

Every list takes ``q`` (free text), a few exact filters, ``cf_<key>=value`` for custom fields and
``ordering`` (a field from the list's whitelist, ``-`` for descending). A bad ``ordering`` is a 422
rather than a silent default, so a client notices its typo.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from kefu.core.customfields import filter_queryset
from kefu.customers.identities import normalize_phone
from kefu.customers.models import ContactIdentity, ContactMembership

ORGANIZATION_ORDERING = {
    "name": ("name", "id"),
    "created_at": ("created_at", "id"),
    "updated_at": ("updated_at", "id"),
    "status": ("status", "name", "id"),
    "tier": ("tier__rank", "name", "id"),
    "id": ("id",),
}
SITE_ORDERING = {
    "name": ("name", "id"),
    "code": ("code", "id"),
    "city": ("city", "name", "id"),
    "region": ("region", "name", "id"),
    "organization": ("organization_id", "name", "id"),
    "created_at": ("created_at", "id"),
    "id": ("id",),
}
CONTACT_ORDERING = {
    "name": ("name", "id"),
    "created_at": ("created_at", "id"),
    "updated_at": ("updated_at", "id"),
    "id": ("id",),
}
PRODUCT_ORDERING = {
    "name": ("name", "id"),
    "sku": ("sku",),
    "category": ("category", "name", "id"),
    "list_price": ("list_price", "id"),
    "created_at": ("created_at", "id"),
    "id": ("id",),
}
ASSET_ORDERING = {
    "serial_number": ("serial_number", "id"),
    "install_date": ("install_date", "id"),
    "warranty_end": ("warranty_end", "id"),
    "status": ("status", "id"),
    "created_at": ("created_at", "id"),
    "id": ("id",),
}
TIER_ORDERING = {"rank": ("rank", "key"), "key": ("key",), "name": ("name", "key")}


def _ordering_help(whitelist: dict) -> str:
    return "One of: " + ", ".join(sorted(whitelist)) + " (prefix - for descending)"


class OrganizationFilters(Schema):
    q: str | None = Field(None, description="Name, alternative name or external ID")
    status: str | None = None
    tier: str | None = Field(None, description="Tier key or id")
    owner: str | None = Field(None, description="Owner user id, or `me`")
    parent: int | None = None
    is_vendor: bool | None = None
    tag: str | None = None
    ordering: str | None = Field(None, description=_ordering_help(ORGANIZATION_ORDERING))


class SiteFilters(Schema):
    q: str | None = Field(None, description="Name, code, city or address")
    organization: int | None = None
    region: str | None = None
    is_active: bool | None = None
    ordering: str | None = Field(None, description=_ordering_help(SITE_ORDERING))


class ContactFilters(Schema):
    q: str | None = Field(
        None, description="Name, or an email address / phone number in any format"
    )
    organization: int | None = None
    is_active: bool | None = None
    ordering: str | None = Field(None, description=_ordering_help(CONTACT_ORDERING))


class ProductFilters(Schema):
    q: str | None = Field(None, description="SKU or name")
    category: str | None = None
    is_active: bool | None = None
    ordering: str | None = Field(None, description=_ordering_help(PRODUCT_ORDERING))


class AssetFilters(Schema):
    q: str | None = Field(None, description="Serial number or external ID")
    organization: int | None = None
    site: int | None = None
    product: int | None = None
    vendor: int | None = None
    status: str | None = None
    ordering: str | None = Field(None, description=_ordering_help(ASSET_ORDERING))


class TimelineFilters(Schema):
    kind: str | None = Field(None, description="note, call, email, ticket...")


def order(qs: QuerySet, ordering: str | None, whitelist: dict, default: str) -> QuerySet:
    """Order ``qs`` by a whitelisted name; raise ``ValidationError`` on anything else."""
    name = (ordering or default).strip()
    descending = name.startswith("-")
    fields = whitelist.get(name.lstrip("-"))
    if fields is None:
        raise ValidationError(
            {
                "ordering": [
                    _("Sort by one of: %(fields)s.") % {"fields": ", ".join(sorted(whitelist))}
                ]
            }
        )
    return qs.order_by(*[f"-{f}" if descending else f for f in fields])


def custom_field_params(params) -> dict[str, str]:
    """Pick the ``cf_<key>`` parameters out of a query dict."""
    return {name: params.get(name) for name in params if name.startswith("cf_")}


def filter_organizations(qs: QuerySet, filters: OrganizationFilters, *, user, params) -> QuerySet:
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(alt_name__icontains=text) | Q(external_id=text))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.tier:
        if filters.tier.isdigit():
            qs = qs.filter(tier_id=int(filters.tier))
        else:
            qs = qs.filter(tier__key=filters.tier)
    if filters.owner:
        if filters.owner == "me":
            qs = qs.filter(owner_id=user.pk)
        elif filters.owner.isdigit():
            qs = qs.filter(owner_id=int(filters.owner))
        else:
            raise ValidationError({"owner": [_("Give a user id or “me”.")]})
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.is_vendor is not None:
        qs = qs.filter(is_vendor=filters.is_vendor)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag)
    qs = filter_queryset(qs, "customers.organization", custom_field_params(params))
    return order(qs, filters.ordering, ORGANIZATION_ORDERING, "name")


def filter_sites(qs: QuerySet, filters: SiteFilters, *, params) -> QuerySet:
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(code=text)
            | Q(city__icontains=text)
            | Q(address__icontains=text)
        )
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    if filters.region:
        qs = qs.filter(region=filters.region)
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    qs = filter_queryset(qs, "customers.site", custom_field_params(params))
    return order(qs, filters.ordering, SITE_ORDERING, "name")


def _identity_candidates(text: str) -> list[str]:
    candidates = [text.lower()]
    phone = normalize_phone(text) if any(ch.isdigit() for ch in text) else None
    if phone:
        candidates.append(phone)
    return candidates


def filter_contacts(qs: QuerySet, filters: ContactFilters, *, params) -> QuerySet:
    if filters.q:
        text = filters.q.strip()
        by_identity = ContactIdentity.objects.filter(
            normalized__in=_identity_candidates(text)
        ).values("contact_id")
        qs = qs.filter(
            Q(name__icontains=text) | Q(alt_name__icontains=text) | Q(pk__in=by_identity)
        )
    if filters.organization is not None:
        # A subquery rather than a join: a contact with two memberships must not appear twice.
        members = ContactMembership.objects.filter(organization_id=filters.organization)
        qs = qs.filter(pk__in=members.values("contact_id"))
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    qs = filter_queryset(qs, "customers.contact", custom_field_params(params))
    return order(qs, filters.ordering, CONTACT_ORDERING, "name")


def filter_products(qs: QuerySet, filters: ProductFilters, *, params) -> QuerySet:
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(sku__iexact=text) | Q(name__icontains=text) | Q(alt_name__icontains=text))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.is_active is not None:
        qs = qs.filter(is_active=filters.is_active)
    return order(qs, filters.ordering, PRODUCT_ORDERING, "name")


def filter_assets(qs: QuerySet, filters: AssetFilters, *, params) -> QuerySet:
    if filters.q:
        text = filters.q.strip()
        qs = qs.filter(Q(serial_number__iexact=text) | Q(external_id=text))
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    if filters.site is not None:
        qs = qs.filter(site_id=filters.site)
    if filters.product is not None:
        qs = qs.filter(product_id=filters.product)
    if filters.vendor is not None:
        qs = qs.filter(vendor_id=filters.vendor)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = filter_queryset(qs, "customers.asset", custom_field_params(params))
    return order(qs, filters.ordering, ASSET_ORDERING, "serial_number")


__all__ = [
    "ASSET_ORDERING",
    "CONTACT_ORDERING",
    "ORGANIZATION_ORDERING",
    "PRODUCT_ORDERING",
    "SITE_ORDERING",
    "TIER_ORDERING",
    "AssetFilters",
    "ContactFilters",
    "OrganizationFilters",
    "ProductFilters",
    "SiteFilters",
    "TimelineFilters",
]
