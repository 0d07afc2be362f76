import json

import pytest
from auditlog.models import LogEntry

from kefu.core.models import CustomFieldDefinition
from kefu.customers.models import Organization, OrganizationTier, Site
from kefu.customers.tests.factories import OrganizationFactory, SiteFactory, TierFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizations"


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def names(response):
    return [item["name"] for item in response.json()["items"]]


def test_create_organization_returns_201_and_writes_row(api, supervisor):
    tier = TierFactory()
    response = post(
        api(supervisor),
        URL,
        {
            "name": "北京示例",
            "tier_id": tier.pk,
            "owner_id": supervisor.pk,
            "tags": ["重点"],
            "email_domains": "Example.CN",
        },
    )
    assert response.status_code == 201
    body = response.json()
    org = Organization.objects.get()
    assert body["id"] == org.pk
    assert body["tier"] == {
        "id": tier.pk,
        "key": "gold",
        "label": "Gold",
        "rank": 2,
        "color": tier.color,
    }
    assert body["tags"] == ["重点"]
    assert org.email_domains == "example.cn"


def test_create_with_bad_fields_answers_422_problem_with_pointers(api, supervisor):
    response = post(api(supervisor), URL, {"name": "", "status": "dormant", "parent_id": 99999})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"#/name", "#/status", "#/parent_id"}
    assert not Organization.objects.exists()


