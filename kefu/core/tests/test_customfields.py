import pytest
from django.core.exceptions import ValidationError

from kefu.core.customfields import (
    clean_custom_fields,
    customfield_definition_create,
    customfield_definition_update,
    display_values,
    filter_queryset,
)
from kefu.core.models import CustomFieldDefinition

pytestmark = pytest.mark.django_db

TARGET = "customers.contact"


def define(key, field_type, **extra):
    return CustomFieldDefinition.objects.create(
        target=TARGET, key=key, label=key.title(), field_type=field_type, **extra
    )


def errors_of(values, **kwargs):
    with pytest.raises(ValidationError) as exc:
        clean_custom_fields(TARGET, values, **kwargs)
    return exc.value.message_dict


def test_text_respects_max_length_and_pattern():
    define("code", "text", max_length=5, regex=r"[A-Z]+\d*")
    assert clean_custom_fields(TARGET, {"code": " AB1 "}) == {"code": "AB1"}
    assert "custom_fields.code" in errors_of({"code": "ABCDEF"})
    assert "custom_fields.code" in errors_of({"code": "ab"})


def test_number_is_whole_and_within_bounds():
    define("seats", "number", min_value=1, max_value=100)
    assert clean_custom_fields(TARGET, {"seats": "42"}) == {"seats": 42}
    assert errors_of({"seats": "4.5"}) == {"custom_fields.seats": ["Enter a whole number."]}
    assert "custom_fields.seats" in errors_of({"seats": 0})
    assert "custom_fields.seats" in errors_of({"seats": 101})
    assert "custom_fields.seats" in errors_of({"seats": True})
    assert "custom_fields.seats" in errors_of({"seats": "many"})


def test_decimal_is_stored_exactly_as_string():
    define("budget", "decimal", min_value=0)
    assert clean_custom_fields(TARGET, {"budget": 0.1}) == {"budget": "0.1"}
    assert clean_custom_fields(TARGET, {"budget": "12345.67"}) == {"budget": "12345.67"}
    assert "custom_fields.budget" in errors_of({"budget": "-1"})
    assert "custom_fields.budget" in errors_of({"budget": "NaN"})


def test_date_accepts_iso_only():
    define("since", "date")
    assert clean_custom_fields(TARGET, {"since": "2025-02-28"}) == {"since": "2025-02-28"}
    assert "custom_fields.since" in errors_of({"since": "28/02/2025"})
    assert "custom_fields.since" in errors_of({"since": "2025-02-30"})


def test_boolean_accepts_english_and_chinese_words():
    define("vip", "boolean")
    assert clean_custom_fields(TARGET, {"vip": "是"}) == {"vip": True}
    assert clean_custom_fields(TARGET, {"vip": "no"}) == {"vip": False}
    assert clean_custom_fields(TARGET, {"vip": False}) == {"vip": False}
    assert "custom_fields.vip" in errors_of({"vip": "maybe"})


def test_choice_must_be_one_of_the_values():
    define("level", "choice", choices=[{"value": "a", "label": "A"}, {"value": "b"}])
    assert clean_custom_fields(TARGET, {"level": "b"}) == {"level": "b"}
    assert "custom_fields.level" in errors_of({"level": "c"})


def test_multi_choice_takes_list_or_pipe_separated_text():
    define("langs", "multi_choice", choices=[{"value": "zh"}, {"value": "en"}, {"value": "ja"}])
    assert clean_custom_fields(TARGET, {"langs": ["zh", "en"]}) == {"langs": ["zh", "en"]}
    assert clean_custom_fields(TARGET, {"langs": "zh|ja"}) == {"langs": ["zh", "ja"]}
    assert errors_of({"langs": ["zh", "fr"]}) == {
        "custom_fields.langs": ["fr is not one of the choices."]
    }


def test_user_must_be_active_staff(make_user):
    define("manager", "user")
    staff = make_user("agent")
    portal = make_user(None)
    inactive = make_user("agent", is_active=False)
    assert clean_custom_fields(TARGET, {"manager": str(staff.pk)}) == {"manager": staff.pk}
    assert "custom_fields.manager" in errors_of({"manager": portal.pk})
    assert "custom_fields.manager" in errors_of({"manager": inactive.pk})
    assert "custom_fields.manager" in errors_of({"manager": "someone"})


def test_required_field_must_be_given_and_not_empty():
    define("region", "text", is_required=True)
    assert errors_of({}) == {"custom_fields.region": ["This field is required."]}
    assert "custom_fields.region" in errors_of({"region": ""})


def test_unknown_keys_are_refused():
    assert errors_of({"nope": 1}) == {"custom_fields.nope": ["Unknown custom field."]}


def test_inactive_definitions_are_ignored_and_refused():
    define("old", "text", is_active=False)
    assert "custom_fields.old" in errors_of({"old": "x"})


