"""Accounts as other apps see it: plain data and ids for people and teams.

Permission checks stay in :mod:`kefu.accounts.policy` and role grants in :mod:`kefu.accounts.roles`
(both stable APIs); this module answers "who is this user / who is in this team" for apps that
assign work (service desk queues, field-service dispatch, sales territories).
"""

from typing import Any

from kefu.accounts.models import Team, User
from kefu.accounts.roles import Role, group_name, roles_of

__all__ = [
    "Role",
    "staff_user_choices",
    "team_choices",
    "team_member_ids",
    "user_get_summary",
    "users_with_role",
]


def staff_user_choices(*, include_inactive: bool = False) -> list[tuple[int, str]]:
    """``[(id, display name)]`` of staff users, by username, for select boxes."""
    users = User.objects.filter(is_staff=True)
    if not include_inactive:
        users = users.filter(is_active=True)
    return [(u.pk, u.display_name) for u in users.order_by("username")]


def team_choices() -> list[tuple[int, str]]:
    """``[(id, name)]`` of every team, by name."""
    return list(Team.objects.order_by("name").values_list("pk", "name"))


def team_member_ids(team_id: int, *, active_only: bool = True) -> list[int]:
    """Ids of the team's members (active staff only by default); empty for an unknown team."""
    members = User.objects.filter(teams__pk=team_id, is_staff=True)
    if active_only:
        members = members.filter(is_active=True)
    return list(members.order_by("pk").values_list("pk", flat=True))


def users_with_role(role: str, *, active_only: bool = True) -> list[int]:
    """Ids of staff users holding ``role`` (a :class:`Role` value)."""
    users = User.objects.filter(is_staff=True, groups__name=group_name(role))
    if active_only:
        users = users.filter(is_active=True)
    return list(users.order_by("pk").values_list("pk", flat=True).distinct())


def user_get_summary(user_id: int) -> dict[str, Any] | None:
    """What another app shows about a user, or ``None`` for an unknown id."""
    user = User.objects.filter(pk=user_id).prefetch_related("groups", "teams").first()
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": user.display_name,
        "email": user.email,
        "is_staff": user.is_staff,
        "is_active": user.is_active,
        "language": user.language,
        "time_zone": user.time_zone,
        "roles": roles_of(user),
        "team_ids": sorted(t.pk for t in user.teams.all()),
    }
