"""Customer-master API: organizations, tiers, sites, contacts, products, assets, consent, timeline.

Handlers are thin: check the permission (``policy.require``), read through ``selectors`` (lists
are scoped by ``policy.scope``), write through ``services`` inside an API audit context, and let
the problem handlers in ``kefu.apikit.problems`` turn errors into RFC 9457 answers.
"""

import contextlib

from django.http import HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kefu.accounts.policy import require
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core.audit import AuditSource, audit_context
from kefu.customers import selectors, services
from kefu.customers.filters import (
    TIER_ORDERING,
    AssetFilters,
    ContactFilters,
    OrganizationFilters,
    ProductFilters,
    SiteFilters,
    TimelineFilters,
    filter_assets,
    filter_contacts,
    filter_organizations,
    filter_products,
    filter_sites,
    order,
)
from kefu.customers.schemas import (
    AssetIn,
    AssetOut,
    AssetPatch,
    CallIn,
    ConsentIn,
    ConsentOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    IdentityIn,
    IdentityOut,
    NoteIn,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    SiteIn,
    SiteOut,
    SitePatch,
    TierIn,
    TierOut,
    TierPatch,
    TimelineEventOut,
)

router = Router(tags=["customers"])

DELETED = {204: None, **WRITE_ERRORS}


@contextlib.contextmanager
def _writing(request):
    """Attribute the audit-log rows of this write to the token's (or session's) user."""
    with audit_context(source=AuditSource.API, actor=request.auth):
        yield


def _no_content() -> HttpResponse:
    return HttpResponse(status=204)


# Tiers -------------------------------------------------------------------------------------


@router.get(
    "/organization-tiers",
    response={200: list[TierOut], **LIST_ERRORS},
    summary="List organization tiers",
    tags=["organizations"],
)
@paginate(PageNumberPagination)
def tier_list(request, ordering: str | None = None):
    require(request.auth, "customers.view_organizationtier")
    return order(selectors.tier_list(user=request.auth), ordering, TIER_ORDERING, "rank")


@router.get(
    "/organization-tiers/{tier_id}",
    response={200: TierOut, **READ_ERRORS},
    summary="Get a tier",
    tags=["organizations"],
)
def tier_get(request, tier_id: int):
    require(request.auth, "customers.view_organizationtier")
    return selectors.tier_list(user=request.auth).get(pk=tier_id)


@router.post(
    "/organization-tiers",
    response={201: TierOut, **WRITE_ERRORS},
    summary="Create a tier",
    tags=["organizations"],
)
def tier_create(request, payload: TierIn):
    require(request.auth, "customers.add_organizationtier")
    with _writing(request):
        tier = services.tier_create(actor=request.auth, **payload.model_dump())
    return Status(201, tier)


@router.patch(
    "/organization-tiers/{tier_id}",
    response={200: TierOut, **WRITE_ERRORS},
    summary="Change a tier",
    tags=["organizations"],
)
def tier_update(request, tier_id: int, payload: TierPatch):
    require(request.auth, "customers.change_organizationtier")
    tier = selectors.tier_list(user=request.auth).get(pk=tier_id)
    with _writing(request):
        return services.tier_update(
            actor=request.auth, tier=tier, **payload.model_dump(exclude_unset=True)
        )


@router.delete(
    "/organization-tiers/{tier_id}",
    response=DELETED,
    summary="Delete an unused tier",
    tags=["organizations"],
)
def tier_delete(request, tier_id: int):
    require(request.auth, "customers.delete_organizationtier")
    tier = selectors.tier_list(user=request.auth).get(pk=tier_id)
    with _writing(request):
        services.tier_delete(actor=request.auth, tier=tier)
    return _no_content()


# Organizations -----------------------------------------------------------------------------


@router.get(
    "/organizations",
    response={200: list[OrganizationOut], **LIST_ERRORS},
    summary="List organizations",
    description="Filter with `q`, `status`, `tier`, `owner`, `parent`, `is_vendor`, `tag` and "
    "`cf_<key>=value` for custom fields; sort with `ordering`.",
    tags=["organizations"],
)
@paginate(PageNumberPagination)
def organization_list(request, filters: Query[OrganizationFilters]):
    require(request.auth, "customers.view_organization")
    return filter_organizations(
        selectors.organization_list(user=request.auth),
        filters,
        user=request.auth,
        params=request.GET,
    )


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **READ_ERRORS},
    summary="Get an organization",
    tags=["organizations"],
)
def organization_get(request, organization_id: int):
    require(request.auth, "customers.view_organization")
    return selectors.organization_get(user=request.auth, organization_id=organization_id)


