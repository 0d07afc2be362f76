"""The staff roster: every active staff user's id, display name and email address, as
configuration snapshots.

Assignee pickers list every agent (hundreds): reading and naming them cost the ticket page
several milliseconds per view, and mail intake asks of every sender whether they are staff.
The roster is kept per process like the desk's configuration (``kefu.core.configstamp``): a change of a staff user's name, username, email, staff flag or
active flag, a new staff user, or a deleted one writes a new configuration token in the same
transaction, so the next page in every process lists the change. Saves that touch none of
those (``last_login`` at each sign-in) and portal customers who never were staff change
nothing. Writes without signals (``bulk_create``, ``QuerySet.update()``) must call
``configstamp.config_changed()``.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_init, post_save

from kefu.accounts.models import display_name_of
from kefu.core.configstamp import config_changed, snapshot

SNAPSHOT = "accounts.staff_roster"
EMAILS = "accounts.staff_emails"
ROSTER_FIELDS = frozenset({"is_staff", "is_active", "first_name", "last_name", "username", "email"})
COLUMNS = ("id", "first_name", "last_name", "username")


def staff_choices() -> list[tuple[int, str]]:
    """``(id, display name)`` of the active staff, by first name then username. Shared: do
    not change the list."""
    return snapshot(SNAPSHOT, _build)


def staff_id_by_email(address: str) -> int | None:
    """The active staff user with this email address (any case), or None; the lowest id
    when several share it. From the snapshot: mail intake asks for every message."""
    return snapshot(EMAILS, _build_emails).get((address or "").strip().lower())


def _build_emails() -> dict[str, int]:
    rows = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .order_by("-pk")
        .values_list("email", "pk")
    )
    return {email.lower(): pk for email, pk in rows}  # the lowest id is written last


def _build() -> list[tuple[int, str]]:
    rows = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by("first_name", "username")
        .values_list(*COLUMNS)
    )
    return [(pk, display_name_of(first, last, username)) for pk, first, last, username in rows]


def _remember(sender, instance, **kwargs) -> None:
    # What the row said when loaded (None when the flag was deferred: unknown).
    instance._kefu_was_staff = instance.__dict__.get("is_staff")


def _saved(sender, instance, created, update_fields=None, using="default", **kwargs) -> None:
    is_staff = instance.__dict__.get("is_staff")
    if is_staff is False and getattr(instance, "_kefu_was_staff", None) is False:
        return  # not staff before, not staff now
    if update_fields is not None and not ROSTER_FIELDS.intersection(update_fields):
        return  # e.g. last_login at sign-in
    instance._kefu_was_staff = is_staff
    config_changed(using=using)


def _deleted(sender, instance, using="default", **kwargs) -> None:
    if instance.__dict__.get("is_staff") is not False:
        config_changed(using=using)


def connect() -> None:
    user = get_user_model()
    post_init.connect(_remember, sender=user, dispatch_uid="kefu_roster_init", weak=False)
    post_save.connect(_saved, sender=user, dispatch_uid="kefu_roster_save", weak=False)
    post_delete.connect(_deleted, sender=user, dispatch_uid="kefu_roster_delete", weak=False)
