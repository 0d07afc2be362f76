"""Settings pages: custom-field definitions and organization tiers, and the hub that lists them."""

import pytest
from django.urls import reverse

from kefu.core.models import CustomFieldDefinition
from kefu.customers.tests.factories import OrganizationFactory, TierFactory

pytestmark = pytest.mark.django_db


def field_data(**overrides):
    data = {
        "target": "customers.contact",
        "key": "vip_level",
        "label": "VIP level",
        "label_zh_hans": "VIP 等级",
        "field_type": "choice",
        "choices_text": "gold|Gold|金卡\nsilver|Silver|银卡\n",
        "order": "10",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_settings_hub_lists_custom_fields_and_tiers_for_admins(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("core:settings")).content.decode()
    assert reverse("core:customfield_list") in html
    assert reverse("customers:tier_list") in html


def test_agent_cannot_open_or_post_custom_field_settings(client, agent):
    client.force_login(agent)
    assert client.get(reverse("core:customfield_list")).status_code == 403
    response = client.post(reverse("core:customfield_create"), field_data())
    assert response.status_code == 403
    assert not CustomFieldDefinition.objects.exists()


def test_admin_creates_a_choice_field_from_lines(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("core:customfield_create"), field_data())
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get(key="vip_level")
    assert definition.choices == [
        {"value": "gold", "label": "Gold", "label_zh_hans": "金卡"},
        {"value": "silver", "label": "Silver", "label_zh_hans": "银卡"},
    ]
    assert definition.target == "customers.contact"
    listing = client.get(reverse("core:customfield_list")).content.decode()
    assert "vip_level" in listing
    form = client.get(reverse("core:customfield_edit", args=[definition.pk]))
    assert "gold|Gold|金卡" in form.content.decode()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"field_type": "text", "choices_text": "", "regex": "([a-z"}, "regex"),
        ({"choices_text": ""}, "choices_text"),
        (
            {"field_type": "number", "choices_text": "", "min_value": "5", "max_value": "1"},
            "max_value",
        ),
    ],
)
def test_bad_definitions_show_field_errors(client, admin_user, overrides, field):
    client.force_login(admin_user)
    response = client.post(reverse("core:customfield_create"), field_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not CustomFieldDefinition.objects.exists()


def test_duplicate_key_is_refused_on_the_key_field(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("core:customfield_create"), field_data())
    response = client.post(reverse("core:customfield_create"), field_data(label="Again"))
    assert response.status_code == 200
    assert response.context["form"].errors["key"]
    assert CustomFieldDefinition.objects.filter(key="vip_level").count() == 1


def test_editing_keeps_key_and_type_fixed(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("core:customfield_create"), field_data())
    definition = CustomFieldDefinition.objects.get()
    response = client.post(
        reverse("core:customfield_edit", args=[definition.pk]),
        field_data(key="renamed", field_type="text", label="VIP tier", is_active=""),
    )
    assert response.status_code == 302
    definition.refresh_from_db()
    assert (definition.key, definition.field_type, definition.label, definition.is_active) == (
        "vip_level",
        "choice",
        "VIP tier",
        False,
    )


def test_deleting_a_custom_field(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("core:customfield_create"), field_data())
    definition = CustomFieldDefinition.objects.get()
    assert client.get(reverse("core:customfield_delete", args=[definition.pk])).status_code == 200
    response = client.post(reverse("core:customfield_delete", args=[definition.pk]))
    assert response.status_code == 302
    assert not CustomFieldDefinition.objects.exists()


def test_tier_in_use_cannot_be_deleted(client, admin_user):
    tier = TierFactory()
    OrganizationFactory(tier=tier)
    client.force_login(admin_user)
    assert "Gold" in client.get(reverse("customers:tier_list")).content.decode()
    response = client.post(reverse("customers:tier_delete", args=[tier.pk]))
    assert response.status_code == 200
    assert response.context["error"]
    tier.refresh_from_db()


def test_tier_edit_changes_the_row(client, admin_user):
    tier = TierFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("customers:tier_edit", args=[tier.pk]),
        {"key": "gold", "name": "Gold+", "name_zh_hans": "金牌+", "rank": 3, "color": "#eab308"},
    )
    assert response.status_code == 302
    tier.refresh_from_db()
    assert (tier.name, tier.rank) == ("Gold+", 3)


def test_home_shows_customer_tiles(client, agent):
    OrganizationFactory(owner=agent)
    client.force_login(agent)
    tiles = client.get(reverse("core:home")).context["tiles"]
    labels = {str(t["label"]): t["value"] for t in tiles}
    assert labels["Organizations"] == 1
    assert labels["My accounts"] == 1


def test_settings_pages_refuse_portal_users_and_send_anonymous_to_login(client, make_user):
    urls = [reverse("core:customfield_list"), reverse("customers:tier_list")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    client.force_login(make_user(None))
    for url in urls:
        assert client.get(url).status_code == 403
    response = client.post(reverse("customers:tier_create"), {"key": "x", "name": "X", "rank": 1})
    assert response.status_code == 403
    from kefu.customers.models import OrganizationTier

    assert not OrganizationTier.objects.exists()
