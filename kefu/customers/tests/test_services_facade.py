import pytest

from kefu.customers import facade
from kefu.customers.models import Contact, ContactIdentity
from kefu.customers.services import contact_create, organization_create, tier_create

pytestmark = pytest.mark.django_db


def test_find_by_identity_matches_any_phone_format(agent):
    contact = contact_create(
        actor=agent, name="李娜", identities=[{"kind": "phone", "value": "13800138000"}]
    )
    assert facade.contact_find_by_identity("phone", "+86 138-0013-8000") == contact.pk
    assert facade.contact_find_by_identity("phone", "0086 13800138000") == contact.pk
    assert facade.contact_find_by_identity("phone", "not a number") is None


def test_find_by_identity_ignores_email_case(agent):
    contact = contact_create(
        actor=agent, name="Li Na", identities=[{"kind": "email", "value": "Li.Na@Example.CN"}]
    )
    assert facade.contact_find_by_identity("email", " li.na@example.cn ") == contact.pk


def test_resolve_or_create_creates_contact_in_organization_of_email_domain(agent):
    org = organization_create(actor=agent, name="华为", email_domains="Huawei.com, @hw.cn")
    contact_id = facade.contact_resolve_or_create(actor=agent, email="Wang.Fang@HW.cn", name="王芳")
    summary = facade.contact_get_summary(contact_id)
    assert summary["name"] == "王芳"
    assert summary["organization_id"] == org.pk
    assert summary["email"] == "Wang.Fang@HW.cn"
    assert facade.contact_resolve_or_create(actor=agent, email="wang.fang@hw.cn") == contact_id
    assert Contact.objects.count() == 1


def test_resolve_or_create_ignores_partial_domain_match(agent):
    organization_create(actor=agent, name="Example", email_domains="example.cn")
    contact_id = facade.contact_resolve_or_create(actor=agent, email="a@mail.example.cn.com")
    assert facade.contact_get_summary(contact_id)["organization_id"] is None


def test_resolve_or_create_adds_unowned_phone_to_contact_found_by_email(agent):
    contact_id = facade.contact_resolve_or_create(actor=agent, email="a@example.cn")
    again = facade.contact_resolve_or_create(
        actor=agent, email="a@example.cn", phone="138 0013 8000"
    )
    assert again == contact_id
    assert ContactIdentity.objects.get(kind="phone").normalized == "+8613800138000"


def test_resolve_or_create_without_identity_is_refused(agent):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        facade.contact_resolve_or_create(actor=agent, email="", phone="")
    assert Contact.objects.count() == 0


def test_organization_summary_has_tier_and_owner(agent):
    tier = tier_create(actor=agent, key="strategic", name="Strategic", name_zh_hans="战略", rank=1)
    org = organization_create(actor=agent, name="ACME", tier_id=tier.pk, owner_id=agent.pk)
    summary = facade.organization_get_summary(org.pk)
    assert summary["tier_key"] == "strategic"
    assert summary["tier_rank"] == 1
    assert summary["owner_id"] == agent.pk
    assert facade.organization_get_summary(org.pk + 999) is None


