import datetime

import pytest
from django.core.exceptions import ValidationError

from kefu.core.models import CustomFieldDefinition
from kefu.customers.models import Asset, Product, TimelineEvent
from kefu.customers.services import (
    asset_create,
    asset_update,
    call_log,
    note_add,
    product_create,
    product_delete,
    timeline_event_add,
)
from kefu.customers.tests.factories import (
    ContactFactory,
    OrganizationFactory,
    ProductFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db


def test_asset_at_site_of_another_organization_is_refused(agent):
    site = SiteFactory()
    other = OrganizationFactory()
    with pytest.raises(ValidationError) as exc:
        asset_create(
            actor=agent,
            product_id=ProductFactory().pk,
            serial_number="SN1",
            organization_id=other.pk,
            site_id=site.pk,
        )
    assert "site_id" in exc.value.message_dict
    assert not Asset.objects.exists()


def test_asset_vendor_must_be_marked_vendor(agent):
    org = OrganizationFactory()
    not_vendor = OrganizationFactory(is_vendor=False)
    with pytest.raises(ValidationError) as exc:
        asset_create(
            actor=agent,
            product_id=ProductFactory().pk,
            serial_number="SN1",
            organization_id=org.pk,
            vendor_id=not_vendor.pk,
        )
    assert "vendor_id" in exc.value.message_dict
    vendor = OrganizationFactory(is_vendor=True)
    asset = asset_create(
        actor=agent,
        product_id=ProductFactory().pk,
        serial_number="SN1",
        organization_id=org.pk,
        vendor_id=vendor.pk,
    )
    assert asset.vendor_id == vendor.pk


def test_warranty_ending_before_installation_is_refused(agent):
    with pytest.raises(ValidationError) as exc:
        asset_create(
            actor=agent,
            product_id=ProductFactory().pk,
            serial_number="SN1",
            organization_id=OrganizationFactory().pk,
            install_date=datetime.date(2025, 6, 1),
            warranty_end=datetime.date(2025, 5, 31),
        )
    assert "warranty_end" in exc.value.message_dict


def test_moving_asset_keeps_checks(agent):
    site = SiteFactory()
    asset = asset_create(
        actor=agent,
        product_id=ProductFactory().pk,
        serial_number="SN1",
        organization_id=site.organization_id,
        site_id=site.pk,
    )
    with pytest.raises(ValidationError):
        asset_update(actor=agent, asset=asset, organization_id=OrganizationFactory().pk)
    asset.refresh_from_db()
    assert asset.organization_id == site.organization_id


def test_serial_number_is_unique_per_product(agent):
    product = ProductFactory()
    org = OrganizationFactory()
    asset_create(actor=agent, product_id=product.pk, serial_number="SN1", organization_id=org.pk)
    with pytest.raises(ValidationError):
        asset_create(
            actor=agent, product_id=product.pk, serial_number="SN1", organization_id=org.pk
        )
    asset_create(
        actor=agent, product_id=ProductFactory().pk, serial_number="SN1", organization_id=org.pk
    )
    assert Asset.objects.count() == 2


def test_asset_custom_fields_are_validated(agent):
    CustomFieldDefinition.objects.create(
        target="customers.asset",
        key="rack",
        label="Rack",
        field_type="text",
        regex=r"R\d{2}",
    )
    kwargs = {
        "actor": agent,
        "product_id": ProductFactory().pk,
        "organization_id": OrganizationFactory().pk,
    }
    with pytest.raises(ValidationError):
        asset_create(serial_number="A", custom_fields={"rack": "rack 1"}, **kwargs)
    asset = asset_create(serial_number="A", custom_fields={"rack": "R07"}, **kwargs)
    assert asset.custom_fields == {"rack": "R07"}


def test_product_in_use_cannot_be_deleted(agent):
    product = product_create(actor=agent, sku="POS-1", name="收银机", list_price="1999.00")
    asset_create(
        actor=agent,
        product_id=product.pk,
        serial_number="SN1",
        organization_id=OrganizationFactory().pk,
    )
    with pytest.raises(ValidationError):
        product_delete(actor=agent, product=product)
    assert Product.objects.filter(pk=product.pk).exists()


def test_duplicate_sku_is_refused(agent):
    product_create(actor=agent, sku="POS-1", name="A")
    with pytest.raises(ValidationError) as exc:
        product_create(actor=agent, sku="POS-1", name="B")
    assert "sku" in exc.value.message_dict


def test_note_on_contact_lands_on_primary_organization(agent):
    contact = ContactFactory()
    event = note_add(actor=agent, text="客户来电询问发票\n详细内容", contact_id=contact.pk)
    assert event.organization_id == contact.primary_organization_id
    assert event.title == "客户来电询问发票"
    assert event.actor == agent


def test_empty_note_is_refused(agent):
    with pytest.raises(ValidationError):
        note_add(actor=agent, text="  ", organization_id=OrganizationFactory().pk)
    assert not TimelineEvent.objects.exists()


def test_call_log_normalises_number_and_checks_direction(agent):
    org = OrganizationFactory()
    with pytest.raises(ValidationError) as exc:
        call_log(actor=agent, direction="sideways", number="12", organization_id=org.pk)
    assert set(exc.value.message_dict) == {"direction", "number"}
    event = call_log(
        actor=agent,
        direction="inbound",
        number="138 0013 8000",
        duration_seconds=95,
        organization_id=org.pk,
    )
    assert event.data == {
        "direction": "inbound",
        "number": "+8613800138000",
        "duration_seconds": 95,
    }


def test_timeline_event_needs_a_customer():
    with pytest.raises(ValidationError):
        timeline_event_add(kind="system", title="orphan")
