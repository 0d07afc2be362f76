"""The customer master as other apps see it: plain data and ids, never model instances.

This is the only module the service desk, the channels, sales and analytics import from
``kefu.customers``. Everything here is a read returning dicts/ids, or a thin call into a service,
so the other apps never depend on our models' shape. Summaries return ``None`` for an unknown id.

Start here:

* an inbound mail or call: :func:`contact_resolve_or_create` (finds the person by any identity,
  creates them if new, places them in the organization that owns their email domain);
* a telephony screen-pop: :func:`phone_lookup` (any format of a number);
* showing a customer on a ticket: :func:`contact_get_summary`, :func:`organization_get_summary`,
  :func:`site_get_summary`, :func:`asset_get_summary`;
* recording what happened: :func:`timeline_event_add`.
"""

from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, When
from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.core.configstamp import snapshot
from kefu.customers import services
from kefu.customers.choices import AssetStatusChoices, IdentityKindChoices
from kefu.customers.identities import normalize_identity, normalize_phone
from kefu.customers.models import (
    Asset,
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Site,
)
from kefu.customers.services import IdentityTaken, contact_create, identity_add
from kefu.customers.services.timeline import timeline_event_add

__all__ = [
    "IdentityKindChoices",
    "asset_get_summary",
    "contact_admin_organization_ids",
    "contact_and_organization_summaries",
    "contact_find_by_identity",
    "contact_find_or_create",
    "contact_for_user",
    "contact_get_summary",
    "contact_organization_ids",
    "contact_resolve_or_create",
    "contact_summaries",
    "identity_mark_undeliverable",
    "normalize_phone",
    "organization_assets",
    "organization_find_by_email_domain",
    "organization_get_summary",
    "organization_summaries",
    "phone_lookup",
    "site_assets",
    "site_get_summary",
    "tier_list",
    "timeline_event_add",
]

_PHONE_KINDS = (IdentityKindChoices.PHONE, IdentityKindChoices.WHATSAPP)


def _tier_dict(tier: OrganizationTier | None) -> dict[str, Any] | None:
    if tier is None:
        return None
    return {
        "id": tier.pk,
        "key": tier.key,
        "label": tier.label,
        "rank": tier.rank,
        "color": tier.color,
    }


def _organization_dict(org: Organization, tier: OrganizationTier | None = None) -> dict[str, Any]:
    """``org``: an organization, or any object with its summary's columns as attributes
    (``tier``: its tier when ``org`` has none, e.g. from the tier snapshot)."""
    tier = getattr(org, "tier", None) if tier is None else tier
    return {
        "id": org.pk,
        "name": org.name,
        "alt_name": org.alt_name,
        "status": org.status,
        "is_vendor": org.is_vendor,
        "parent_id": org.parent_id,
        "owner_id": org.owner_id,
        "tier": _tier_dict(tier),
        "tier_key": tier.key if tier else None,
        "tier_label": tier.label if tier else None,
        "tier_rank": tier.rank if tier else None,
        "phone": org.phone,
        "url": reverse("customers:organization_detail", args=[org.pk]),
    }


def _identity_dicts(rows) -> list[dict[str, Any]]:
    return [
        {
            "id": identity.pk,
            "kind": identity.kind,
            "value": identity.value,
            "normalized": identity.normalized,
            "is_primary": identity.is_primary,
            "is_undeliverable": identity.is_undeliverable,
        }
        for identity in rows
    ]


def _contact_dict(
    contact: Contact,
    rows: list[ContactIdentity] | None = None,
    *,
    identities: list[dict[str, Any]] | None = None,
    organization_name: str | None = None,
) -> dict[str, Any]:
    """``rows``: the contact's identities when read already (else its prefetched ones), or
    ``identities`` already as dicts; ``contact`` may be any object with the columns as
    attributes, its organization's name then given as ``organization_name``."""
    if identities is None:
        identities = _identity_dicts(contact.identities.all() if rows is None else rows)

    def primary(kinds) -> str | None:
        for identity in identities:
            if identity["kind"] in kinds and identity["is_primary"]:
                return identity["value"]
        return next((i["value"] for i in identities if i["kind"] in kinds), None)

    if organization_name is None and isinstance(contact, Contact):
        org = contact.primary_organization
        organization_name = org.name if org else None
    return {
        "id": contact.pk,
        "name": contact.name,
        "alt_name": contact.alt_name,
        "title": contact.title,
        "is_active": contact.is_active,
        "preferred_language": contact.preferred_language,
        "preferred_channel": contact.preferred_channel,
        "user_id": contact.user_id,
        "organization_id": contact.primary_organization_id,
        "organization_name": organization_name,
        "email": primary((IdentityKindChoices.EMAIL,)),
        "phone": primary(_PHONE_KINDS),
        "identities": identities,
        "url": reverse("customers:contact_detail", args=[contact.pk]),
    }