@router.post(
    "/organizations",
    response={201: OrganizationOut, **WRITE_ERRORS},
    summary="Create an organization",
    tags=["organizations"],
)
def organization_create(request, payload: OrganizationIn):
    require(request.auth, "customers.add_organization")
    with _writing(request):
        organization = services.organization_create(actor=request.auth, **payload.model_dump())
    return Status(
        201, selectors.organization_get(user=request.auth, organization_id=organization.pk)
    )


@router.patch(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **WRITE_ERRORS},
    summary="Change an organization",
    tags=["organizations"],
)
def organization_update(request, organization_id: int, payload: OrganizationPatch):
    require(request.auth, "customers.change_organization")
    organization = selectors.organization_get(user=request.auth, organization_id=organization_id)
    require(request.auth, "customers.change_organization", organization)
    with _writing(request):
        services.organization_update(
            actor=request.auth,
            organization=organization,
            **payload.model_dump(exclude_unset=True),
        )
    return selectors.organization_get(user=request.auth, organization_id=organization_id)


@router.delete(
    "/organizations/{organization_id}",
    response=DELETED,
    summary="Delete an organization",
    description="Deletes its sites, memberships, assets and timeline too; refused while it has "
    "child organizations.",
    tags=["organizations"],
)
def organization_delete(request, organization_id: int):
    require(request.auth, "customers.delete_organization")
    organization = selectors.organization_get(user=request.auth, organization_id=organization_id)
    require(request.auth, "customers.delete_organization", organization)
    with _writing(request):
        services.organization_delete(actor=request.auth, organization=organization)
    return _no_content()


# Sites -------------------------------------------------------------------------------------


@router.get(
    "/sites",
    response={200: list[SiteOut], **LIST_ERRORS},
    summary="List sites",
    description="Filter with `q`, `organization`, `region`, `is_active`, `cf_<key>=value`.",
    tags=["sites"],
)
@paginate(PageNumberPagination)
def site_list(request, filters: Query[SiteFilters]):
    require(request.auth, "customers.view_site")
    return filter_sites(selectors.site_list(user=request.auth), filters, params=request.GET)


@router.get(
    "/sites/{site_id}",
    response={200: SiteOut, **READ_ERRORS},
    summary="Get a site",
    tags=["sites"],
)
def site_get(request, site_id: int):
    require(request.auth, "customers.view_site")
    return selectors.site_get(user=request.auth, site_id=site_id)


@router.post(
    "/sites", response={201: SiteOut, **WRITE_ERRORS}, summary="Create a site", tags=["sites"]
)
def site_create(request, payload: SiteIn):
    require(request.auth, "customers.add_site")
    data = payload.model_dump()
    # Creating a site changes its organization: it must be one the caller can see.
    selectors.organization_get(user=request.auth, organization_id=data["organization_id"])
    with _writing(request):
        site = services.site_create(actor=request.auth, **data)
    return Status(201, site)


@router.patch(
    "/sites/{site_id}",
    response={200: SiteOut, **WRITE_ERRORS},
    summary="Change a site",
    tags=["sites"],
)
def site_update(request, site_id: int, payload: SitePatch):
    require(request.auth, "customers.change_site")
    site = selectors.site_get(user=request.auth, site_id=site_id)
    require(request.auth, "customers.change_site", site)
    data = payload.model_dump(exclude_unset=True)
    if data.get("organization_id") is not None:
        selectors.organization_get(user=request.auth, organization_id=data["organization_id"])
    with _writing(request):
        return services.site_update(actor=request.auth, site=site, **data)


