"""The custom-field engine: which records take custom fields, and how their values are checked.

Apps register their models as targets in ``AppConfig.ready`` (``register_target``). Services call
:func:`clean_custom_fields` before saving; forms call :func:`form_fields`; list filters call
:func:`filter_queryset`. Values are stored JSON-native: text, int, decimal as a string (exact),
ISO date strings, booleans, choice values, lists of choice values, and user ids.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

_TARGETS: dict[str, Any] = {}


def register_target(key: str, label) -> None:
    """Declare that records of ``key`` (``"app_label.model"``) carry custom fields."""
    _TARGETS[key] = label


def target_choices() -> list[tuple[str, Any]]:
    return sorted(_TARGETS.items())


def definitions_for(target: str) -> list:
    """The active definitions of ``target`` in their order, from the configuration snapshot
    (one stamp check instead of a query; every save of a definition bumps the stamp). Shared
    between requests: read them, never change them."""
    from kefu.core.configstamp import snapshot

    return list(snapshot(f"core.custom_fields.{target}", lambda: tuple(load_definitions(target))))


def load_definitions(target: str) -> list:
    """The active definitions of ``target`` read from the database (for a snapshot's build)."""
    from kefu.core.models import CustomFieldDefinition

    return list(
        CustomFieldDefinition.objects.filter(target=target, is_active=True).order_by("order", "key")
    )


def _clean_one(definition, raw: Any) -> Any:
    from kefu.core.models import CustomFieldType as T

    t = definition.field_type
    if t == T.TEXT:
        value = str(raw).strip()
        if definition.max_length and len(value) > definition.max_length:
            raise ValidationError(_("At most %(n)d characters.") % {"n": definition.max_length})
        if definition.regex and not re.fullmatch(definition.regex, value):
            raise ValidationError(_("Does not match the required pattern."))
        return value
    if t in (T.NUMBER, T.DECIMAL):
        if isinstance(raw, bool):
            raise ValidationError(_("Enter a number."))
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValidationError(_("Enter a number.")) from exc
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        if t == T.NUMBER and number != number.to_integral_value():
            raise ValidationError(_("Enter a whole number."))
        if definition.min_value is not None and number < definition.min_value:
            raise ValidationError(_("Must be at least %(v)s.") % {"v": definition.min_value})
        if definition.max_value is not None and number > definition.max_value:
            raise ValidationError(_("Must be at most %(v)s.") % {"v": definition.max_value})
        return int(number) if t == T.NUMBER else str(number)
    if t == T.DATE:
        if isinstance(raw, datetime.date):
            return raw.isoformat()
        try:
            return datetime.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError as exc:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from exc
    if t == T.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "y", "on", "是"}:
            return True
        if text in {"0", "false", "no", "n", "off", "否"}:
            return False
        raise ValidationError(_("Enter yes or no."))
    allowed = {str(c.get("value")) for c in definition.choices or []}
    if t == T.CHOICE:
        value = str(raw)
        if value not in allowed:
            raise ValidationError(_("%(value)s is not one of the choices.") % {"value": value})
        return value
    if t == T.MULTI_CHOICE:
        values = raw if isinstance(raw, list | tuple) else [v for v in str(raw).split("|") if v]
        values = [str(v) for v in values]
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValidationError(
                _("%(value)s is not one of the choices.") % {"value": ", ".join(unknown)}
            )
        return values
    if t == T.USER:
        try:
            user_id = int(raw)
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Choose a staff user.")) from exc
        if not get_user_model().objects.filter(pk=user_id, is_staff=True, is_active=True).exists():
            raise ValidationError(_("Choose a staff user."))
        return user_id
    raise ValidationError(_("Unknown field type."))


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_custom_fields(
    target: str,
    values: dict[str, Any] | None,
    *,
    existing: dict[str, Any] | None = None,
    partial: bool = False,
    definitions: list | None = None,
) -> dict[str, Any]:
    """Validate ``values`` for ``target`` and return the dict to store.

    With ``partial`` (a PATCH), keys not given keep their ``existing`` value. Unknown keys are
    refused rather than dropped, so a typo in an import column is reported. Raises
    ``ValidationError`` with ``{"custom_fields.<key>": [message]}``. ``definitions``: the
    target's active definitions when the caller already holds them (a configuration snapshot).
    """
    values = dict(values or {})
    if definitions is None:
        definitions = definitions_for(target)
    definitions = {d.key: d for d in definitions}
    errors: dict[str, list[str]] = {}
    result: dict[str, Any] = dict(existing or {}) if partial else {}
    for key in values:
        if key not in definitions:
            errors[f"custom_fields.{key}"] = [_("Unknown custom field.")]
    for key, definition in definitions.items():
        if key not in values:
            if partial:
                continue
            raw = None
        else:
            raw = values[key]
        if _is_empty(raw):
            if definition.is_required:
                errors[f"custom_fields.{key}"] = [_("This field is required.")]
            result.pop(key, None)
            continue
        try:
            result[key] = _clean_one(definition, raw)
        except ValidationError as exc:
            errors[f"custom_fields.{key}"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return result


def display_values(target: str, values: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Return ``[(label, shown value)]`` for a detail page, in definition order."""
    from kefu.core.models import CustomFieldType as T

    values = values or {}
    shown = []
    for definition in definitions_for(target):
        value = values.get(definition.key)
        if _is_empty(value):
            continue
        if definition.field_type == T.CHOICE:
            text = definition.choice_label(value)
        elif definition.field_type == T.MULTI_CHOICE:
            text = ", ".join(definition.choice_label(v) for v in value)
        elif definition.field_type == T.BOOLEAN:
            text = _("Yes") if value else _("No")
        elif definition.field_type == T.USER:
            user = get_user_model().objects.filter(pk=value).first()
            text = user.get_full_name() or user.get_username() if user else str(value)
        else:
            text = str(value)
        shown.append((definition.display_label, text))
    return shown


def form_fields(target: str, *, prefix: str = "cf_") -> dict[str, forms.Field]:
    """Build Django form fields for the active definitions of ``target``."""
    from kefu.core.models import CustomFieldType as T

    fields: dict[str, forms.Field] = {}
    for d in definitions_for(target):
        common = {"label": d.display_label, "required": d.is_required, "help_text": d.help_text}
        choices = [(str(c.get("value")), d.choice_label(c.get("value"))) for c in d.choices or []]
        if d.field_type == T.TEXT:
            field = forms.CharField(max_length=d.max_length or None, **common)
        elif d.field_type == T.NUMBER:
            field = forms.IntegerField(**common)
        elif d.field_type == T.DECIMAL:
            field = forms.DecimalField(**common)
        elif d.field_type == T.DATE:
            field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        elif d.field_type == T.BOOLEAN:
            common["required"] = False
            field = forms.BooleanField(**common)
        elif d.field_type == T.CHOICE:
            field = forms.ChoiceField(choices=[("", "---------"), *choices], **common)
        elif d.field_type == T.MULTI_CHOICE:
            field = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        else:
            field = forms.ModelChoiceField(
                queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
                **common,
            )
        field.custom_field_key = d.key
        fields[f"{prefix}{d.key}"] = field
    return fields


def values_from_form(cleaned_data: dict[str, Any], *, prefix: str = "cf_") -> dict[str, Any]:
    """Collect the ``cf_*`` values of a cleaned form into a custom-field dict."""
    values = {}
    for name, value in cleaned_data.items():
        if not name.startswith(prefix):
            continue
        if hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        values[name[len(prefix) :]] = value
    return values


def initial_for_form(values: dict[str, Any] | None, *, prefix: str = "cf_") -> dict[str, Any]:
    return {f"{prefix}{key}": value for key, value in (values or {}).items()}


def filter_queryset(qs: QuerySet, target: str, params: dict[str, str]) -> QuerySet:
    """Apply ``cf_<key>=value`` filters from a query string to ``qs``.

    Choice and text fields match exactly; multi-choice matches records whose list contains the
    value; booleans accept true/false. Unknown keys are ignored (lists never 500 on a stale link).
    """
    from kefu.core.models import CustomFieldType as T

    definitions = {d.key: d for d in definitions_for(target)}
    for name, raw in params.items():
        if not name.startswith("cf_") or raw in (None, ""):
            continue
        definition = definitions.get(name[3:])
        if definition is None:
            continue
        lookup = f"custom_fields__{definition.key}"
        try:
            value = _clean_one(definition, raw)
        except ValidationError:
            return qs.none()
        if definition.field_type == T.MULTI_CHOICE:
            # JSON containment is not portable to SQLite; a text match on the quoted value is.
            qs = qs.filter(**{f"{lookup}__icontains": f'"{value[0]}"'}) if value else qs
        else:
            qs = qs.filter(**{lookup: value})
    return qs


DEFINITION_FIELDS = {
    "label",
    "label_zh_hans",
    "help_text",
    "is_required",
    "choices",
    "min_value",
    "max_value",
    "max_length",
    "regex",
    "order",
    "is_active",
}
# Stored values are keyed by ``key`` and shaped by ``field_type``: changing either would orphan
# or misread every value already saved, so they are fixed once created.
_FIXED_FIELDS = {"target", "key", "field_type"}


def _check_definition(definition) -> None:
    from kefu.core.models import CustomFieldType as T

    errors: dict[str, list[str]] = {}
    if definition.target not in _TARGETS:
        errors["target"] = [_("Custom fields cannot be added to this kind of record.")]
    if definition.field_type in (T.CHOICE, T.MULTI_CHOICE):
        choices = definition.choices
        valid = isinstance(choices, list) and all(
            isinstance(c, dict) and str(c.get("value") or "").strip() for c in choices
        )
        if not valid or not choices:
            errors["choices"] = [_("Give a list of choices, each with a value and a label.")]
        else:
            values = [str(c["value"]).strip() for c in choices]
            if len(set(values)) != len(values):
                errors["choices"] = [_("Each choice value may appear only once.")]
            definition.choices = [
                {
                    "value": str(c["value"]).strip(),
                    "label": str(c.get("label") or c["value"]).strip(),
                    "label_zh_hans": str(c.get("label_zh_hans") or "").strip(),
                }
                for c in choices
            ]
    elif definition.choices:
        errors["choices"] = [_("Only choice fields take choices.")]
    if (
        definition.min_value is not None
        and definition.max_value is not None
        and Decimal(str(definition.min_value)) > Decimal(str(definition.max_value))
    ):
        errors["max_value"] = [_("The maximum is below the minimum.")]
    if definition.regex:
        try:
            re.compile(definition.regex)
        except re.error:
            errors["regex"] = [_("This is not a valid regular expression.")]
    if errors:
        raise ValidationError(errors)


def _assign_definition(definition, fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(
            {
                name: [
                    _("This cannot be changed once the field exists.")
                    if name in _FIXED_FIELDS
                    else _("Unknown field.")
                ]
                for name in unknown
            }
        )
    for name, value in fields.items():
        if value is None and name in {"label_zh_hans", "help_text", "regex"}:
            value = ""
        if value is None and name == "choices":
            value = []
        setattr(definition, name, value)


def _full_clean_definition(definition) -> None:
    try:
        definition.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def customfield_definition_create(
    *, actor, target: str, key: str, label: str, field_type: str, **fields: Any
):
    """Define a new custom field on ``target`` records.

    Raises ``ValidationError`` for an unknown target or type, a duplicate key, choices missing
    on a choice field, min above max, or a pattern that does not compile.
    """
    from django.db import transaction

    from kefu.core.models import CustomFieldDefinition

    with transaction.atomic():
        definition = CustomFieldDefinition(
            target=(target or "").strip(),
            key=(key or "").strip(),
            label=(label or "").strip(),
            field_type=field_type,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _assign_definition(definition, fields, DEFINITION_FIELDS)
        _check_definition(definition)
        if CustomFieldDefinition.objects.filter(
            target=definition.target, key=definition.key
        ).exists():
            raise ValidationError({"key": [_("A field with this key already exists here.")]})
        _full_clean_definition(definition)
        definition.save()
    return definition


def customfield_definition_update(*, actor, definition, **fields: Any):
    """Change a definition's labels, validation, order or activity (not its key or type)."""
    from django.db import transaction

    from kefu.core.models import CustomFieldDefinition

    with transaction.atomic():
        definition = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        fixed = {name: fields.pop(name) for name in list(fields) if name in _FIXED_FIELDS}
        changed = {n for n, v in fixed.items() if v != getattr(definition, n)}
        if changed:
            raise ValidationError(
                {n: [_("This cannot be changed once the field exists.")] for n in sorted(changed)}
            )
        _assign_definition(definition, fields, DEFINITION_FIELDS)
        _check_definition(definition)
        _full_clean_definition(definition)
        definition.save()
    return definition


def customfield_definition_delete(*, actor, definition) -> None:
    """Delete a definition. Stored values stay in the records' JSON but are no longer shown.

    Deactivating (``is_active=False``) is the gentler choice; deleting frees the key.
    """
    definition.delete()
