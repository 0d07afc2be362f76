from kefu.customers.models.contacts import (
    ConsentRecord,
    Contact,
    ContactIdentity,
    ContactMembership,
)
from kefu.customers.models.imports import ImportJob
from kefu.customers.models.organizations import Organization, OrganizationTier, Site
from kefu.customers.models.products import Asset, Product
from kefu.customers.models.timeline import TimelineEvent

__all__ = [
    "Asset",
    "ConsentRecord",
    "Contact",
    "ContactIdentity",
    "ContactMembership",
    "ImportJob",
    "Organization",
    "OrganizationTier",
    "Product",
    "Site",
    "TimelineEvent",
]