@router.delete("/sites/{site_id}", response=DELETED, summary="Delete a site", tags=["sites"])
def site_delete(request, site_id: int):
    require(request.auth, "customers.delete_site")
    site = selectors.site_get(user=request.auth, site_id=site_id)
    require(request.auth, "customers.delete_site", site)
    with _writing(request):
        services.site_delete(actor=request.auth, site=site)
    return _no_content()


# Contacts ----------------------------------------------------------------------------------


@router.get(
    "/contacts",
    response={200: list[ContactOut], **LIST_ERRORS},
    summary="List contacts",
    description="`q` matches names and any identity (an email address, or a phone number in "
    "any format); also `organization`, `is_active`, `cf_<key>=value`, `ordering`.",
    tags=["contacts"],
)
@paginate(PageNumberPagination)
def contact_list(request, filters: Query[ContactFilters]):
    require(request.auth, "customers.view_contact")
    return filter_contacts(selectors.contact_list(user=request.auth), filters, params=request.GET)


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **READ_ERRORS},
    summary="Get a contact with identities and memberships",
    tags=["contacts"],
)
def contact_get(request, contact_id: int):
    require(request.auth, "customers.view_contact")
    return selectors.contact_get(user=request.auth, contact_id=contact_id)


@router.post(
    "/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary="Create a contact",
    description="An identity owned by another contact answers 409 with a `link` to that "
    "contact; nothing is written.",
    tags=["contacts"],
)
def contact_create(request, payload: ContactIn):
    require(request.auth, "customers.add_contact")
    with _writing(request):
        contact = services.contact_create(actor=request.auth, **payload.model_dump())
    # Answered from the rows just written (the creator may see what they created).
    return Status(201, selectors.contact_as_created(contact))


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **WRITE_ERRORS},
    summary="Change a contact",
    description="`identities` and `organizations`, when sent, replace the current lists.",
    tags=["contacts"],
)
def contact_update(request, contact_id: int, payload: ContactPatch):
    require(request.auth, "customers.change_contact")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    require(request.auth, "customers.change_contact", contact)
    with _writing(request):
        services.contact_update(
            actor=request.auth,
            contact=contact,
            **payload.model_dump(exclude_unset=True),
        )
    return selectors.contact_get(user=request.auth, contact_id=contact_id)


@router.delete(
    "/contacts/{contact_id}", response=DELETED, summary="Delete a contact", tags=["contacts"]
)
def contact_delete(request, contact_id: int):
    require(request.auth, "customers.delete_contact")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    require(request.auth, "customers.delete_contact", contact)
    with _writing(request):
        services.contact_delete(actor=request.auth, contact=contact)
    return _no_content()


@router.post(
    "/contacts/{contact_id}/identities",
    response={201: IdentityOut, **WRITE_ERRORS},
    summary="Add an identity to a contact",
    tags=["contacts"],
)
def identity_add(request, contact_id: int, payload: IdentityIn):
    require(request.auth, "customers.add_contactidentity")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    require(request.auth, "customers.change_contact", contact)
    with _writing(request):
        identity = services.identity_add(
            actor=request.auth, contact=contact, **payload.model_dump()
        )
    return Status(201, identity)


@router.delete(
    "/contacts/{contact_id}/identities/{identity_id}",
    response=DELETED,
    summary="Remove an identity from a contact",
    tags=["contacts"],
)
def identity_remove(request, contact_id: int, identity_id: int):
    require(request.auth, "customers.delete_contactidentity")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    identity = selectors.identity_get(user=request.auth, contact=contact, identity_id=identity_id)
    with _writing(request):
        services.identity_remove(actor=request.auth, identity=identity)
    return _no_content()


@router.get(
    "/contacts/{contact_id}/consents",
    response={200: list[ConsentOut], **READ_ERRORS},
    summary="A contact's consent history, newest first",
    tags=["contacts"],
)
@paginate(PageNumberPagination)
def consent_list(request, contact_id: int):
    require(request.auth, "customers.view_consentrecord")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    return selectors.consent_list(user=request.auth, contact=contact)


@router.get(
    "/contacts/{contact_id}/consents/current",
    response={200: dict[str, bool], **READ_ERRORS},
    summary="The consent in force per channel (the newest record of each)",
    tags=["contacts"],
)
def consent_current(request, contact_id: int):
    require(request.auth, "customers.view_consentrecord")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    return selectors.consent_current(contact=contact)


