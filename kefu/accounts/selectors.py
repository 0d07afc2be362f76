"""Reads of accounts data reused by views and the API."""

from django.db.models import Count, Prefetch, Q, QuerySet

from kefu.accounts.models import ApiToken, Team, User
from kefu.accounts.roles import group_name


def user_list(*, query: str = "", role: str = "", team: int | None = None, status: str = "active"):
    """Staff users for the administration list, with roles and teams prefetched (no N+1).

    ``status`` is ``active``, ``inactive`` or ``all``; ``query`` matches username, names, email.
    """
    from django.contrib.auth.models import Group

    users: QuerySet = User.objects.filter(is_staff=True)
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    if role:
        users = users.filter(groups__name=group_name(role))
    if team:
        users = users.filter(teams__pk=team)
    return (
        users.distinct()
        .order_by("username")
        .prefetch_related(
            Prefetch(
                "groups",
                queryset=Group.objects.filter(name__startswith=group_name("")).order_by("name"),
            ),
            Prefetch("teams", queryset=Team.objects.order_by("name")),
        )
    )


def staff_user_get(pk: int) -> User:
    """One staff user (raises ``User.DoesNotExist`` for portal users: not managed here)."""
    return User.objects.get(pk=pk, is_staff=True)


def team_list() -> QuerySet:
    """Teams with their lead and member count."""
    return Team.objects.select_related("lead").annotate(member_count=Count("members"))


def api_token_list_for_user(user) -> QuerySet:
    """The user's own tokens, newest first, revoked ones included (for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")