def _contacts_queryset():
    return Contact.objects.select_related("primary_organization").prefetch_related("identities")


def contact_get_summary(contact_id: int) -> dict[str, Any] | None:
    """Return a contact's name, primary organization and identities as plain data."""
    contact = _contacts_queryset().filter(pk=contact_id).first()
    return _contact_dict(contact) if contact else None


def contact_and_organization_summaries(
    contact_id: int, *, organization_id: int | None = None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return the contact's summary and an organization's: ``organization_id``, else the
    contact's primary organization (``None`` for an unknown id or no organization).

    Two queries when the organization is the contact's primary one (what a new ticket from a
    customer usually names), three otherwise; columns only, the tier from its snapshot.
    """
    row = _hot_sql("contact_with_organization", [contact_id], one=True)
    if row is None:
        organization = organization_get_summary(organization_id) if organization_id else None
        return None, organization
    # Plain columns and the tier from its snapshot: no model instances, no third join.
    contact = SimpleNamespace(
        **dict(zip(_CONTACT_COLUMNS, row[: len(_CONTACT_COLUMNS)], strict=True))
    )
    contact.pk = contact.id
    contact.is_active = bool(contact.is_active)
    org = SimpleNamespace(
        **dict(zip(_ORGANIZATION_COLUMNS, row[len(_CONTACT_COLUMNS) :], strict=True))
    )
    org.pk = org.id
    org.is_vendor = bool(org.is_vendor) if org.id is not None else None
    identities = [
        (pk, kind, value, normalized, bool(primary), bool(undeliverable))
        for pk, kind, value, normalized, primary, undeliverable in _hot_sql(
            "identities_of_contact", [contact.pk]
        )
    ]
    summary = _contact_dict(
        contact,
        identities=[dict(zip(_IDENTITY_KEYS, values, strict=True)) for values in identities],
        organization_name=org.name,
    )
    wanted = contact.primary_organization_id if organization_id is None else organization_id
    if wanted is None:
        return summary, None
    if wanted == contact.primary_organization_id:
        return summary, _organization_dict(org, tier=_tiers().get(org.tier_id))
    return summary, organization_get_summary(wanted)


_CONTACT_COLUMNS = (
    "id",
    "name",
    "alt_name",
    "title",
    "is_active",
    "preferred_language",
    "preferred_channel",
    "user_id",
    "primary_organization_id",
)
_ORGANIZATION_COLUMNS = (
    "id",
    "name",
    "alt_name",
    "status",
    "is_vendor",
    "parent_id",
    "owner_id",
    "tier_id",
    "phone",
)
_IDENTITY_KEYS = ("id", "kind", "value", "normalized", "is_primary", "is_undeliverable")


def _tiers() -> dict[int, OrganizationTier]:
    """Every organization tier by id (a configuration snapshot: a handful of rows)."""
    return snapshot("customers.tiers", lambda: {t.pk: t for t in OrganizationTier.objects.all()})


def contact_summaries(contact_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Return ``{id: summary}`` for many contacts in two queries (unknown ids are left out)."""
    return {c.pk: _contact_dict(c) for c in _contacts_queryset().filter(pk__in=contact_ids)}


def contact_find_by_identity(kind: str, value: str) -> int | None:
    """Return the id of the contact owning identity ``value`` of ``kind`` (any format), or None.

    ``value`` is normalised first (lower-cased email, E.164 phone), so ``+86 138-0013-8000`` finds
    the contact stored as ``13800138000``. A phone also matches a WhatsApp number and vice versa.
    """
    try:
        normalized = normalize_identity(kind, value)
    except ValidationError:
        return None
    if kind in _PHONE_KINDS:
        row = _hot_sql("owner_of_phone", [*_PHONE_KINDS, normalized], one=True)
    else:
        row = _hot_sql("owner_of_identity", [kind, normalized], one=True)
    return row[0] if row else None


# --- Plain SQL for the reads every mail and every new ticket make ------------------------------
# Django's query building costs several times what these indexed look-ups cost in the database
# (a mail taken in spent 5% of its time building the identity look-up). Table and column names
# come from the models' metadata; values are always parameters.