@router.post(
    "/contacts/{contact_id}/consents",
    response={201: ConsentOut, **WRITE_ERRORS},
    summary="Record a consent grant or withdrawal",
    tags=["contacts"],
)
def consent_create(request, contact_id: int, payload: ConsentIn):
    require(request.auth, "customers.add_consentrecord")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    with _writing(request):
        record = services.consent_record(
            actor=request.auth, contact=contact, **payload.model_dump()
        )
    return Status(201, record)


# Products and assets -----------------------------------------------------------------------


@router.get(
    "/products",
    response={200: list[ProductOut], **LIST_ERRORS},
    summary="List products",
    tags=["products"],
)
@paginate(PageNumberPagination)
def product_list(request, filters: Query[ProductFilters]):
    require(request.auth, "customers.view_product")
    return filter_products(selectors.product_list(user=request.auth), filters, params=request.GET)


@router.get(
    "/products/{product_id}",
    response={200: ProductOut, **READ_ERRORS},
    summary="Get a product",
    tags=["products"],
)
def product_get(request, product_id: int):
    require(request.auth, "customers.view_product")
    return selectors.product_get(user=request.auth, product_id=product_id)


@router.post(
    "/products",
    response={201: ProductOut, **WRITE_ERRORS},
    summary="Create a product",
    tags=["products"],
)
def product_create(request, payload: ProductIn):
    require(request.auth, "customers.add_product")
    with _writing(request):
        product = services.product_create(actor=request.auth, **payload.model_dump())
    return Status(201, product)


@router.patch(
    "/products/{product_id}",
    response={200: ProductOut, **WRITE_ERRORS},
    summary="Change a product",
    tags=["products"],
)
def product_update(request, product_id: int, payload: ProductPatch):
    require(request.auth, "customers.change_product")
    product = selectors.product_get(user=request.auth, product_id=product_id)
    with _writing(request):
        return services.product_update(
            actor=request.auth, product=product, **payload.model_dump(exclude_unset=True)
        )


@router.delete(
    "/products/{product_id}", response=DELETED, summary="Delete a product", tags=["products"]
)
def product_delete(request, product_id: int):
    require(request.auth, "customers.delete_product")
    product = selectors.product_get(user=request.auth, product_id=product_id)
    with _writing(request):
        services.product_delete(actor=request.auth, product=product)
    return _no_content()


@router.get(
    "/assets",
    response={200: list[AssetOut], **LIST_ERRORS},
    summary="List installed assets",
    description="Filter with `q` (serial number), `organization`, `site`, `product`, `vendor`, "
    "`status`, `cf_<key>=value`.",
    tags=["assets"],
)
@paginate(PageNumberPagination)
def asset_list(request, filters: Query[AssetFilters]):
    require(request.auth, "customers.view_asset")
    return filter_assets(selectors.asset_list(user=request.auth), filters, params=request.GET)


@router.get(
    "/assets/{asset_id}",
    response={200: AssetOut, **READ_ERRORS},
    summary="Get an asset",
    tags=["assets"],
)
def asset_get(request, asset_id: int):
    require(request.auth, "customers.view_asset")
    return selectors.asset_get(user=request.auth, asset_id=asset_id)


@router.post(
    "/assets", response={201: AssetOut, **WRITE_ERRORS}, summary="Record an asset", tags=["assets"]
)
def asset_create(request, payload: AssetIn):
    require(request.auth, "customers.add_asset")
    data = payload.model_dump()
    selectors.organization_get(user=request.auth, organization_id=data["organization_id"])
    with _writing(request):
        asset = services.asset_create(actor=request.auth, **data)
    return Status(201, selectors.asset_get(user=request.auth, asset_id=asset.pk))


@router.patch(
    "/assets/{asset_id}",
    response={200: AssetOut, **WRITE_ERRORS},
    summary="Change an asset",
    tags=["assets"],
)
def asset_update(request, asset_id: int, payload: AssetPatch):
    require(request.auth, "customers.change_asset")
    asset = selectors.asset_get(user=request.auth, asset_id=asset_id)
    require(request.auth, "customers.change_asset", asset)
    with _writing(request):
        services.asset_update(
            actor=request.auth, asset=asset, **payload.model_dump(exclude_unset=True)
        )
    return selectors.asset_get(user=request.auth, asset_id=asset_id)


