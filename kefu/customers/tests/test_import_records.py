import pytest
from auditlog.models import LogEntry

from kefu.customers.importexport.importer import import_file
from kefu.customers.models import Asset, Organization, Site
from kefu.customers.tests.factories import OrganizationFactory, ProductFactory, TierFactory

pytestmark = pytest.mark.django_db


def _csv(text: str) -> bytes:
    return text.encode()


def test_organization_import_resolves_parent_and_tier_in_file_order(admin_user):
    TierFactory(key="gold")
    data = _csv(
        "external_id,name,parent_external_id,tier,industry,tags\n"
        "G-1,瑞丰零售集团,,gold,retail,vip|华东\n"
        "G-2,瑞丰超市（上海）,G-1,gold,retail,\n"
    )
    result, _ = import_file("organizations", data, actor=admin_user, dry_run=False)
    assert result.is_ok, result.errors
    child = Organization.objects.get(external_id="G-2")
    assert child.parent.external_id == "G-1"
    assert child.tier.key == "gold"
    assert sorted(t.name for t in Organization.objects.get(external_id="G-1").tags.all()) == [
        "vip",
        "华东",
    ]
    entry = LogEntry.objects.get_for_object(child).get()
    assert entry.actor == admin_user
    assert entry.additional_data["source"] == "import"


def test_organization_dry_run_reports_unknown_references_and_writes_nothing():
    data = _csv(
        "external_id,name,parent_external_id,tier,owner,status,is_vendor\n"
        "G-1,A,NOPE,platinum,ghost,prospect,maybe\n"
        "G-2,B,,,,dormant,\n"
    )
    result, _ = import_file("organizations", data)
    assert {(e["line"], e["column"]) for e in result.errors} == {
        (2, "parent_external_id"),
        (2, "tier"),
        (2, "owner"),
        (2, "is_vendor"),
        (3, "status"),
    }
    assert Organization.objects.count() == 0


def test_organization_reimport_updates_and_keeps_unmentioned_values():
    OrganizationFactory(external_id="G-1", name="旧名", phone="+86 21 5555 0000")
    result, _ = import_file(
        "organizations", _csv("external_id,name,phone\nG-1,新名,\n"), dry_run=False
    )
    assert (result.created, result.updated) == (0, 1)
    organization = Organization.objects.get()
    assert (organization.name, organization.phone) == ("新名", "+86 21 5555 0000")


def test_organization_import_is_all_or_nothing():
    data = _csv("external_id,name,status\nG-1,A,active\nG-2,B,bogus\n")
    result, _ = import_file("organizations", data, dry_run=False)
    assert not result.is_ok
    assert Organization.objects.count() == 0


def test_site_import_needs_a_known_organization_and_updates_by_external_id():
    OrganizationFactory(external_id="ORG-1")
    data = _csv(
        "external_id,organization_external_id,name,city\nS-1,ORG-1,浦东店,上海\nS-2,ORG-X,x,\n"
    )
    result, _ = import_file("sites", data, dry_run=False)
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, "organization_external_id")]
    assert Site.objects.count() == 0
    result, _ = import_file(
        "sites",
        _csv("external_id,organization_external_id,name\nS-1,ORG-1,浦东店\n"),
        dry_run=False,
    )
    assert result.created == 1
    result, _ = import_file(
        "sites",
        _csv("external_id,organization_external_id,name\nS-1,ORG-1,浦东新店\n"),
        dry_run=False,
    )
    assert result.updated == 1
    assert Site.objects.get().name == "浦东新店"


def test_asset_import_matches_on_sku_and_serial_and_checks_the_vendor():
    OrganizationFactory(external_id="ORG-1")
    OrganizationFactory(external_id="NOT-VENDOR")
    ProductFactory(sku="POS-1")
    header = "product_sku,serial_number,organization_external_id,install_date,warranty_end,vendor_external_id\n"
    bad = _csv(
        header + "POS-1,SN1,ORG-1,2024-05-01,2023-01-01,NOT-VENDOR\nPOS-9,SN2,ORG-1,not-a-date,,\n"
    )
    result, _ = import_file("assets", bad, dry_run=False)
    assert {(e["line"], e["column"]) for e in result.errors} == {
        (2, "vendor_external_id"),
        (2, "warranty_end"),
        (3, "product_sku"),
    }
    good = _csv(header + "POS-1,SN1,ORG-1,2024-05-01,2027-05-01,\n")
    assert import_file("assets", good, dry_run=False)[0].created == 1
    again = _csv(header + "POS-1,SN1,ORG-1,2024-05-01,2028-05-01,\n")
    assert import_file("assets", again, dry_run=False)[0].updated == 1
    assert str(Asset.objects.get().warranty_end) == "2028-05-01"


def test_asset_with_an_invalid_date_is_reported_on_its_column():
    OrganizationFactory(external_id="ORG-1")
    ProductFactory(sku="POS-1")
    data = _csv(
        "product_sku,serial_number,organization_external_id,install_date\nPOS-1,SN1,ORG-1,31/12/2024\n"
    )
    result, _ = import_file("assets", data, dry_run=False)
    assert [(e["line"], e["column"]) for e in result.errors] == [(2, "install_date")]