def test_malformed_body_answers_422_with_pointer(api, supervisor):
    response = post(api(supervisor), URL, {"name": "A", "is_vendor": "perhaps"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/is_vendor"
    assert not Organization.objects.exists()


def test_get_unknown_organization_is_404_problem(api, agent):
    response = api(agent).get(f"{URL}/424242")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_patch_changes_only_given_fields(api, agent):
    org = OrganizationFactory(phone="010-1", notes="keep")
    response = patch(api(agent), f"{URL}/{org.pk}", {"phone": "021-2", "tags": ["a", "b"]})
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.phone, org.notes) == ("021-2", "keep")
    assert response.json()["tags"] == ["a", "b"]


def test_patch_parent_cycle_answers_422(api, agent):
    parent = OrganizationFactory()
    child = OrganizationFactory(parent=parent)
    response = patch(api(agent), f"{URL}/{parent.pk}", {"parent_id": child.pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/parent_id"
    parent.refresh_from_db()
    assert parent.parent_id is None


def test_delete_organization_removes_it_and_its_sites(api, admin_user):
    site = SiteFactory()
    response = api(admin_user).delete(f"{URL}/{site.organization_id}")
    assert response.status_code == 204
    assert not Organization.objects.exists()
    assert not Site.objects.exists()


def test_list_filters_by_text_status_tier_vendor_parent_owner_and_tag(api, agent, make_user):
    gold = TierFactory()
    other_owner = make_user("agent")
    parent = OrganizationFactory(name="集团总部")
    a = OrganizationFactory(name="阿里示例", status="prospect", tier=gold, owner=agent)
    OrganizationFactory(name="百度示例", is_vendor=True, parent=parent, owner=other_owner)
    from kefu.core.models import Tag

    a.tags.add(Tag.objects.create(name="vip"))
    client = api(agent)
    assert names(client.get(URL, {"q": "阿里"})) == ["阿里示例"]
    assert names(client.get(URL, {"status": "prospect"})) == ["阿里示例"]
    assert names(client.get(URL, {"tier": "gold"})) == ["阿里示例"]
    assert names(client.get(URL, {"tier": str(gold.pk)})) == ["阿里示例"]
    assert names(client.get(URL, {"owner": "me"})) == ["阿里示例"]
    assert names(client.get(URL, {"owner": other_owner.pk})) == ["百度示例"]
    assert names(client.get(URL, {"is_vendor": "true"})) == ["百度示例"]
    assert names(client.get(URL, {"parent": parent.pk})) == ["百度示例"]
    assert names(client.get(URL, {"tag": "vip"})) == ["阿里示例"]


def test_list_filters_by_custom_field(api, agent):
    CustomFieldDefinition.objects.create(
        target="customers.organization",
        key="segment",
        label="Segment",
        field_type="choice",
        choices=[{"value": "smb"}, {"value": "ent"}],
    )
    OrganizationFactory(name="Small", custom_fields={"segment": "smb"})
    OrganizationFactory(name="Large", custom_fields={"segment": "ent"})
    assert names(api(agent).get(URL, {"cf_segment": "ent"})) == ["Large"]


def test_list_sorts_by_whitelisted_fields_only(api, agent):
    OrganizationFactory(name="B")
    OrganizationFactory(name="A")
    OrganizationFactory(name="C")
    client = api(agent)
    assert names(client.get(URL, {"ordering": "-name"})) == ["C", "B", "A"]
    assert names(client.get(URL, {"ordering": "name"})) == ["A", "B", "C"]
    response = client.get(URL, {"ordering": "notes"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/ordering"


def test_list_paginates(api, agent):
    for n in range(5):
        OrganizationFactory(name=f"Org {n}")
    client = api(agent)
    first = client.get(URL, {"page_size": 2}).json()
    assert (first["count"], first["page"], first["has_next"]) == (5, 1, True)
    assert [i["name"] for i in first["items"]] == ["Org 0", "Org 1"]
    last = client.get(URL, {"page_size": 2, "page": 3}).json()
    assert [i["name"] for i in last["items"]] == ["Org 4"]
    assert last["has_next"] is False
    assert client.get(URL, {"page_size": 1000}).status_code == 422


def test_list_query_count_does_not_grow_with_page_size(api, agent, django_assert_max_num_queries):
    from kefu.core.models import Tag

    tier = TierFactory()
    tags = [Tag.objects.create(name=f"t{n}") for n in range(3)]
    for n in range(40):
        org = OrganizationFactory(tier=tier, owner=agent, parent=None, name=f"O{n}")
        org.tags.set(tags)
    client = api(agent)
    client.get(URL)  # warm the token's last_used_at and permission caches
    with django_assert_max_num_queries(8):
        response = client.get(URL, {"page_size": 40})
    assert len(response.json()["items"]) == 40


def test_token_write_records_actor_and_api_source_in_audit_log(api, agent):
    org = OrganizationFactory()
    response = patch(api(agent), f"{URL}/{org.pk}", {"phone": "021-6888 1234"})
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(org).get(action=LogEntry.Action.UPDATE)
    assert entry.actor_id == agent.pk
    assert entry.additional_data["source"] == "api"
    assert "phone" in entry.changes_dict


def test_idempotency_key_replays_first_answer_without_duplicate(api, supervisor):
    client = api(supervisor)
    first = post(client, URL, {"name": "Once"}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post(client, URL, {"name": "Once"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Organization.objects.count() == 1


def test_idempotency_key_reused_with_different_body_is_422(api, supervisor):
    client = api(supervisor)
    post(client, URL, {"name": "Once"}, HTTP_IDEMPOTENCY_KEY="k-2")
    response = post(client, URL, {"name": "Other"}, HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert list(Organization.objects.values_list("name", flat=True)) == ["Once"]


def test_tier_crud_and_in_use_delete_refused(api, admin_user):
    client = api(admin_user)
    response = post(
        client, "/api/v1/organization-tiers", {"key": "gold", "name": "Gold", "rank": 2}
    )
    assert response.status_code == 201
    tier_id = response.json()["id"]
    response = patch(client, f"/api/v1/organization-tiers/{tier_id}", {"name_zh_hans": "金牌"})
    assert response.json()["name_zh_hans"] == "金牌"
    OrganizationFactory(tier_id=tier_id)
    assert client.delete(f"/api/v1/organization-tiers/{tier_id}").status_code == 422
    assert OrganizationTier.objects.filter(pk=tier_id).exists()
    listed = client.get("/api/v1/organization-tiers").json()
    assert [t["key"] for t in listed["items"]] == ["gold"]


def test_owner_filter_rejects_words_other_than_me(api, agent):
    response = api(agent).get(URL, {"owner": "someone"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/owner"


def test_custom_field_values_are_validated_through_the_api(api, supervisor):
    CustomFieldDefinition.objects.create(
        target="customers.organization",
        key="employees",
        label="Employees",
        field_type="number",
        min_value=1,
    )
    client = api(supervisor)
    response = post(client, URL, {"name": "A", "custom_fields": {"employees": 0}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/custom_fields/employees"
    assert not Organization.objects.exists()
    response = post(client, URL, {"name": "A", "custom_fields": {"employees": "12"}})
    assert response.status_code == 201
    assert response.json()["custom_fields"] == {"employees": 12}