def test_partial_update_keeps_other_values_and_clears_with_empty():
    define("a", "text")
    define("b", "number")
    existing = {"a": "keep", "b": 1}
    assert clean_custom_fields(TARGET, {"b": 2}, existing=existing, partial=True) == {
        "a": "keep",
        "b": 2,
    }
    assert clean_custom_fields(TARGET, {"a": None}, existing=existing, partial=True) == {"b": 1}
    assert clean_custom_fields(TARGET, {"b": 3}, existing=existing) == {"b": 3}


def test_partial_update_does_not_demand_required_fields_not_sent():
    define("a", "text", is_required=True)
    define("b", "text")
    assert clean_custom_fields(TARGET, {"b": "x"}, existing={"a": "y"}, partial=True) == {
        "a": "y",
        "b": "x",
    }


def test_all_errors_are_reported_at_once():
    define("a", "number")
    define("b", "date")
    assert set(errors_of({"a": "x", "b": "y"})) == {"custom_fields.a", "custom_fields.b"}


def test_display_values_use_choice_labels_in_active_language():
    from django.utils import translation

    define(
        "level",
        "choice",
        choices=[{"value": "gold", "label": "Gold", "label_zh_hans": "金牌"}],
        label_zh_hans="等级",
    )
    with translation.override("zh-hans"):
        assert display_values(TARGET, {"level": "gold"}) == [("等级", "金牌")]
    with translation.override("en"):
        assert display_values(TARGET, {"level": "gold"}) == [("Level", "Gold")]


def test_filter_queryset_matches_values_of_each_type(agent):
    from kefu.customers.tests.factories import ContactFactory

    define("level", "choice", choices=[{"value": "a"}, {"value": "b"}])
    define("langs", "multi_choice", choices=[{"value": "zh"}, {"value": "en"}])
    define("vip", "boolean")
    one = ContactFactory(custom_fields={"level": "a", "langs": ["zh", "en"], "vip": True})
    two = ContactFactory(custom_fields={"level": "b", "langs": ["en"], "vip": False})
    from kefu.customers.models import Contact

    qs = Contact.objects.all()
    assert list(filter_queryset(qs, TARGET, {"cf_level": "a"})) == [one]
    assert list(filter_queryset(qs, TARGET, {"cf_langs": "zh"})) == [one]
    assert set(filter_queryset(qs, TARGET, {"cf_langs": "en"})) == {one, two}
    assert list(filter_queryset(qs, TARGET, {"cf_vip": "false"})) == [two]
    assert list(filter_queryset(qs, TARGET, {"cf_level": "zzz"})) == []
    assert set(filter_queryset(qs, TARGET, {"cf_unknown": "x"})) == {one, two}


def test_definition_create_validates_choices_bounds_and_pattern(admin_user):
    with pytest.raises(ValidationError) as exc:
        customfield_definition_create(
            actor=admin_user, target=TARGET, key="level", label="Level", field_type="choice"
        )
    assert "choices" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        customfield_definition_create(
            actor=admin_user,
            target=TARGET,
            key="n",
            label="N",
            field_type="number",
            min_value=10,
            max_value=1,
            regex="(",
        )
    assert set(exc.value.message_dict) == {"max_value", "regex"}
    with pytest.raises(ValidationError) as exc:
        customfield_definition_create(
            actor=admin_user, target="nowhere.thing", key="x", label="X", field_type="text"
        )
    assert "target" in exc.value.message_dict
    assert not CustomFieldDefinition.objects.exists()


def test_definition_key_is_unique_per_target_and_fixed(admin_user):
    definition = customfield_definition_create(
        actor=admin_user,
        target=TARGET,
        key="level",
        label="Level",
        field_type="choice",
        choices=[{"value": "a", "label": "A"}],
    )
    assert definition.created_by == admin_user
    with pytest.raises(ValidationError) as exc:
        customfield_definition_create(
            actor=admin_user, target=TARGET, key="level", label="Again", field_type="text"
        )
    assert "key" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        customfield_definition_update(actor=admin_user, definition=definition, field_type="text")
    assert "field_type" in exc.value.message_dict
    updated = customfield_definition_update(
        actor=admin_user, definition=definition, label_zh_hans="等级", is_required=True
    )
    assert (updated.label_zh_hans, updated.is_required) == ("等级", True)


def test_definitions_come_from_the_snapshot_and_follow_every_change():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kefu.core.customfields import definitions_for

    define("region", "text", order=5)
    assert [d.key for d in definitions_for(TARGET)] == ["region"]
    with CaptureQueriesContext(connection) as queries:
        definitions_for(TARGET)
    assert [("core_configstamp" in q["sql"]) for q in queries] == [True]  # not the definitions

    added = define("budget", "number", order=1)
    assert [d.key for d in definitions_for(TARGET)] == ["budget", "region"]
    added.is_active = False
    added.save()
    assert [d.key for d in definitions_for(TARGET)] == ["region"]
    assert definitions_for("customers.site") == []