def test_contact_and_organization_summaries_match_the_single_summaries(agent):
    """The ticket create's combined read (columns and the tier snapshot) says what the
    one-record summaries say, and follows a tier's rename at once."""
    from django.utils import translation

    tier = tier_create(actor=agent, key="gold", name="Gold", name_zh_hans="金牌", rank=2)
    org = organization_create(actor=agent, name="华为", tier_id=tier.pk, phone="021-1234 5678")
    other = organization_create(actor=agent, name="Other")
    contact = contact_create(
        actor=agent,
        name="王芳",
        identities=[
            {"kind": "email", "value": "wang@example.cn", "is_primary": True},
            {"kind": "phone", "value": "13800138001"},
        ],
        organizations=[{"organization_id": org.pk}],
    )
    with translation.override("zh-hans"):
        summary, organization = facade.contact_and_organization_summaries(contact.pk)
        assert summary == facade.contact_get_summary(contact.pk)
        assert organization == facade.organization_get_summary(org.pk)
        assert organization["tier_label"] == "金牌"
    # Booleans as booleans (SQLite answers plain SQL with 0 and 1): the API shows them.
    assert summary["is_active"] is True and organization["is_vendor"] is False
    assert [i["is_primary"] for i in summary["identities"]] == [True, True]  # one per kind
    assert facade.contact_and_organization_summaries(contact.pk, organization_id=other.pk)[
        1
    ] == facade.organization_get_summary(other.pk)

    tier.name = "Gold+"
    tier.save()
    assert facade.contact_and_organization_summaries(contact.pk)[1]["tier_label"] == "Gold+"
    loner = contact_create(
        actor=agent, name="Solo", identities=[{"kind": "email", "value": "solo@example.cn"}]
    )
    summary, organization = facade.contact_and_organization_summaries(loner.pk)
    assert organization is None and summary == facade.contact_get_summary(loner.pk)
    assert summary["organization_name"] is None
    assert facade.contact_and_organization_summaries(loner.pk + 999) == (None, None)


def test_phone_lookup_finds_contact_and_organizations(agent):
    org = organization_create(actor=agent, name="总机公司", phone="021-6888 1234")
    member_org = organization_create(actor=agent, name="成员公司")
    contact = contact_create(
        actor=agent,
        name="赵敏",
        identities=[{"kind": "phone", "value": "+86 138-0013-8000"}],
        organizations=[{"organization_id": member_org.pk}],
    )
    result = facade.phone_lookup("13800138000")
    assert result["number"] == "+8613800138000"
    assert [c["id"] for c in result["contacts"]] == [contact.pk]
    assert [o["id"] for o in result["organizations"]] == [member_org.pk]
    switchboard = facade.phone_lookup("+86 21 6888 1234")
    assert [o["id"] for o in switchboard["organizations"]] == [org.pk]


def test_site_and_asset_summaries(agent):
    from kefu.customers.tests.factories import AssetFactory, SiteFactory

    site = SiteFactory()
    asset = AssetFactory(organization=site.organization, site=site)
    assert facade.site_get_summary(site.pk)["organization_id"] == site.organization_id
    assert facade.asset_get_summary(asset.pk)["site_name"] == site.name
    assert facade.site_get_summary(0) is None
    assert facade.asset_get_summary(0) is None


def test_site_assets_lists_in_service_first_with_a_limit():
    from kefu.customers.tests.factories import AssetFactory, SiteFactory

    site = SiteFactory()
    AssetFactory(organization=site.organization, site=site, serial_number="A1", status="retired")
    AssetFactory(organization=site.organization, site=site, serial_number="B2")
    AssetFactory(organization=site.organization, serial_number="C3")
    assets = facade.site_assets(site.pk, limit=5)
    assert [a["serial_number"] for a in assets] == ["B2", "A1"]
    assert len(facade.site_assets(site.pk, limit=1)) == 1
    by_org = facade.organization_assets(site.organization_id)
    assert [a["serial_number"] for a in by_org] == ["B2", "C3", "A1"]


def test_identity_mark_undeliverable_flags_matching_identity_once(agent):
    contact_create(actor=agent, name="X", identities=[{"kind": "email", "value": "B@example.cn"}])
    assert facade.identity_mark_undeliverable(kind="email", value="b@EXAMPLE.cn") == 1
    assert facade.identity_mark_undeliverable(kind="email", value="b@example.cn") == 0
    assert ContactIdentity.objects.get().is_undeliverable is True
    assert facade.identity_mark_undeliverable(kind="email", value="nobody") == 0
    summary = facade.contact_get_summary(Contact.objects.get().pk)
    assert summary["identities"][0]["is_undeliverable"] is True


@pytest.mark.django_db(transaction=True)
def test_concurrent_resolve_of_new_address_yields_one_contact():
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    ids: list[int] = []

    def resolve():
        try:
            barrier.wait(timeout=5)
            ids.append(facade.contact_resolve_or_create(actor=None, email="race@example.cn"))
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(ids) == 2
    assert ids[0] == ids[1]
    assert Contact.objects.count() == 1
