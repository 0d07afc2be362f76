import json

import pytest

from kefu.core.models import CustomFieldDefinition
from kefu.customers.models import Asset, Product, Site
from kefu.customers.tests.factories import (
    AssetFactory,
    OrganizationFactory,
    ProductFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_site_crud(api, supervisor):
    org = OrganizationFactory()
    client = api(supervisor)
    response = post(
        client,
        "/api/v1/sites",
        {"organization_id": org.pk, "name": "杭州仓库", "city": "杭州", "region": "浙江省"},
    )
    assert response.status_code == 201
    site_id = response.json()["id"]
    response = patch(client, f"/api/v1/sites/{site_id}", {"code": "HZ-01"})
    assert response.json()["code"] == "HZ-01"
    assert client.get(f"/api/v1/sites/{site_id}").json()["city"] == "杭州"
    assert client.delete(f"/api/v1/sites/{site_id}").status_code == 204
    assert not Site.objects.exists()


def test_site_list_filters_by_organization_region_and_custom_field(api, agent):
    CustomFieldDefinition.objects.create(
        target="customers.site", key="has_dock", label="Dock", field_type="boolean"
    )
    org = OrganizationFactory()
    a = SiteFactory(organization=org, region="浙江省", custom_fields={"has_dock": True})
    SiteFactory(organization=org, region="江苏省")
    SiteFactory(region="浙江省")
    client = api(agent)
    rows = client.get("/api/v1/sites", {"organization": org.pk, "region": "浙江省"}).json()
    assert [r["id"] for r in rows["items"]] == [a.pk]
    rows = client.get("/api/v1/sites", {"cf_has_dock": "true"}).json()
    assert [r["id"] for r in rows["items"]] == [a.pk]


def test_site_of_unknown_organization_is_404(api, supervisor):
    response = post(api(supervisor), "/api/v1/sites", {"organization_id": 999999, "name": "X"})
    assert response.status_code == 404
    assert not Site.objects.exists()


def test_product_crud_and_in_use_delete_refused(api, admin_user):
    client = api(admin_user)
    response = post(
        client,
        "/api/v1/products",
        {"sku": "POS-100", "name": "收银终端", "list_price": "2999.50", "category": "hardware"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["list_price"] in ("2999.50", 2999.5)
    product = Product.objects.get()
    assert str(product.list_price) == "2999.50"
    AssetFactory(product=product)
    assert client.delete(f"/api/v1/products/{product.pk}").status_code == 422
    assert Product.objects.exists()
    found = client.get("/api/v1/products", {"q": "pos-100"}).json()["items"]
    assert [p["sku"] for p in found] == ["POS-100"]


def test_duplicate_sku_is_422(api, admin_user):
    ProductFactory(sku="DUP")
    response = post(api(admin_user), "/api/v1/products", {"sku": "DUP", "name": "X"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/sku"


def test_asset_create_checks_site_vendor_and_warranty(api, agent):
    site = SiteFactory()
    other_org = OrganizationFactory()
    plain = OrganizationFactory(is_vendor=False)
    product = ProductFactory()
    response = post(
        api(agent),
        "/api/v1/assets",
        {
            "product_id": product.pk,
            "serial_number": "SN-1",
            "organization_id": other_org.pk,
            "site_id": site.pk,
            "vendor_id": plain.pk,
            "install_date": "2025-06-01",
            "warranty_end": "2025-01-01",
        },
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"#/site_id", "#/vendor_id", "#/warranty_end"}
    assert not Asset.objects.exists()


def test_asset_create_and_filter(api, agent):
    site = SiteFactory()
    vendor = OrganizationFactory(is_vendor=True)
    product = ProductFactory(sku="RTR-9")
    client = api(agent)
    response = post(
        client,
        "/api/v1/assets",
        {
            "product_id": product.pk,
            "serial_number": "SN-77",
            "organization_id": site.organization_id,
            "site_id": site.pk,
            "vendor_id": vendor.pk,
            "install_date": "2025-01-01",
            "warranty_end": "2027-01-01",
        },
    )
    assert response.status_code == 201
    assert response.json()["product_sku"] == "RTR-9"
    AssetFactory()
    for params in ({"site": site.pk}, {"vendor": vendor.pk}, {"q": "sn-77"}):
        items = client.get("/api/v1/assets", params).json()["items"]
        assert [a["serial_number"] for a in items] == ["SN-77"], params
    ordered = client.get("/api/v1/assets", {"ordering": "-warranty_end"}).json()["items"]
    assert len(ordered) == 2


def test_asset_list_query_count_is_fixed(api, agent, django_assert_max_num_queries):
    for _ in range(30):
        AssetFactory()
    client = api(agent)
    client.get("/api/v1/assets")
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/assets", {"page_size": 30})
    assert len(response.json()["items"]) == 30


def test_asset_patch_and_delete(api, supervisor):
    asset = AssetFactory(status="active")
    client = api(supervisor)
    response = patch(client, f"/api/v1/assets/{asset.pk}", {"status": "in_repair"})
    assert response.status_code == 200
    asset.refresh_from_db()
    assert asset.status == "in_repair"
    assert client.delete(f"/api/v1/assets/{asset.pk}").status_code == 204
    assert not Asset.objects.exists()
