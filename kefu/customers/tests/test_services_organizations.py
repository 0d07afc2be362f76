import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from kefu.core.audit import audit_context
from kefu.core.models import CustomFieldDefinition, Tag
from kefu.customers.models import Organization, OrganizationTier, Site
from kefu.customers.services import (
    organization_create,
    organization_delete,
    organization_update,
    site_create,
    site_update,
    tier_create,
    tier_delete,
    tier_update,
)
from kefu.customers.tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_create_organization_normalises_domains_and_sets_tags(agent):
    org = organization_create(
        actor=agent,
        name="  上海示例 ",
        email_domains="Example.CN, @Shop.example.cn,,",
        tags=["重点客户", "vip", "vip", " "],
    )
    assert org.name == "上海示例"
    assert org.email_domains == "example.cn,shop.example.cn"
    assert sorted(org.tags.values_list("name", flat=True)) == ["vip", "重点客户"]


def test_update_replaces_tags_only_when_given(agent):
    org = organization_create(actor=agent, name="A", tags=["x", "y"])
    organization_update(actor=agent, organization=org, notes="changed")
    assert sorted(org.tags.values_list("name", flat=True)) == ["x", "y"]
    organization_update(actor=agent, organization=org, tags=["z"])
    assert list(org.tags.values_list("name", flat=True)) == ["z"]
    assert Tag.objects.filter(name="x").exists()


def test_overlong_tag_is_refused(agent):
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=agent, name="A", tags=["x" * 61])
    assert "tags" in exc.value.message_dict
    assert not Organization.objects.exists()


def test_parent_cycle_is_refused(agent):
    group = organization_create(actor=agent, name="集团")
    company = organization_create(actor=agent, name="公司", parent_id=group.pk)
    branch = organization_create(actor=agent, name="分公司", parent_id=company.pk)
    with pytest.raises(ValidationError) as exc:
        organization_update(actor=agent, organization=group, parent_id=branch.pk)
    assert "parent_id" in exc.value.message_dict
    group.refresh_from_db()
    assert group.parent_id is None


def test_organization_cannot_be_its_own_parent(agent):
    org = organization_create(actor=agent, name="A")
    with pytest.raises(ValidationError):
        organization_update(actor=agent, organization=org, parent_id=org.pk)


def test_unknown_parent_is_reported_under_parent_id(agent):
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=agent, name="A", parent_id=999999)
    assert "parent_id" in exc.value.message_dict


def test_owner_must_be_staff(agent, make_user):
    portal = make_user(None)
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=agent, name="A", owner_id=portal.pk)
    assert "owner_id" in exc.value.message_dict
    assert organization_create(actor=agent, name="B", owner_id=agent.pk).owner_id == agent.pk


def test_unknown_field_is_refused_not_dropped(agent):
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=agent, name="A", colour="red")
    assert exc.value.message_dict == {"colour": ["Unknown field."]}


def test_invalid_status_and_blank_name_are_refused(agent):
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=agent, name=" ", status="dormant")
    assert set(exc.value.message_dict) == {"name", "status"}


def test_custom_fields_are_validated_on_organization(agent):
    CustomFieldDefinition.objects.create(
        target="customers.organization",
        key="employees",
        label="Employees",
        field_type="number",
        min_value=1,
        is_required=True,
    )
    with pytest.raises(ValidationError) as exc:
        organization_create(actor=agent, name="A", custom_fields={"employees": 0})
    assert "custom_fields.employees" in exc.value.message_dict
    with pytest.raises(ValidationError):
        organization_create(actor=agent, name="A")
    org = organization_create(actor=agent, name="A", custom_fields={"employees": "250"})
    assert org.custom_fields == {"employees": 250}
    assert Organization.objects.count() == 1


def test_delete_refused_while_children_exist(agent):
    parent = organization_create(actor=agent, name="P")
    organization_create(actor=agent, name="C", parent_id=parent.pk)
    with pytest.raises(ValidationError):
        organization_delete(actor=agent, organization=parent)
    assert Organization.objects.filter(pk=parent.pk).exists()


def test_tier_lifecycle_and_delete_refused_while_used(agent):
    tier = tier_create(actor=agent, key="gold", name="Gold", name_zh_hans="金牌", rank=2)
    tier_update(actor=agent, tier=tier, rank=3)
    tier.refresh_from_db()
    assert tier.rank == 3
    org = organization_create(actor=agent, name="A", tier_id=tier.pk)
    with pytest.raises(ValidationError):
        tier_delete(actor=agent, tier=tier)
    organization_update(actor=agent, organization=org, tier_id=None)
    tier_delete(actor=agent, tier=tier)
    assert not OrganizationTier.objects.exists()


def test_duplicate_tier_key_is_refused(agent):
    tier_create(actor=agent, key="gold", name="Gold")
    with pytest.raises(ValidationError) as exc:
        tier_create(actor=agent, key="gold", name="Gold again")
    assert "key" in exc.value.message_dict


def test_site_contact_person_must_belong_to_site_organization(agent):
    org = OrganizationFactory()
    outsider = ContactFactory()
    with pytest.raises(ValidationError) as exc:
        site_create(actor=agent, organization_id=org.pk, name="门店", contact_person_id=outsider.pk)
    assert "contact_person_id" in exc.value.message_dict
    member = ContactFactory(primary_organization=org)
    site = site_create(
        actor=agent, organization_id=org.pk, name="门店", contact_person_id=member.pk
    )
    assert site.contact_person_id == member.pk


def test_site_custom_fields_partial_update_keeps_other_keys(agent):
    CustomFieldDefinition.objects.create(
        target="customers.site", key="floor", label="Floor", field_type="number"
    )
    CustomFieldDefinition.objects.create(
        target="customers.site", key="dock", label="Dock", field_type="boolean"
    )
    org = OrganizationFactory()
    site = site_create(
        actor=agent, organization_id=org.pk, name="仓库", custom_fields={"floor": 3, "dock": "是"}
    )
    assert site.custom_fields == {"floor": 3, "dock": True}
    site = site_update(actor=agent, site=site, custom_fields={"floor": 5})
    assert site.custom_fields == {"floor": 5, "dock": True}
    site = site_update(actor=agent, site=site, custom_fields={"floor": None})
    assert site.custom_fields == {"dock": True}


def test_site_of_unknown_organization_is_refused(agent):
    with pytest.raises(ValidationError) as exc:
        site_create(actor=agent, organization_id=999999, name="X")
    assert "organization_id" in exc.value.message_dict
    assert not Site.objects.exists()


def test_audit_rows_record_actor_and_source(agent):
    with audit_context(source="import", actor=agent):
        org = organization_create(actor=agent, name="Audited")
        organization_update(actor=agent, organization=org, phone="021-1234 5678")
    entries = LogEntry.objects.get_for_object(org).order_by("timestamp", "pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(e.actor_id == agent.pk for e in entries)
    assert all(e.additional_data["source"] == "import" for e in entries)
    assert "phone" in entries[1].changes_dict