def _hot_statements(quote) -> dict[str, str]:
    def table(model) -> str:
        return quote(model._meta.db_table)

    def col(model, name) -> str:
        return quote(model._meta.get_field(name).column)

    identity, contact, org = ContactIdentity, Contact, Organization
    owner = (
        f"SELECT {col(identity, 'contact')} FROM {table(identity)} "  # noqa: S608 (metadata)
        f"WHERE {col(identity, 'kind')} {{kinds}} AND {col(identity, 'normalized')} = %s "
        f"ORDER BY {col(identity, 'kind')} LIMIT 1"
    )
    # (``get_field`` knows a foreign key by its attribute name too: "tier_id".)
    contact_columns = ", ".join(f"c.{col(contact, name)}" for name in _CONTACT_COLUMNS)
    org_columns = ", ".join(f"o.{col(org, name)}" for name in _ORGANIZATION_COLUMNS)
    identity_columns = ", ".join(
        col(identity, name)
        for name in ("id", "kind", "value", "normalized", "is_primary", "is_undeliverable")
    )
    return {
        "owner_of_identity": owner.format(kinds="= %s"),
        "owner_of_phone": owner.format(kinds=f"IN ({', '.join(['%s'] * len(_PHONE_KINDS))})"),
        "contact_with_organization": (
            f"SELECT {contact_columns}, {org_columns} FROM {table(contact)} c "  # noqa: S608
            f"LEFT OUTER JOIN {table(org)} o "
            f"ON o.{col(org, 'id')} = c.{col(contact, 'primary_organization')} "
            f"WHERE c.{col(contact, 'id')} = %s"
        ),
        # In the model's order (kind, primary first, id).
        "identities_of_contact": (
            f"SELECT {identity_columns} FROM {table(identity)} "  # noqa: S608
            f"WHERE {col(identity, 'contact')} = %s "
            f"ORDER BY {col(identity, 'kind')}, {col(identity, 'is_primary')} DESC, "
            f"{col(identity, 'id')}"
        ),
    }


_HOT: dict[str, dict[str, str]] = {}


def _hot_sql(name: str, params: list, *, one: bool = False):
    statements = _HOT.get(connection.vendor)
    if statements is None:
        statements = _HOT[connection.vendor] = _hot_statements(connection.ops.quote_name)
    with connection.cursor() as cursor:
        cursor.execute(statements[name], params)
        return cursor.fetchone() if one else cursor.fetchall()


def organization_find_by_email_domain(email_or_domain: str) -> int | None:
    """Return the organization whose ``email_domains`` list holds this address's domain.

    Vendors are skipped; with several matches, the oldest organization wins (stable answers).
    """
    domain = (email_or_domain or "").strip().lower().rsplit("@", 1)[-1]
    if not domain or "." not in domain:
        return None
    candidates = (
        Organization.objects.filter(email_domains__icontains=domain, is_vendor=False)
        .order_by("pk")
        .values_list("pk", "email_domains")
    )
    for pk, domains in candidates:
        # icontains also matches "mail.example.cn" for "example.cn": check whole entries.
        if domain in {d.strip() for d in domains.split(",")}:
            return pk
    return None


def contact_resolve_or_create(
    *,
    actor,
    email: str | None = None,
    phone: str | None = None,
    name: str = "",
    organization_id: int | None = None,
) -> int:
    """Return the id of the contact with this email (else phone), creating the contact if new.

    See :func:`contact_find_or_create`, which also says whether the contact was created.
    """
    contact_id, _created = contact_find_or_create(
        actor=actor, email=email, phone=phone, name=name, organization_id=organization_id
    )
    return contact_id


