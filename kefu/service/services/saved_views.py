"""Saved ticket lists: agents name a view with its filters and may share it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.policy import can
from kefu.service.models import SavedView

FILTER_KEYS = ("queue", "status", "priority", "channel", "organization", "assignee", "q", "sort")
VIEWS = ("mine", "unassigned", "queue", "recent", "all")


@transaction.atomic
def saved_view_create(
    *, actor, name: str, view: str = "all", filters: dict | None = None, is_shared: bool = False
) -> SavedView:
    """Save a list as ``name``. Unknown and empty filter keys are dropped; the name must be
    unique among the actor's own views."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the view a name.")]
    elif len(name) > 100:
        errors["name"] = [_("A name has at most 100 characters.")]
    elif SavedView.objects.filter(owner=actor, name=name).exists():
        errors["name"] = [_("You already have a view with this name.")]
    if view not in VIEWS:
        errors["view"] = [_("Unknown view.")]
    if errors:
        raise ValidationError(errors)
    kept = {
        k: str(v) for k, v in (filters or {}).items() if k in FILTER_KEYS and v not in ("", None)
    }
    return SavedView.objects.create(
        name=name, owner=actor, view=view, filters=kept, is_shared=bool(is_shared)
    )


@transaction.atomic
def saved_view_delete(*, actor, saved_view: SavedView) -> None:
    """Delete a saved view: its owner may, and so may holders of ``service.change_savedview``."""
    if saved_view.owner_id != actor.pk and not can(actor, "service.change_savedview"):
        raise PermissionDenied
    saved_view.delete()
