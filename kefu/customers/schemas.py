"""Input and output shapes of the customer-master API (pydantic, via django-ninja).

``*In`` schemas are POST bodies (required fields required), ``*Patch`` schemas are PATCH bodies
(every field optional; only the fields sent are changed), ``*Out`` schemas are what the API returns.
"""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class TierBrief(Schema):
    id: int
    key: str
    label: str
    rank: int
    color: str


class TierOut(TierBrief):
    name: str
    name_zh_hans: str


class TierIn(Schema):
    key: str
    name: str
    name_zh_hans: str = ""
    rank: int = 100
    color: str = "#64748b"


class TierPatch(Schema):
    key: str | None = None
    name: str | None = None
    name_zh_hans: str | None = None
    rank: int | None = None
    color: str | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    alt_name: str
    external_id: str | None
    parent_id: int | None
    tier: TierBrief | None
    industry: str
    owner_id: int | None
    status: str
    is_vendor: bool
    website: str
    email_domains: str
    phone: str
    notes: str
    tags: list[str]
    custom_fields: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class OrganizationIn(Schema):
    name: str
    alt_name: str = ""
    external_id: str | None = None
    parent_id: int | None = None
    tier_id: int | None = None
    industry: str = ""
    owner_id: int | None = None
    status: str = Field("active", description="prospect, active or former")
    is_vendor: bool = False
    website: str = ""
    email_domains: str = Field("", description="Comma-separated email domains")
    phone: str = ""
    notes: str = ""
    tags: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class OrganizationPatch(Schema):
    name: str | None = None
    alt_name: str | None = None
    external_id: str | None = None
    parent_id: int | None = None
    tier_id: int | None = None
    industry: str | None = None
    owner_id: int | None = None
    status: str | None = None
    is_vendor: bool | None = None
    website: str | None = None
    email_domains: str | None = None
    phone: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = Field(
        None, description="Only the keys sent change; send null for a key to clear it"
    )


class SiteOut(Schema):
    id: int
    organization_id: int
    name: str
    code: str
    external_id: str | None
    address: str
    city: str
    region: str
    postal_code: str
    country: str
    time_zone: str
    contact_person_id: int | None
    is_active: bool
    custom_fields: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SiteIn(Schema):
    organization_id: int
    name: str
    code: str = ""
    external_id: str | None = None
    address: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "CN"
    time_zone: str = "Asia/Shanghai"
    contact_person_id: int | None = None
    is_active: bool = True
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class SitePatch(Schema):
    organization_id: int | None = None
    name: str | None = None
    code: str | None = None
    external_id: str | None = None
    address: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    time_zone: str | None = None
    contact_person_id: int | None = None
    is_active: bool | None = None
    custom_fields: dict[str, Any] | None = None


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    normalized: str
    label: str
    is_primary: bool
    is_verified: bool
    is_undeliverable: bool


class IdentityIn(Schema):
    kind: str = Field(..., description="email, phone, wechat, whatsapp or other")
    value: str
    label: str = ""
    is_primary: bool = False


class MembershipOut(Schema):
    organization_id: int
    organization_name: str
    title: str
    is_primary: bool
    is_admin: bool

    @staticmethod
    def resolve_organization_name(obj) -> str:
        return obj.organization.name


class MembershipIn(Schema):
    organization_id: int
    title: str = ""
    is_primary: bool = False
    is_admin: bool = False


class ContactOut(Schema):
    id: int
    name: str
    alt_name: str
    external_id: str | None
    title: str
    primary_organization_id: int | None
    preferred_language: str
    preferred_channel: str
    user_id: int | None
    is_active: bool
    notes: str
    custom_fields: dict[str, Any]
    identities: list[IdentityOut]
    memberships: list[MembershipOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_identities(obj) -> list:
        return list(obj.identities.all())

    @staticmethod
    def resolve_memberships(obj) -> list:
        return list(obj.memberships.all())


class ContactIn(Schema):
    name: str
    alt_name: str = ""
    external_id: str | None = None
    title: str = ""
    preferred_language: str = "zh-hans"
    preferred_channel: str = "email"
    is_active: bool = True
    notes: str = ""
    identities: list[IdentityIn] = Field(default_factory=list)
    organizations: list[MembershipIn] = Field(
        default_factory=list, description="Memberships; the first is primary unless one says so"
    )
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class ContactPatch(Schema):
    name: str | None = None
    alt_name: str | None = None
    external_id: str | None = None
    title: str | None = None
    preferred_language: str | None = None
    preferred_channel: str | None = None
    is_active: bool | None = None
    notes: str | None = None
    identities: list[IdentityIn] | None = Field(None, description="Replaces the current list")
    organizations: list[MembershipIn] | None = Field(
        None, description="Replaces the current memberships"
    )
    custom_fields: dict[str, Any] | None = None


class ConsentOut(Schema):
    id: int
    contact_id: int
    channel: str
    is_granted: bool
    source: str
    note: str
    recorded_at: datetime.datetime
    recorded_by_id: int | None


class ConsentIn(Schema):
    channel: str
    is_granted: bool
    source: str = "api"
    note: str = ""
    recorded_at: datetime.datetime | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    alt_name: str
    category: str
    list_price: Decimal | None
    currency: str
    is_active: bool
    description: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ProductIn(Schema):
    sku: str
    name: str
    alt_name: str = ""
    category: str = ""
    list_price: Decimal | None = None
    currency: str = "CNY"
    is_active: bool = True
    description: str = ""


class ProductPatch(Schema):
    sku: str | None = None
    name: str | None = None
    alt_name: str | None = None
    category: str | None = None
    list_price: Decimal | None = None
    currency: str | None = None
    is_active: bool | None = None
    description: str | None = None


class AssetOut(Schema):
    id: int
    product_id: int
    product_sku: str
    product_name: str
    serial_number: str
    external_id: str | None
    organization_id: int
    site_id: int | None
    install_date: datetime.date | None
    warranty_end: datetime.date | None
    status: str
    vendor_id: int | None
    notes: str
    custom_fields: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_product_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_product_name(obj) -> str:
        return obj.product.name


class AssetIn(Schema):
    product_id: int
    serial_number: str
    organization_id: int
    external_id: str | None = None
    site_id: int | None = None
    install_date: datetime.date | None = None
    warranty_end: datetime.date | None = None
    status: str = "active"
    vendor_id: int | None = None
    notes: str = ""
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class AssetPatch(Schema):
    product_id: int | None = None
    serial_number: str | None = None
    organization_id: int | None = None
    external_id: str | None = None
    site_id: int | None = None
    install_date: datetime.date | None = None
    warranty_end: datetime.date | None = None
    status: str | None = None
    vendor_id: int | None = None
    notes: str | None = None
    custom_fields: dict[str, Any] | None = None


class TimelineEventOut(Schema):
    id: int
    kind: str
    verb: str
    title: str
    body: str
    data: dict[str, Any]
    occurred_at: datetime.datetime
    actor_id: int | None
    actor_name: str | None
    organization_id: int | None
    contact_id: int | None
    site_id: int | None
    source_type: str
    source_id: str

    @staticmethod
    def resolve_actor_name(obj) -> str | None:
        if obj.actor is None:
            return None
        return obj.actor.display_name


class NoteIn(Schema):
    text: str


class CallIn(Schema):
    direction: str = Field(..., description="inbound or outbound")
    number: str = ""
    summary: str = ""
    duration_seconds: int | None = None
    occurred_at: datetime.datetime | None = None
