from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _


def assign_fields(obj: models.Model, fields: dict[str, Any], allowed: set[str]) -> None:
    """Set ``fields`` on ``obj``, refusing names outside ``allowed`` (a clear error, not a drop)."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    for name, value in fields.items():
        if value is None and name in allowed and not name.endswith("_id"):
            field = obj._meta.get_field(name)
            if not field.null:
                value = "" if isinstance(field, models.CharField | models.TextField) else value
        setattr(obj, name, value)


def full_clean(
    obj: models.Model, *, exclude: list[str] | None = None, validate_unique: bool = True
) -> None:
    """Run model validation; FK errors are reported under the ``*_id`` name the caller used.

    ``validate_unique=False`` leaves out the checks that read the database (uniqueness and
    constraints): for validating before a transaction, then :func:`validate_unique` inside it.
    """
    try:
        obj.full_clean(
            exclude=exclude, validate_unique=validate_unique, validate_constraints=validate_unique
        )
    except ValidationError as exc:
        renamed = {}
        for name, messages in exc.message_dict.items():
            try:
                field = obj._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            key = field.attname if field is not None and field.many_to_one else name
            renamed[key] = messages
        raise ValidationError(renamed) from None


def validate_unique(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """The database-reading half of :func:`full_clean` (uniqueness, then constraints)."""
    try:
        obj.validate_unique(exclude=exclude)
        obj.validate_constraints(exclude=exclude)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


def set_tags(obj: models.Model, names: list[str] | None) -> None:
    if names is None:
        return
    from kefu.core.models import Tag

    clean = []
    for name in names:
        name = str(name).strip()
        if name and name not in clean:
            if len(name) > 60:
                raise ValidationError({"tags": [_("A tag has at most 60 characters.")]})
            clean.append(name)
    tags = []
    for name in clean:
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    obj.tags.set(tags)