def contact_find_or_create(
    *,
    actor,
    email: str | None = None,
    phone: str | None = None,
    name: str = "",
    organization_id: int | None = None,
) -> tuple[int, bool]:
    """Return the id of the contact with this email (else phone), creating the contact if new.

    A new contact gets the given identities and, when ``organization_id`` is not given, joins the
    organization whose email domains include the address's domain. An existing contact found by
    one identity is given the other one when nobody owns it yet. Two requests resolving the same
    new address at once both get the one contact (the loser of the insert race reads the
    winner's). Raises ``ValidationError`` when neither a valid email nor a valid phone is given.
    Returns ``(contact id, whether no contact had these identities)``.
    """
    email = (email or "").strip() or None
    phone = (phone or "").strip() or None
    found = None
    if email:
        found = contact_find_by_identity(IdentityKindChoices.EMAIL, email)
    if found is not None:
        # Found by the email: only the phone may be new.
        if phone and contact_find_by_identity(IdentityKindChoices.PHONE, phone) is None:
            _add_missing_identities(
                actor=actor, contact_id=found, missing=[(IdentityKindChoices.PHONE, phone)]
            )
        return found, False
    if phone:
        found = contact_find_by_identity(IdentityKindChoices.PHONE, phone)
    if found is not None:
        # Found by the phone: the email (if any) was looked up above and nobody owns it.
        if email:
            _add_missing_identities(
                actor=actor, contact_id=found, missing=[(IdentityKindChoices.EMAIL, email)]
            )
        return found, False

    identities = []
    errors: dict[str, list[str]] = {}
    for kind, value in ((IdentityKindChoices.EMAIL, email), (IdentityKindChoices.PHONE, phone)):
        if not value:
            continue
        try:
            normalize_identity(kind, value)
        except ValidationError as exc:
            errors[kind] = list(exc.messages)
            continue
        identities.append({"kind": kind, "value": value, "is_primary": True})
    if not identities:
        raise ValidationError(errors or {"email": [_("Give an email address or a phone number.")]})
    if organization_id is None and email and IdentityKindChoices.EMAIL not in errors:
        organization_id = organization_find_by_email_domain(email)
    display_name = (name or "").strip() or (email.split("@")[0] if email else phone)
    organizations = [{"organization_id": organization_id}] if organization_id else []
    try:
        contact = contact_create(
            actor=actor,
            name=display_name[:200],
            identities=identities,
            organizations=organizations,
        )
    except IdentityTaken as exc:
        # Created a moment ago by a concurrent request: new to both of us.
        return exc.owner.pk, True
    return contact.pk, True


def _add_missing_identities(*, actor, contact_id: int, missing: list[tuple[str, str]]):
    """Give the contact the identities ``missing`` (``(kind, value)`` nobody owned a moment ago)."""
    contact = Contact.objects.filter(pk=contact_id).first()
    for kind, value in missing:
        try:
            # A savepoint: a lost race or a bad value must not break the caller's transaction.
            with transaction.atomic():
                identity_add(actor=actor, contact=contact, kind=kind, value=value)
        except (IdentityTaken, ValidationError):
            continue


def contact_for_user(user_id: int) -> int | None:
    """Return the id of the contact a portal login belongs to, or None."""
    return Contact.objects.filter(user_id=user_id).values_list("pk", flat=True).first()


def contact_organization_ids(contact_id: int) -> list[int]:
    """Return the ids of every organization the contact belongs to, the primary first."""
    return list(
        ContactMembership.objects.filter(contact_id=contact_id)
        .order_by("-is_primary", "organization_id")
        .values_list("organization_id", flat=True)
    )


def contact_admin_organization_ids(contact_id: int) -> list[int]:
    """Return the organizations where the contact may see everyone's requests (portal admins)."""
    return list(
        ContactMembership.objects.filter(contact_id=contact_id, is_admin=True)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )


def organization_get_summary(organization_id: int) -> dict[str, Any] | None:
    """Return an organization's name, status, tier (key, label, rank) and owner id."""
    org = Organization.objects.select_related("tier").filter(pk=organization_id).first()
    return _organization_dict(org) if org else None


