"""Permission matrix of the customer-master API.

Every operation is tried by: an anonymous client (401), portal customers of the organization and
of another one (403), a read-only token (403 on writes), an agent (allowed exactly the operations
of the agent role) and an administrator (allowed everything). Denied requests change nothing.
"""

import json
from dataclasses import dataclass

import pytest
from auditlog.models import LogEntry
from django.test import Client

from kefu.core.models import CustomFieldDefinition
from kefu.customers import models as m
from kefu.customers.tests.factories import (
    AssetFactory,
    ContactFactory,
    IdentityFactory,
    OrganizationFactory,
    ProductFactory,
    SiteFactory,
    TierFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db


@dataclass
class World:
    org: m.Organization
    spare_org: m.Organization
    tier: m.OrganizationTier
    site: m.Site
    contact: m.Contact
    identity: m.ContactIdentity
    product: m.Product
    spare_product: m.Product
    asset: m.Asset
    field: CustomFieldDefinition


@pytest.fixture
def world():
    org = OrganizationFactory(name="客户甲")
    contact = ContactFactory(primary_organization=org)
    world = World(
        org=org,
        spare_org=OrganizationFactory(name="备用"),
        tier=TierFactory(key="silver", name="Silver"),
        site=SiteFactory(organization=org),
        contact=contact,
        identity=IdentityFactory(contact=contact),
        product=ProductFactory(),
        spare_product=ProductFactory(),
        asset=None,
        field=CustomFieldDefinition.objects.create(
            target="customers.contact", key="vip", label="VIP", field_type="boolean"
        ),
    )
    world.asset = AssetFactory(organization=org, product=world.product)
    TimelineEventFactory(organization=org)
    return world


# name -> (method, path template, body); the template is formatted with the World.
OPERATIONS = {
    "organization_list": ("get", "/api/v1/organizations", None),
    "organization_get": ("get", "/api/v1/organizations/{w.org.pk}", None),
    "organization_create": ("post", "/api/v1/organizations", {"name": "新客户"}),
    "organization_update": ("patch", "/api/v1/organizations/{w.org.pk}", {"phone": "021-1"}),
    "organization_delete": ("delete", "/api/v1/organizations/{w.spare_org.pk}", None),
    "tier_list": ("get", "/api/v1/organization-tiers", None),
    "tier_create": ("post", "/api/v1/organization-tiers", {"key": "gold", "name": "Gold"}),
    "tier_update": ("patch", "/api/v1/organization-tiers/{w.tier.pk}", {"rank": 7}),
    "tier_delete": ("delete", "/api/v1/organization-tiers/{w.tier.pk}", None),
    "site_list": ("get", "/api/v1/sites", None),
    "site_get": ("get", "/api/v1/sites/{w.site.pk}", None),
    "site_create": ("post", "/api/v1/sites", {"organization_id": "{w.org.pk}", "name": "新店"}),
    "site_update": ("patch", "/api/v1/sites/{w.site.pk}", {"city": "苏州"}),
    "site_delete": ("delete", "/api/v1/sites/{w.site.pk}", None),
    "contact_list": ("get", "/api/v1/contacts", None),
    "contact_get": ("get", "/api/v1/contacts/{w.contact.pk}", None),
    "contact_create": ("post", "/api/v1/contacts", {"name": "新联系人"}),
    "contact_update": ("patch", "/api/v1/contacts/{w.contact.pk}", {"title": "总监"}),
    "contact_delete": ("delete", "/api/v1/contacts/{w.contact.pk}", None),
    "identity_add": (
        "post",
        "/api/v1/contacts/{w.contact.pk}/identities",
        {"kind": "wechat", "value": "wx-new"},
    ),
    "identity_remove": (
        "delete",
        "/api/v1/contacts/{w.contact.pk}/identities/{w.identity.pk}",
        None,
    ),
    "consent_list": ("get", "/api/v1/contacts/{w.contact.pk}/consents", None),
    "consent_current": ("get", "/api/v1/contacts/{w.contact.pk}/consents/current", None),
    "consent_create": (
        "post",
        "/api/v1/contacts/{w.contact.pk}/consents",
        {"channel": "email", "is_granted": True},
    ),
    "product_list": ("get", "/api/v1/products", None),
    "product_get": ("get", "/api/v1/products/{w.product.pk}", None),
    "product_create": ("post", "/api/v1/products", {"sku": "NEW-1", "name": "新产品"}),
    "product_update": ("patch", "/api/v1/products/{w.product.pk}", {"category": "x"}),
    "product_delete": ("delete", "/api/v1/products/{w.spare_product.pk}", None),
    "asset_list": ("get", "/api/v1/assets", None),
    "asset_get": ("get", "/api/v1/assets/{w.asset.pk}", None),
    "asset_create": (
        "post",
        "/api/v1/assets",
        {"product_id": "{w.product.pk}", "organization_id": "{w.org.pk}", "serial_number": "N1"},
    ),
    "asset_update": ("patch", "/api/v1/assets/{w.asset.pk}", {"status": "in_repair"}),
    "asset_delete": ("delete", "/api/v1/assets/{w.asset.pk}", None),
    "organization_timeline": ("get", "/api/v1/organizations/{w.org.pk}/timeline", None),
    "contact_timeline": ("get", "/api/v1/contacts/{w.contact.pk}/timeline", None),
    "organization_note_add": (
        "post",
        "/api/v1/organizations/{w.org.pk}/timeline/notes",
        {"text": "备注"},
    ),
    "contact_call_log": (
        "post",
        "/api/v1/contacts/{w.contact.pk}/timeline/calls",
        {"direction": "inbound"},
    ),
    "customfield_list": ("get", "/api/v1/custom-fields", None),
    "customfield_targets": ("get", "/api/v1/custom-field-targets", None),
    "customfield_create": (
        "post",
        "/api/v1/custom-fields",
        {"target": "customers.site", "key": "floor", "label": "Floor", "field_type": "number"},
    ),
    "customfield_update": ("patch", "/api/v1/custom-fields/{w.field.pk}", {"label": "V"}),
    "customfield_delete": ("delete", "/api/v1/custom-fields/{w.field.pk}", None),
}

# What the agent role may not do (everything else it may).
AGENT_DENIED = {
    "organization_create",
    "organization_delete",
    "tier_create",
    "tier_update",
    "tier_delete",
    "site_delete",
    "contact_delete",
    "identity_remove",
    "product_create",
    "product_update",
    "product_delete",
    "asset_delete",
    "customfield_create",
    "customfield_update",
    "customfield_delete",
}
UNSAFE = {name for name, (method, _p, _b) in OPERATIONS.items() if method != "get"}


def _fill(value, world):
    if isinstance(value, str):
        filled = value.format(w=world)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def call(client, name, world):
    method, path, body = OPERATIONS[name]
    kwargs = {}
    if body is not None:
        kwargs = {"data": json.dumps(_fill(body, world)), "content_type": "application/json"}
    return getattr(client, method)(_fill(path, world), **kwargs)


def snapshot():
    """Every row the API could touch, to prove a denied request changed nothing."""
    tables = [
        m.Organization,
        m.OrganizationTier,
        m.Site,
        m.Contact,
        m.ContactIdentity,
        m.ContactMembership,
        m.ConsentRecord,
        m.Product,
        m.Asset,
        m.TimelineEvent,
        CustomFieldDefinition,
        LogEntry,
    ]
    return {t.__name__: list(t.objects.order_by("pk").values()) for t in tables}


def test_anonymous_gets_401_everywhere_and_nothing_changes(world):
    before = snapshot()
    client = Client()
    for name in OPERATIONS:
        response = call(client, name, world)
        assert response.status_code == 401, name
        assert response["Content-Type"] == "application/problem+json", name
    assert snapshot() == before


@pytest.mark.parametrize("own_organization", [True, False])
def test_portal_user_gets_403_everywhere_and_nothing_changes(
    world, make_user, api, own_organization
):
    portal = make_user(None)
    contact = world.contact if own_organization else ContactFactory()
    contact.user = portal
    contact.save()
    client = api(portal)
    before = snapshot()
    for name in OPERATIONS:
        assert call(client, name, world).status_code == 403, name
    assert snapshot() == before


def test_read_only_token_gets_403_on_every_write(world, admin_user, api):
    client = api(admin_user, scope="read")
    before = snapshot()
    for name in sorted(UNSAFE):
        assert call(client, name, world).status_code == 403, name
    assert snapshot() == before
    assert call(client, "organization_list", world).status_code == 200


def test_agent_is_refused_operations_outside_the_role_and_nothing_changes(world, agent, api):
    client = api(agent)
    before = snapshot()
    for name in sorted(AGENT_DENIED):
        response = call(client, name, world)
        assert response.status_code == 403, name
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(set(OPERATIONS) - AGENT_DENIED))
def test_agent_may_do_operations_of_the_role(world, agent, api, name):
    response = call(api(agent), name, world)
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_admin_may_do_every_operation(world, admin_user, api, name):
    response = call(api(admin_user), name, world)
    assert response.status_code in (200, 201, 204), response.content


def test_technician_may_list_but_not_change_organizations(world, make_user, api):
    technician = make_user("technician")
    client = api(technician)
    assert call(client, "organization_list", world).status_code == 200
    assert call(client, "organization_update", world).status_code == 403
    world.org.refresh_from_db()
    assert world.org.phone == ""
