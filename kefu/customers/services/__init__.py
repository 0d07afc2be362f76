"""Every write to the customer master goes through these functions."""

from kefu.customers.services.contacts import (
    IdentityTaken,
    consent_record,
    contact_create,
    contact_delete,
    contact_update,
    identity_add,
    identity_mark_undeliverable,
    identity_remove,
)
from kefu.customers.services.organizations import (
    organization_create,
    organization_delete,
    organization_update,
    site_create,
    site_delete,
    site_update,
    tier_create,
    tier_delete,
    tier_update,
)
from kefu.customers.services.products import (
    asset_create,
    asset_delete,
    asset_update,
    product_create,
    product_delete,
    product_update,
)
from kefu.customers.services.timeline import call_log, note_add, timeline_event_add

__all__ = [
    "IdentityTaken",
    "asset_create",
    "asset_delete",
    "asset_update",
    "call_log",
    "consent_record",
    "contact_create",
    "contact_delete",
    "contact_update",
    "identity_add",
    "identity_mark_undeliverable",
    "identity_remove",
    "note_add",
    "organization_create",
    "organization_delete",
    "organization_update",
    "product_create",
    "product_delete",
    "product_update",
    "site_create",
    "site_delete",
    "site_update",
    "tier_create",
    "tier_delete",
    "tier_update",
    "timeline_event_add",
]