@router.delete("/assets/{asset_id}", response=DELETED, summary="Delete an asset", tags=["assets"])
def asset_delete(request, asset_id: int):
    require(request.auth, "customers.delete_asset")
    asset = selectors.asset_get(user=request.auth, asset_id=asset_id)
    require(request.auth, "customers.delete_asset", asset)
    with _writing(request):
        services.asset_delete(actor=request.auth, asset=asset)
    return _no_content()


# Timeline ----------------------------------------------------------------------------------


@router.get(
    "/organizations/{organization_id}/timeline",
    response={200: list[TimelineEventOut], **READ_ERRORS},
    summary="An organization's 360° timeline, newest first",
    tags=["timeline"],
)
@paginate(PageNumberPagination)
def organization_timeline(request, organization_id: int, filters: Query[TimelineFilters]):
    require(request.auth, "customers.view_timelineevent")
    organization = selectors.organization_get(user=request.auth, organization_id=organization_id)
    return selectors.timeline_for_organization(
        user=request.auth, organization=organization, kind=filters.kind
    )


@router.get(
    "/contacts/{contact_id}/timeline",
    response={200: list[TimelineEventOut], **READ_ERRORS},
    summary="A contact's timeline, newest first",
    tags=["timeline"],
)
@paginate(PageNumberPagination)
def contact_timeline(request, contact_id: int, filters: Query[TimelineFilters]):
    require(request.auth, "customers.view_timelineevent")
    contact = selectors.contact_get(user=request.auth, contact_id=contact_id)
    return selectors.timeline_for_contact(user=request.auth, contact=contact, kind=filters.kind)


def _timeline_target(request, *, organization_id=None, contact_id=None) -> dict:
    if organization_id is not None:
        selectors.organization_get(user=request.auth, organization_id=organization_id)
        return {"organization_id": organization_id}
    selectors.contact_get(user=request.auth, contact_id=contact_id)
    return {"contact_id": contact_id}


@router.post(
    "/organizations/{organization_id}/timeline/notes",
    response={201: TimelineEventOut, **WRITE_ERRORS},
    summary="Add a note to an organization's timeline",
    tags=["timeline"],
)
def organization_note_add(request, organization_id: int, payload: NoteIn):
    require(request.auth, "customers.add_timelineevent")
    target = _timeline_target(request, organization_id=organization_id)
    with _writing(request):
        event = services.note_add(actor=request.auth, text=payload.text, **target)
    return Status(201, event)


@router.post(
    "/contacts/{contact_id}/timeline/notes",
    response={201: TimelineEventOut, **WRITE_ERRORS},
    summary="Add a note to a contact's timeline",
    tags=["timeline"],
)
def contact_note_add(request, contact_id: int, payload: NoteIn):
    require(request.auth, "customers.add_timelineevent")
    target = _timeline_target(request, contact_id=contact_id)
    with _writing(request):
        event = services.note_add(actor=request.auth, text=payload.text, **target)
    return Status(201, event)


@router.post(
    "/organizations/{organization_id}/timeline/calls",
    response={201: TimelineEventOut, **WRITE_ERRORS},
    summary="Log a call on an organization's timeline",
    tags=["timeline"],
)
def organization_call_log(request, organization_id: int, payload: CallIn):
    require(request.auth, "customers.add_timelineevent")
    target = _timeline_target(request, organization_id=organization_id)
    with _writing(request):
        event = services.call_log(actor=request.auth, **payload.model_dump(), **target)
    return Status(201, event)


@router.post(
    "/contacts/{contact_id}/timeline/calls",
    response={201: TimelineEventOut, **WRITE_ERRORS},
    summary="Log a call on a contact's timeline",
    tags=["timeline"],
)
def contact_call_log(request, contact_id: int, payload: CallIn):
    require(request.auth, "customers.add_timelineevent")
    target = _timeline_target(request, contact_id=contact_id)
    with _writing(request):
        event = services.call_log(actor=request.auth, **payload.model_dump(), **target)
    return Status(201, event)
