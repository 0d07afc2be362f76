"""The customer-master pages: access rules, lists, forms, the 360° pages and their timelines."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kefu.core.models import CustomFieldDefinition
from kefu.customers.models import (
    Contact,
    ContactIdentity,
    ContactMembership,
    Organization,
    Product,
    Site,
    TimelineEvent,
)
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


@pytest.fixture
def records():
    organization = OrganizationFactory(tier=TierFactory())
    site = SiteFactory(organization=organization)
    contact = ContactFactory(primary_organization=organization)
    IdentityFactory(contact=contact, value="li.lei@example.cn")
    asset = AssetFactory(organization=organization, site=site)
    TimelineEventFactory(organization=organization, contact=contact)
    return {
        "organization": organization,
        "site": site,
        "contact": contact,
        "asset": asset,
        "product": asset.product,
    }


def page_urls(records):
    return [
        reverse("customers:organization_list"),
        reverse("customers:organization_detail", args=[records["organization"].pk]),
        reverse("customers:site_list", args=[records["organization"].pk]),
        reverse("customers:site_detail", args=[records["site"].pk]),
        reverse("customers:contact_list"),
        reverse("customers:contact_detail", args=[records["contact"].pk]),
        reverse("customers:product_list"),
        reverse("customers:product_detail", args=[records["product"].pk]),
        reverse("customers:asset_list"),
        reverse("customers:asset_detail", args=[records["asset"].pk]),
        reverse("customers:contact_create"),
        reverse("customers:site_create", args=[records["organization"].pk]),
        reverse("customers:asset_create"),
        reverse("customers:lookup", args=["organization"]) + "?lookup=上海",
    ]


def test_every_page_renders_for_an_agent(client, agent, records):
    client.force_login(agent)
    for url in page_urls(records):
        response = client.get(url)
        assert response.status_code == 200, url


def test_every_page_renders_in_chinese(client, agent, records):
    client.force_login(agent)
    client.cookies["kefu_language"] = "zh-hans"
    response = client.get(
        reverse("customers:organization_detail", args=[records["organization"].pk])
    )
    assert response.status_code == 200
    assert "添加站点" in response.content.decode()
    assert "添加联系人" in response.content.decode()


def test_anonymous_is_sent_to_login(client, records):
    for url in page_urls(records):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_portal_user_is_forbidden(client, make_user, records):
    client.force_login(make_user(None))
    for url in page_urls(records):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("customers:timeline_note_add", args=["organization", records["organization"].pk]),
        {"text": "portal note"},
    )
    assert response.status_code == 403
    assert not TimelineEvent.objects.filter(body="portal note").exists()


def test_agent_without_change_permission_cannot_edit_a_product(client, agent, records):
    product = records["product"]
    client.force_login(agent)
    url = reverse("customers:product_edit", args=[product.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"sku": "CHANGED", "name": "Changed", "currency": "CNY"})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.sku != "CHANGED"


def test_agent_cannot_create_or_delete_organizations(client, agent, records):
    client.force_login(agent)
    response = client.post(reverse("customers:organization_create"), {"name": "Nope"})
    assert response.status_code == 403
    assert not Organization.objects.filter(name="Nope").exists()
    organization = records["organization"]
    response = client.post(reverse("customers:organization_delete", args=[organization.pk]))
    assert response.status_code == 403
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_create_organization_site_and_contact_with_two_identities(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("customers:organization_list"))
    assert "New organization" in response.content.decode()

    response = client.post(
        reverse("customers:organization_create"),
        {"name": "杭州云端科技有限公司", "status": "active", "tags": "vip, 华东"},
    )
    organization = Organization.objects.get(name="杭州云端科技有限公司")
    assert response.status_code == 302
    assert response["Location"] == organization.get_absolute_url()
    assert sorted(t.name for t in organization.tags.all()) == ["vip", "华东"]

    response = client.post(
        reverse("customers:site_create", args=[organization.pk]),
        {"name": "西湖门店", "city": "杭州", "country": "CN", "time_zone": "Asia/Shanghai"},
    )
    assert response.status_code == 302
    assert Site.objects.filter(organization=organization, name="西湖门店", city="杭州").exists()

    form_page = client.get(reverse("customers:contact_create") + f"?organization={organization.pk}")
    assert form_page.context["membership_set"].initial[0]["organization"] == organization.pk
    response = client.post(
        reverse("customers:contact_create") + f"?organization={organization.pk}",
        contact_post_data(
            name="王芳",
            identities=[("email", "Wang.Fang@Example.CN"), ("phone", "138 0013 8000")],
            organization=organization,
        ),
    )
    contact = Contact.objects.get(name="王芳")
    assert response.status_code == 302
    assert sorted(contact.identities.values_list("kind", "normalized")) == [
        ("email", "wang.fang@example.cn"),
        ("phone", "+8613800138000"),
    ]
    membership = ContactMembership.objects.get(contact=contact)
    assert (membership.organization_id, membership.is_primary, membership.title) == (
        organization.pk,
        True,
        "IT 经理",
    )

    page = client.get(organization.get_absolute_url()).content.decode()
    assert "西湖门店" in page
    assert "王芳" in page
    assert 'id="timeline"' in page


def contact_post_data(*, name, identities, organization=None, extra_rows=0):
    data = {"name": name, "preferred_language": "zh-hans", "preferred_channel": "email"}
    rows = list(identities) + [("email", "")] * extra_rows
    data["identities-TOTAL_FORMS"] = str(len(rows))
    data["identities-INITIAL_FORMS"] = "0"
    for index, (kind, value) in enumerate(rows):
        data[f"identities-{index}-kind"] = kind
        data[f"identities-{index}-value"] = value
    data["memberships-TOTAL_FORMS"] = "1"
    data["memberships-INITIAL_FORMS"] = "0"
    if organization is not None:
        data["memberships-0-organization"] = str(organization.pk)
        data["memberships-0-title"] = "IT 经理"
        data["memberships-0-is_primary"] = "on"
    return data


def test_duplicate_identity_shows_a_link_to_its_owner(client, supervisor):
    owner = ContactFactory(name="李雷")
    IdentityFactory(contact=owner, kind="email", value="li.lei@example.cn")
    client.force_login(supervisor)
    response = client.post(
        reverse("customers:contact_create"),
        contact_post_data(
            name="韩梅梅",
            identities=[("phone", "13900139000"), ("email", "LI.LEI@example.cn")],
        ),
    )
    assert response.status_code == 200
    row = response.context["identity_set"].forms[1]
    assert row.errors["value"]
    html = response.content.decode()
    assert f'href="{owner.get_absolute_url()}"' in html
    assert "李雷" in html
    assert not Contact.objects.filter(name="韩梅梅").exists()
    assert not ContactIdentity.objects.filter(normalized="+8613900139000").exists()


def test_bad_identity_value_is_shown_on_its_row_and_nothing_is_written(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("customers:contact_create"),
        contact_post_data(
            name="赵强", identities=[("email", "zhao@example.cn"), ("phone", "not a phone")]
        ),
    )
    assert response.status_code == 200
    assert response.context["identity_set"].forms[1].errors["value"]
    assert not response.context["identity_set"].forms[0].errors
    assert not Contact.objects.filter(name="赵强").exists()


def test_organization_form_shows_service_errors_inline(client, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("customers:organization_create"), {"name": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Organization.objects.count() == 0


@pytest.fixture
def size_field(db):
    return CustomFieldDefinition.objects.create(
        target="customers.organization",
        key="store_count",
        label="Store count",
        label_zh_hans="门店数量",
        field_type="choice",
        choices=[
            {"value": "small", "label": "Under 10", "label_zh_hans": "10 家以下"},
            {"value": "large", "label": "100 or more", "label_zh_hans": "100 家以上"},
        ],
    )


def test_custom_field_on_form_detail_and_list_filter(client, supervisor, size_field):
    client.force_login(supervisor)
    form_page = client.get(reverse("customers:organization_create")).content.decode()
    assert 'name="cf_store_count"' in form_page
    response = client.post(
        reverse("customers:organization_create"),
        {"name": "连锁超市", "status": "active", "cf_store_count": "large"},
    )
    assert response.status_code == 302
    chain = Organization.objects.get(name="连锁超市")
    assert chain.custom_fields == {"store_count": "large"}
    OrganizationFactory(name="街角小店", custom_fields={"store_count": "small"})

    detail = client.get(chain.get_absolute_url()).content.decode()
    assert "Store count" in detail
    assert "100 or more" in detail

    listed = client.get(reverse("customers:organization_list"), {"cf_store_count": "large"})
    names = [o.name for o in listed.context["page"].rows]
    assert names == ["连锁超市"]


def test_required_custom_field_error_is_shown_on_the_field(client, supervisor, size_field):
    size_field.is_required = True
    size_field.save()
    client.force_login(supervisor)
    response = client.post(reverse("customers:organization_create"), {"name": "缺字段公司"})
    assert response.status_code == 200
    assert response.context["form"].errors["cf_store_count"]
    assert not Organization.objects.filter(name="缺字段公司").exists()


def test_lists_filter_and_sort(client, agent):
    gold = TierFactory()
    OrganizationFactory(name="Alpha", status="active", tier=gold, industry="retail")
    OrganizationFactory(name="Beta", status="prospect")
    OrganizationFactory(name="Gamma", status="active", industry="retail")
    client.force_login(agent)
    url = reverse("customers:organization_list")
    names = lambda response: [o.name for o in response.context["page"].rows]  # noqa: E731
    assert names(client.get(url, {"status": "active"})) == ["Alpha", "Gamma"]
    assert names(client.get(url, {"status": "active", "sort": "-name"})) == ["Gamma", "Alpha"]
    assert names(client.get(url, {"tier": gold.pk})) == ["Alpha"]
    assert names(client.get(url, {"q": "amm"})) == ["Gamma"]
    # An unknown sort key falls back to the default instead of failing.
    assert names(client.get(url, {"sort": "password"})) == ["Alpha", "Beta", "Gamma"]


def test_contact_list_finds_by_identity(client, agent):
    IdentityFactory(contact=ContactFactory(name="孙丽"), value="sun.li@example.cn")
    ContactFactory(name="周杰")
    client.force_login(agent)
    response = client.get(reverse("customers:contact_list"), {"q": "sun.li@"})
    assert [c.name for c in response.context["page"].rows] == ["孙丽"]


def test_htmx_filter_returns_only_the_table(client, agent, records):
    client.force_login(agent)
    response = client.get(
        reverse("customers:organization_list"),
        {"q": records["organization"].name},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="list-results"')
    assert records["organization"].name in html
    assert "<html" not in html


def test_pagination_pages_and_page_sizes(client, agent):
    for index in range(30):
        OrganizationFactory(name=f"Org {index:02d}")
    client.force_login(agent)
    url = reverse("customers:organization_list")
    first = client.get(url)
    assert len(first.context["page"].rows) == 25
    assert first.context["page"].has_next
    assert first.context["page"].count == 30
    second = client.get(url, {"page": 2})
    assert [o.name for o in second.context["page"].rows] == [f"Org {i}" for i in range(25, 30)]
    assert len(client.get(url, {"per_page": 50}).context["page"].rows) == 30
    # A page size outside 25/50/100 is ignored.
    assert client.get(url, {"per_page": 7}).context["page"].per_page == 25


LIST_CASES = [
    ("customers:organization_list", lambda i, org: OrganizationFactory(owner=None)),
    ("customers:contact_list", lambda i, org: IdentityFactory(contact=ContactFactory()).contact),
    ("customers:asset_list", lambda i, org: AssetFactory(organization=org)),
    ("customers:product_list", lambda i, org: ProductFactory()),
]


@pytest.mark.parametrize("url_name,make", LIST_CASES)
def test_list_query_count_does_not_grow_with_the_page(client, agent, url_name, make):
    organization = OrganizationFactory(tier=TierFactory())
    client.force_login(agent)
    url = reverse(url_name)
    for index in range(3):
        make(index, organization)
    client.get(url)  # the configuration snapshots (custom field definitions) are built once
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"per_page": 100}).status_code == 200
    for index in range(3, 60):
        make(index, organization)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, {"per_page": 100}).status_code == 200
    assert len(large) == len(small)
    assert len(large) <= 16


def test_site_list_query_count_is_fixed(client, agent):
    organization = OrganizationFactory()
    client.force_login(agent)
    url = reverse("customers:site_list", args=[organization.pk])
    SiteFactory(
        organization=organization, contact_person=ContactFactory(primary_organization=organization)
    )
    client.get(url)  # the configuration snapshots (custom field definitions) are built once
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _index in range(40):
        SiteFactory(
            organization=organization,
            contact_person=ContactFactory(primary_organization=organization),
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url, {"per_page": 50})
    assert len(large) == len(small)


def test_quick_note_and_call_land_on_the_timeline(client, agent, records):
    organization = records["organization"]
    client.force_login(agent)
    response = client.post(
        reverse("customers:timeline_note_add", args=["organization", organization.pk]),
        {"text": "客户要求下周上门检修"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "客户要求下周上门检修" in response.content.decode()
    note = TimelineEvent.objects.get(kind="note", body="客户要求下周上门检修")
    assert (note.organization_id, note.actor_id) == (organization.pk, agent.pk)

    contact = records["contact"]
    response = client.post(
        reverse("customers:timeline_call_log", args=["contact", contact.pk]),
        {
            "direction": "inbound",
            "number": "13800138000",
            "duration_minutes": "3",
            "summary": "报修",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    call = TimelineEvent.objects.get(kind="call")
    assert (call.contact_id, call.organization_id) == (contact.pk, organization.pk)
    assert call.data["duration_seconds"] == 180


def test_empty_note_shows_an_inline_error_and_writes_nothing(client, agent, records):
    organization = records["organization"]
    client.force_login(agent)
    before = TimelineEvent.objects.count()
    response = client.post(
        reverse("customers:timeline_note_add", args=["organization", organization.pk]),
        {"text": "   "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["note_form"].errors["text"]
    assert 'class="errorlist"' in response.content.decode()
    assert TimelineEvent.objects.count() == before


def test_bad_call_number_shows_an_inline_error(client, agent, records):
    client.force_login(agent)
    response = client.post(
        reverse("customers:timeline_call_log", args=["organization", records["organization"].pk]),
        {"direction": "outbound", "number": "abc"},
        HTTP_HX_REQUEST="true",
    )
    assert response.context["call_form"].errors["number"]
    assert not TimelineEvent.objects.filter(kind="call").exists()


def test_timeline_loads_more_by_keyset_newest_first(client, agent):
    organization = OrganizationFactory()
    start = timezone.now() - datetime.timedelta(days=1)
    # 45 events, five of which share one timestamp: the cursor must not skip or repeat ties.
    stamps = [start + datetime.timedelta(minutes=i) for i in range(40)] + [start] * 5
    TimelineEvent.objects.bulk_create(
        TimelineEvent(kind="note", title=f"e{i}", occurred_at=stamp, organization=organization)
        for i, stamp in enumerate(stamps)
    )
    client.force_login(agent)
    page = client.get(organization.get_absolute_url())
    seen = [e.pk for e in page.context["events"]]
    cursor = page.context["cursor"]
    while cursor:
        more = client.get(
            reverse("customers:timeline_more", args=["organization", organization.pk]),
            {"before": cursor},
        )
        assert more.status_code == 200
        seen.extend(e.pk for e in more.context["events"])
        cursor = more.context["cursor"]
    expected = list(
        TimelineEvent.objects.filter(organization=organization)
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected


def test_organization_panels_paginate(client, agent):
    organization = OrganizationFactory()
    for index in range(30):
        SiteFactory(organization=organization, name=f"Site {index:02d}")
    client.force_login(agent)
    response = client.get(
        reverse("customers:organization_panel", args=[organization.pk, "sites"]), {"page": 3}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Site 29" in html
    assert "Site 19" not in html


def test_audit_history_is_shown_only_to_those_allowed(client, agent, admin_user, supervisor):
    client.force_login(supervisor)
    client.post(reverse("customers:organization_create"), {"name": "审计公司", "status": "active"})
    organization = Organization.objects.get(name="审计公司")
    client.post(
        reverse("customers:organization_edit", args=[organization.pk]),
        {"name": "审计公司", "status": "former"},
    )
    client.force_login(admin_user)
    page = client.get(organization.get_absolute_url()).content.decode()
    assert 'id="audit-history"' in page
    assert supervisor.display_name in page
    client.force_login(agent)
    page = client.get(organization.get_absolute_url()).content.decode()
    assert 'id="audit-history"' not in page


def test_delete_is_refused_with_a_message_when_the_service_says_no(client, admin_user):
    parent = OrganizationFactory(name="集团")
    OrganizationFactory(name="子公司", parent=parent)
    client.force_login(admin_user)
    response = client.post(reverse("customers:organization_delete", args=[parent.pk]))
    assert response.status_code == 200
    assert response.context["error"]
    assert Organization.objects.filter(pk=parent.pk).exists()


def test_product_and_asset_forms_create_rows(client, admin_user):
    organization = OrganizationFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("customers:product_create"),
        {"sku": "POS-100", "name": "收银机", "currency": "CNY", "is_active": "on"},
    )
    assert response.status_code == 302
    product = Product.objects.get(sku="POS-100")
    response = client.post(
        reverse("customers:asset_create"),
        {
            "product": product.pk,
            "serial_number": "SN-1",
            "organization": organization.pk,
            "status": "active",
            "install_date": "2026-01-10",
            "warranty_end": "2025-01-10",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["warranty_end"]
    assert not product.assets.exists()


def test_tier_settings_create_and_edit(client, admin_user, agent):
    client.force_login(agent)
    assert client.get(reverse("customers:tier_list")).status_code == 403
    client.force_login(admin_user)
    response = client.post(
        reverse("customers:tier_create"),
        {
            "key": "strategic",
            "name": "Strategic",
            "name_zh_hans": "战略",
            "rank": 1,
            "color": "#7c3aed",
        },
    )
    assert response.status_code == 302
    from kefu.customers.models import OrganizationTier

    tier = OrganizationTier.objects.get(key="strategic")
    assert tier.name_zh_hans == "战略"
    response = client.post(
        reverse("customers:tier_create"),
        {"key": "strategic", "name": "Again", "rank": 1, "color": "#7c3aed"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["key"]


def edit_post_data(contact, *, identities, organizations):
    data = {
        "name": contact.name,
        "preferred_language": contact.preferred_language,
        "preferred_channel": contact.preferred_channel,
        "is_active": "on",
        "identities-TOTAL_FORMS": str(len(identities)),
        "identities-INITIAL_FORMS": "0",
        "memberships-TOTAL_FORMS": str(len(organizations)),
        "memberships-INITIAL_FORMS": "0",
    }
    for index, (kind, value, delete) in enumerate(identities):
        data[f"identities-{index}-kind"] = kind
        data[f"identities-{index}-value"] = value
        if delete:
            data[f"identities-{index}-DELETE"] = "on"
    for index, (organization, title, primary) in enumerate(organizations):
        data[f"memberships-{index}-organization"] = str(organization.pk)
        data[f"memberships-{index}-title"] = title
        if primary:
            data[f"memberships-{index}-is_primary"] = "on"
    return data


def test_contact_edit_replaces_identities_and_memberships(client, agent):
    first, second = OrganizationFactory(name="甲公司"), OrganizationFactory(name="乙公司")
    contact = ContactFactory(name="陈静", primary_organization=first)
    IdentityFactory(contact=contact, kind="email", value="chen.jing@example.cn")
    IdentityFactory(contact=contact, kind="email", value="old@example.cn")
    client.force_login(agent)
    form_page = client.get(reverse("customers:contact_edit", args=[contact.pk]))
    assert form_page.status_code == 200
    assert "chen.jing@example.cn" in form_page.content.decode()
    response = client.post(
        reverse("customers:contact_edit", args=[contact.pk]),
        edit_post_data(
            contact,
            identities=[
                ("email", "chen.jing@example.cn", False),
                ("email", "old@example.cn", True),
                ("wechat", "chenjing_wx", False),
            ],
            organizations=[(first, "采购", False), (second, "顾问", True)],
        ),
    )
    assert response.status_code == 302
    assert sorted(contact.identities.values_list("kind", "normalized")) == [
        ("email", "chen.jing@example.cn"),
        ("wechat", "chenjing_wx"),
    ]
    contact.refresh_from_db()
    assert contact.primary_organization_id == second.pk
    assert sorted(contact.memberships.values_list("title", flat=True)) == ["采购", "顾问"]


def test_technician_cannot_edit_a_contact(client, make_user):
    contact = ContactFactory(name="原名")
    client.force_login(make_user("technician"))
    url = reverse("customers:contact_edit", args=[contact.pk])
    assert client.get(url).status_code == 403
    response = client.post(
        url, edit_post_data(contact, identities=[], organizations=[]) | {"name": "改名"}
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.name == "原名"


def test_organization_edit_changes_fields_tags_and_parent(client, agent):
    parent = OrganizationFactory(name="集团总部")
    organization = OrganizationFactory(name="分公司")
    client.force_login(agent)
    form_page = client.get(reverse("customers:organization_edit", args=[organization.pk]))
    assert form_page.status_code == 200
    response = client.post(
        reverse("customers:organization_edit", args=[organization.pk]),
        {"name": "华南分公司", "status": "prospect", "parent": parent.pk, "tags": "重点"},
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name, organization.status, organization.parent_id) == (
        "华南分公司",
        "prospect",
        parent.pk,
    )
    assert [t.name for t in organization.tags.all()] == ["重点"]
    # A cycle is refused on the parent field.
    response = client.post(
        reverse("customers:organization_edit", args=[parent.pk]),
        {"name": "集团总部", "status": "active", "parent": organization.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_site_edit_and_asset_create(client, agent):
    organization = OrganizationFactory()
    site = SiteFactory(organization=organization, name="旧名")
    product = ProductFactory()
    client.force_login(agent)
    response = client.post(
        reverse("customers:site_edit", args=[site.pk]),
        {"name": "新名", "country": "CN", "time_zone": "Asia/Shanghai", "is_active": "on"},
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "新名"
    response = client.post(
        reverse("customers:asset_create"),
        {
            "product": product.pk,
            "serial_number": "SN-900",
            "organization": organization.pk,
            "site": site.pk,
            "status": "active",
        },
    )
    assert response.status_code == 302
    asset = product.assets.get()
    assert (asset.serial_number, asset.site_id) == ("SN-900", site.pk)


def test_lookup_returns_matching_options(client, agent, make_user):
    OrganizationFactory(name="深圳华星光电")
    OrganizationFactory(name="北京燕山石化")
    client.force_login(agent)
    response = client.get(reverse("customers:lookup", args=["organization"]), {"lookup": "华星"})
    html = response.content.decode()
    assert "深圳华星光电" in html
    assert "北京燕山石化" not in html
    assert client.get(reverse("customers:lookup", args=["nothing"])).status_code == 404
    client.force_login(make_user(None))
    assert client.get(reverse("customers:lookup", args=["organization"])).status_code == 403


def test_consent_is_recorded_and_shown_with_history(client, agent):
    contact = ContactFactory()
    client.force_login(agent)
    url = reverse("customers:contact_consent_add", args=[contact.pk])
    client.post(url, {"channel": "sms", "is_granted": "1"})
    client.post(url, {"channel": "sms", "is_granted": "0", "note": "客户来电撤回"})
    records = list(
        contact.consents.order_by("recorded_at", "id").values_list("is_granted", "source")
    )
    assert records == [(True, "agent"), (False, "agent")]
    page = client.get(contact.get_absolute_url())
    assert [r.is_granted for r in page.context["consent_current"]] == [False]
    assert "客户来电撤回" in page.content.decode()


def test_contact_history_includes_its_identities(client, supervisor, admin_user):
    client.force_login(supervisor)
    client.post(
        reverse("customers:contact_create"),
        contact_post_data(name="历史联系人", identities=[("email", "history@example.cn")]),
    )
    contact = Contact.objects.get(name="历史联系人")
    client.force_login(admin_user)
    html = client.get(contact.get_absolute_url()).content.decode()
    history = html[html.index('id="audit-history"') :]
    assert "history@example.cn" in history
    assert supervisor.display_name in history


def test_360_page_query_count_does_not_grow_with_history(client, agent):
    organization = OrganizationFactory(tier=TierFactory())
    client.force_login(agent)

    def add(count):
        for _index in range(count):
            contact = ContactFactory(primary_organization=organization)
            SiteFactory(organization=organization, contact_person=contact)
            AssetFactory(organization=organization)
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                kind="note",
                title="note",
                occurred_at=timezone.now(),
                organization=organization,
                contact=contact,
            )
            for _index in range(count * 10)
        )

    add(2)
    client.get(organization.get_absolute_url())  # builds the per-process configuration snapshots
    with CaptureQueriesContext(connection) as small:
        assert client.get(organization.get_absolute_url()).status_code == 200
    add(30)
    with CaptureQueriesContext(connection) as large:
        assert client.get(organization.get_absolute_url()).status_code == 200
    assert len(large) == len(small)
