"""Roles and the permission sets they grant.

A role is a Django group whose permissions are kept in sync with the grants declared in code: each
app calls :func:`grant` in its ``AppConfig.ready`` and :func:`sync_role_groups` runs after every
``migrate``. ``"app_label.*"`` grants every permission of an app. Administrators may add
permissions to a role group by hand; a sync never removes those.
"""

from collections import defaultdict

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    SALES = "sales", _("Sales representative")
    MARKETER = "marketer", _("Marketer")
    TECHNICIAN = "technician", _("Field technician")
    ADMIN = "admin", _("Administrator")


_GRANTS: dict[str, set[str]] = defaultdict(set)


def grant(role: str, permissions: list[str]) -> None:
    """Declare that ``role`` holds ``permissions`` (``"app.codename"`` or ``"app.*"``)."""
    _GRANTS[str(role)].update(permissions)


def granted(role: str) -> set[str]:
    return set(_GRANTS.get(str(role), set()))


def group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups(sender=None, **kwargs) -> None:
    """Create one group per role and add the permissions granted to it (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _created = Group.objects.get_or_create(name=group_name(role.value))
        wanted = Permission.objects.none()
        by_app = [p.split(".")[0] for p in _GRANTS[role.value] if p.endswith(".*")]
        exact = [p.split(".", 1) for p in _GRANTS[role.value] if not p.endswith(".*")]
        query = models.Q(pk__in=[])
        if by_app:
            query |= models.Q(content_type__app_label__in=by_app)
        for app_label, codename in exact:
            query |= models.Q(content_type__app_label=app_label, codename=codename)
        wanted = Permission.objects.filter(query)
        group.permissions.add(*wanted)


def assign_role(user, role: str) -> None:
    from django.contrib.auth.models import Group

    group, _created = Group.objects.get_or_create(name=group_name(role))
    user.groups.add(group)


def roles_of(user) -> list[str]:
    prefix = group_name("")
    return [g.name[len(prefix) :] for g in user.groups.all() if g.name.startswith(prefix)]
