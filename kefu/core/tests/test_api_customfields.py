import json

import pytest
from auditlog.models import LogEntry

from kefu.core.models import CustomFieldDefinition

pytestmark = pytest.mark.django_db

URL = "/api/v1/custom-fields"


def post(client, data):
    return client.post(URL, json.dumps(data), content_type="application/json")


def test_admin_defines_choice_field_with_translated_labels(api, admin_user):
    response = post(
        api(admin_user),
        {
            "target": "customers.organization",
            "key": "segment",
            "label": "Segment",
            "label_zh_hans": "细分市场",
            "field_type": "choice",
            "choices": [
                {"value": "smb", "label": "Small business", "label_zh_hans": "小微企业"},
                {"value": "ent", "label": "Enterprise", "label_zh_hans": "大型企业"},
            ],
            "is_required": False,
            "order": 10,
        },
    )
    assert response.status_code == 201
    definition = CustomFieldDefinition.objects.get()
    assert definition.created_by == admin_user
    assert definition.choices[1]["label_zh_hans"] == "大型企业"
    entry = LogEntry.objects.get_for_object(definition).get()
    assert entry.actor_id == admin_user.pk
    assert entry.additional_data["source"] == "api"


def test_invalid_definition_answers_422_with_pointers(api, admin_user):
    response = post(
        api(admin_user),
        {
            "target": "customers.contact",
            "key": "level",
            "label": "Level",
            "field_type": "number",
            "min_value": "10",
            "max_value": "1",
            "regex": "(",
        },
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"#/max_value", "#/regex"}
    assert not CustomFieldDefinition.objects.exists()


def test_patch_changes_labels_and_never_the_key(api, admin_user):
    definition = CustomFieldDefinition.objects.create(
        target="customers.site", key="floor", label="Floor", field_type="number"
    )
    client = api(admin_user)
    response = client.patch(
        f"{URL}/{definition.pk}",
        json.dumps({"label": "Storey", "is_required": True}),
        content_type="application/json",
    )
    assert response.status_code == 200
    definition.refresh_from_db()
    assert (definition.label, definition.is_required) == ("Storey", True)
    # The patch schema has no key: the member is ignored and the key stays.
    client.patch(
        f"{URL}/{definition.pk}", json.dumps({"key": "x"}), content_type="application/json"
    )
    definition.refresh_from_db()
    assert definition.key == "floor"


def test_agents_read_definitions_but_cannot_write(api, agent):
    definition = CustomFieldDefinition.objects.create(
        target="customers.site", key="floor", label="Floor", field_type="number"
    )
    client = api(agent)
    listed = client.get(URL, {"target": "customers.site"}).json()
    assert [d["key"] for d in listed["items"]] == ["floor"]
    assert (
        post(
            client,
            {"target": "customers.site", "key": "x", "label": "X", "field_type": "text"},
        ).status_code
        == 403
    )
    assert client.delete(f"{URL}/{definition.pk}").status_code == 403
    assert CustomFieldDefinition.objects.count() == 1


def test_targets_list_every_registered_record_kind(api, agent):
    keys = {t["key"] for t in api(agent).get("/api/v1/custom-field-targets").json()}
    assert {
        "customers.organization",
        "customers.site",
        "customers.contact",
        "customers.asset",
    } <= keys


def test_admin_deletes_definition(api, admin_user):
    definition = CustomFieldDefinition.objects.create(
        target="customers.site", key="floor", label="Floor", field_type="number"
    )
    assert api(admin_user).delete(f"{URL}/{definition.pk}").status_code == 204
    assert not CustomFieldDefinition.objects.exists()


def test_portal_user_cannot_read_definitions(api, make_user):
    assert api(make_user(None)).get(URL).status_code == 403
