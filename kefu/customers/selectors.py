"""Reads of the customer master that the API, views and other selectors share.

Each ``*_list`` returns a queryset already narrowed by the permission policy (``policy.scope``)
and loaded with what its list shows (``select_related``/``prefetch_related``), so a page of
results costs the same few queries whatever its size. ``*_get`` returns one row in scope or
raises ``Http404``.
"""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from kefu.accounts import policy
from kefu.customers.models import (
    Asset,
    ConsentRecord,
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    OrganizationTier,
    Product,
    Site,
    TimelineEvent,
)


def tier_list(*, user) -> QuerySet:
    return policy.scope(user, OrganizationTier.objects.all())


def organization_list(*, user) -> QuerySet:
    """Organizations the user may see, with tier and tags loaded."""
    qs = Organization.objects.select_related("tier").prefetch_related("tags")
    return policy.scope(user, qs)


def organization_get(*, user, organization_id: int) -> Organization:
    return get_object_or_404(organization_list(user=user), pk=organization_id)


def site_list(*, user) -> QuerySet:
    return policy.scope(user, Site.objects.all())


def site_get(*, user, site_id: int) -> Site:
    return get_object_or_404(site_list(user=user), pk=site_id)


def contact_list(*, user) -> QuerySet:
    """Contacts the user may see, with identities and memberships (and their organizations)."""
    qs = Contact.objects.prefetch_related(
        Prefetch(
            "identities", queryset=ContactIdentity.objects.order_by("kind", "-is_primary", "id")
        ),
        Prefetch(
            "memberships",
            queryset=ContactMembership.objects.select_related("organization").order_by(
                "-is_primary", "organization__name", "id"
            ),
        ),
    )
    return policy.scope(user, qs)


def contact_get(*, user, contact_id: int) -> Contact:
    return get_object_or_404(contact_list(user=user), pk=contact_id)


def contact_as_created(contact: Contact) -> Contact:
    """Return a contact fresh from ``services.contact_create`` with its relations loaded.

    The service hands back the identities and memberships it inserted; putting them in the
    prefetch cache (in :func:`contact_list`'s order) lets the API answer without three reads.
    Only for the object the caller is about to serialise: later changes would not show in it.
    """
    identities = sorted(contact.created_identities, key=lambda i: (i.kind, not i.is_primary, i.pk))
    memberships = sorted(
        contact.created_memberships, key=lambda m: (not m.is_primary, m.organization.name, m.pk)
    )
    cache = contact.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, objects in (("identities", identities), ("memberships", memberships)):
        queryset = getattr(contact, name).all()
        queryset._result_cache = objects
        queryset._prefetch_done = True
        cache[name] = queryset
    return contact


def identity_get(*, user, contact: Contact, identity_id: int) -> ContactIdentity:
    return get_object_or_404(ContactIdentity.objects.filter(contact=contact), pk=identity_id)


def consent_list(*, user, contact: Contact) -> QuerySet:
    """The consent history of one contact, newest first."""
    return policy.scope(user, ConsentRecord.objects.filter(contact=contact)).order_by(
        "-recorded_at", "-id"
    )


def consent_current(*, contact: Contact) -> dict[str, bool]:
    """Return ``{channel: is_granted}`` from the newest record per channel."""
    current: dict[str, bool] = {}
    rows = ConsentRecord.objects.filter(contact=contact).order_by("-recorded_at", "-id")
    for channel, granted in rows.values_list("channel", "is_granted"):
        current.setdefault(channel, granted)
    return current


def product_list(*, user) -> QuerySet:
    return policy.scope(user, Product.objects.all())


def product_get(*, user, product_id: int) -> Product:
    return get_object_or_404(product_list(user=user), pk=product_id)


def asset_list(*, user) -> QuerySet:
    return policy.scope(user, Asset.objects.select_related("product"))


def asset_get(*, user, asset_id: int) -> Asset:
    return get_object_or_404(asset_list(user=user), pk=asset_id)


def timeline_for_organization(*, user, organization: Organization, kind: str | None = None):
    """The organization's 360° timeline, newest first (one indexed range scan)."""
    qs = TimelineEvent.objects.filter(organization=organization).select_related("actor")
    if kind:
        qs = qs.filter(kind=kind)
    return policy.scope(user, qs).order_by("-occurred_at", "-id")


def timeline_for_contact(*, user, contact: Contact, kind: str | None = None):
    """The contact's timeline, newest first."""
    qs = TimelineEvent.objects.filter(contact=contact).select_related("actor")
    if kind:
        qs = qs.filter(kind=kind)
    return policy.scope(user, qs).order_by("-occurred_at", "-id")