def organization_summaries(organization_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Return ``{id: summary}`` for many organizations in one query."""
    rows = Organization.objects.select_related("tier").filter(pk__in=organization_ids)
    return {org.pk: _organization_dict(org) for org in rows}


def tier_list() -> list[dict[str, Any]]:
    """Return every organization tier, most important first (for SLA and routing rules)."""
    return [_tier_dict(tier) for tier in OrganizationTier.objects.order_by("rank", "key")]


def site_get_summary(site_id: int) -> dict[str, Any] | None:
    """Return a site's name, address, time zone and organization."""
    site = Site.objects.select_related("organization").filter(pk=site_id).first()
    if site is None:
        return None
    return {
        "id": site.pk,
        "name": site.name,
        "code": site.code,
        "organization_id": site.organization_id,
        "organization_name": site.organization.name,
        "address": site.address,
        "city": site.city,
        "region": site.region,
        "country": site.country,
        "time_zone": site.time_zone,
        "contact_person_id": site.contact_person_id,
        "is_active": site.is_active,
        "url": site.get_absolute_url(),
    }


def _asset_dict(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "serial_number": asset.serial_number,
        "status": asset.status,
        "product_id": asset.product_id,
        "product_sku": asset.product.sku,
        "product_name": asset.product.name,
        "organization_id": asset.organization_id,
        "site_id": asset.site_id,
        "site_name": asset.site.name if asset.site else None,
        "install_date": asset.install_date,
        "warranty_end": asset.warranty_end,
        "vendor_id": asset.vendor_id,
        "vendor_name": asset.vendor.name if asset.vendor else None,
        "url": asset.get_absolute_url(),
    }


def _assets_queryset():
    return Asset.objects.select_related("product", "vendor", "site")


def asset_get_summary(asset_id: int) -> dict[str, Any] | None:
    """Return an asset's product, serial number, place, warranty and hardware vendor."""
    asset = _assets_queryset().filter(pk=asset_id).first()
    return _asset_dict(asset) if asset else None


def site_assets(site_id: int, *, limit: int = 20) -> list[dict[str, Any]]:
    """Return up to ``limit`` assets installed at a site (in service first), as summaries."""
    rows = (
        _assets_queryset()
        .filter(site_id=site_id)
        .order_by(
            Case(When(status=AssetStatusChoices.ACTIVE, then=0), default=1),
            "serial_number",
            "id",
        )[:limit]
    )
    return [_asset_dict(asset) for asset in rows]


def organization_assets(organization_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
    """Return up to ``limit`` assets of an organization (in service first), as summaries."""
    rows = (
        _assets_queryset()
        .filter(organization_id=organization_id)
        .order_by(
            Case(When(status=AssetStatusChoices.ACTIVE, then=0), default=1),
            "serial_number",
            "id",
        )[:limit]
    )
    return [_asset_dict(asset) for asset in rows]


def organization_site_choices(organization_id: int) -> list[tuple[int, str]]:
    """``(id, label)`` of every site of an organization, by name (a contract's scope picker)."""
    rows = (
        Site.objects.filter(organization_id=organization_id)
        .order_by("name", "id")
        .values_list("pk", "name", "code", "city")
    )
    return [
        (pk, " · ".join(part for part in (name, code, city) if part))
        for pk, name, code, city in rows
    ]


def organization_asset_choices(organization_id: int) -> list[tuple[int, str]]:
    """``(id, label)`` of every asset of an organization: product, serial number, site."""
    rows = (
        Asset.objects.filter(organization_id=organization_id)
        .order_by("product__name", "serial_number", "id")
        .values_list("pk", "product__name", "serial_number", "site__name")
    )
    return [
        (pk, " · ".join(part for part in (product, serial, site) if part))
        for pk, product, serial, site in rows
    ]


def phone_lookup(number: str) -> dict[str, Any]:
    """Find who is calling: the contacts and organizations behind a phone number in any format.

    Returns ``{"number": E.164 or None, "contacts": [summary...], "organizations": [summary...]}``.
    Contacts match their phone/WhatsApp identities; organizations are those contacts'
    organizations plus any whose own switchboard number is the same number.
    """
    normalized = normalize_phone(number)
    if normalized is None:
        return {"number": None, "contacts": [], "organizations": []}
    contact_ids = list(
        ContactIdentity.objects.filter(kind__in=_PHONE_KINDS, normalized=normalized)
        .values_list("contact_id", flat=True)
        .distinct()
    )
    contacts = contact_summaries(contact_ids)
    org_ids = list(
        ContactMembership.objects.filter(contact_id__in=contact_ids)
        .order_by("-is_primary", "organization_id")
        .values_list("organization_id", flat=True)
    )
    # Organization.phone is free text: narrow by the last digits, then compare normalised forms.
    tail = normalized[-4:]
    for pk, phone in Organization.objects.filter(phone__endswith=tail).values_list("pk", "phone"):
        if normalize_phone(phone) == normalized:
            org_ids.append(pk)
    organizations = organization_summaries(list(dict.fromkeys(org_ids)))
    return {
        "number": normalized,
        "contacts": [contacts[pk] for pk in contact_ids if pk in contacts],
        "organizations": [
            organizations[pk] for pk in dict.fromkeys(org_ids) if pk in organizations
        ],
    }


def identity_mark_undeliverable(*, kind: str, value: str, is_undeliverable: bool = True) -> int:
    """Flag the identity ``value`` of ``kind`` as (un)deliverable, e.g. after a hard bounce.

    Returns how many identities changed (0 for an unknown or invalid value).
    """
    return services.identity_mark_undeliverable(
        actor=None, kind=kind, value=value, is_undeliverable=is_undeliverable
    )


def organization_choice_field(**kwargs):
    """A form field picking one organization by searching (never lists the whole table);
    its cleaned value is the organization id."""
    from kefu.customers.forms import LookupField

    class OrganizationIdField(LookupField):
        def clean(self, value):
            organization = super().clean(value)
            return organization.pk if organization is not None else None

        def prepare_value(self, value):
            return getattr(value, "pk", value)

    return OrganizationIdField(Organization.objects.all(), lookup="organization", **kwargs)
