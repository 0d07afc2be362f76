"""Writes to staff users: create, update, roles, deactivate, passwords and preferences."""

import zoneinfo
from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.choices import LanguageChoices
from kefu.accounts.models import ApiToken, Team, User
from kefu.accounts.roles import Role, group_name
from kefu.accounts.services._audit import audited

# Fields an administrator edits on the user form; roles and teams are handled apart.
PROFILE_FIELDS = ("username", "email", "first_name", "last_name", "phone", "language", "time_zone")


def _validate_preferences(errors: dict, language: str | None, time_zone: str | None) -> None:
    if language is not None and language not in ("", *LanguageChoices.values):
        errors["language"] = [_("Unknown language.")]
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = [_("Unknown time zone.")]


def _validate_profile(errors: dict, data: dict, *, instance: User | None) -> None:
    username = data.get("username")
    if username is not None:
        if not username:
            errors["username"] = [_("Enter a username.")]
        else:
            others = User.objects.filter(username__iexact=username)
            if instance is not None:
                others = others.exclude(pk=instance.pk)
            if others.exists():
                errors["username"] = [_("This username is taken.")]
    email = data.get("email")
    if email is not None:
        if not email:
            errors["email"] = [_("Staff users need an email address (for password resets).")]
        else:
            others = User.objects.filter(email__iexact=email, is_active=True)
            if instance is not None:
                others = others.exclude(pk=instance.pk)
            if others.exists():
                errors["email"] = [_("Another active user has this email address.")]
    _validate_preferences(errors, data.get("language"), data.get("time_zone"))


def _clean_roles(errors: dict, roles: Iterable[str] | None) -> list[str] | None:
    if roles is None:
        return None
    roles = [str(r) for r in roles]
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        errors["roles"] = [_("Unknown role: %(role)s.") % {"role": ", ".join(unknown)}]
    return roles


def _clean_teams(errors: dict, teams: Iterable | None) -> list[Team] | None:
    if teams is None:
        return None
    teams = list(teams)
    ids = [t.pk if isinstance(t, Team) else t for t in teams]
    found = list(Team.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        errors["teams"] = [_("Unknown team.")]
    return found


def _set_roles(user: User, roles: list[str]) -> None:
    prefix = group_name("")
    wanted = set(roles)
    for group in user.groups.filter(name__startswith=prefix):
        if group.name[len(prefix) :] not in wanted:
            user.groups.remove(group)
    for role in wanted:
        group, _created = Group.objects.get_or_create(name=group_name(role))
        user.groups.add(group)


@audited
@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    language: str = "",
    time_zone: str = "",
    roles: Iterable[str] = (),
    teams: Iterable = (),
    password: str | None = None,
) -> User:
    """Create an active staff user with ``roles`` (role groups) and ``teams``.

    Without ``password`` the account has no usable password until the user follows a reset link
    (:func:`kefu.accounts.services.password_reset_mail_send`). Raises ``ValidationError`` for a
    taken username, a missing or duplicate email, unknown roles or teams, or a weak password.
    """
    data = {
        "username": (username or "").strip(),
        "email": (email or "").strip(),
        "first_name": (first_name or "").strip(),
        "last_name": (last_name or "").strip(),
        "phone": (phone or "").strip(),
        "language": language or "",
        "time_zone": time_zone or "",
    }
    errors: dict = {}
    _validate_profile(errors, data, instance=None)
    roles = _clean_roles(errors, roles)
    teams = _clean_teams(errors, teams)
    user = User(is_staff=True, is_active=True, **data)
    if password:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    _set_roles(user, roles)
    for team in teams:
        team.members.add(user)
    return user


@audited
@transaction.atomic
def user_update(
    *,
    actor,
    user: User,
    roles: Iterable[str] | None = None,
    teams: Iterable | None = None,
    **fields,
) -> User:
    """Change a staff user's profile fields, and (if given) replace their roles and teams.

    Locks the user row. An administrator cannot take the administrator role away from themselves
    (nobody would be left to give it back). Raises ``ValidationError`` like :func:`user_create`.
    """
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": [_("Unknown fields: %s") % ", ".join(sorted(unknown))]})
    user = User.objects.select_for_update().get(pk=user.pk)
    data = {k: (v or "").strip() for k, v in fields.items()}
    errors: dict = {}
    _validate_profile(errors, data, instance=user)
    roles = _clean_roles(errors, roles)
    teams = _clean_teams(errors, teams)
    if roles is not None and actor.pk == user.pk and Role.ADMIN.value not in roles:
        from kefu.accounts.roles import roles_of

        if Role.ADMIN.value in roles_of(user):
            errors["roles"] = [_("You cannot remove the administrator role from yourself.")]
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in data.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        user.save(update_fields=changed)
    if roles is not None:
        _set_roles(user, roles)
    if teams is not None:
        current = set(user.teams.values_list("pk", flat=True))
        wanted = {t.pk for t in teams}
        for team in Team.objects.filter(pk__in=current - wanted):
            team.members.remove(user)
            if team.lead_id == user.pk:
                team.lead = None
                team.save(update_fields=["lead"])
        for team in teams:
            if team.pk not in current:
                team.members.add(user)
    return user


@audited
@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Stop a user from logging in: sessions stop working and API tokens are revoked.

    The row stays (history points at it). Raises ``ValidationError`` when deactivating oneself.
    """
    from django.utils import timezone

    if actor.pk == user.pk:
        raise ValidationError({"__all__": [_("You cannot deactivate yourself.")]})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    for token in ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return user


@audited
@transaction.atomic
def user_activate(*, actor, user: User) -> User:
    """Let a deactivated user log in again (their revoked tokens stay revoked)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


@audited
@transaction.atomic
def user_password_set(*, actor, user: User, password: str) -> User:
    """Set ``user``'s password after Django's password validators accept it.

    Used by administrators, by the password-reset link and by :func:`user_password_change`.
    Raises ``ValidationError({"password": [...]})`` for a weak password.
    """
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.save(update_fields=["password"])
    # The caller's instance must carry the new hash too: the session hash is derived from it.
    user.password = locked.password
    return user


def user_password_change(*, actor, user: User, old_password: str, new_password: str) -> User:
    """Change one's own password; the old one must be right.

    Raises ``ValidationError({"old_password": [...]})`` or ``{"password": [...]}``.
    """
    if not user.check_password(old_password or ""):
        raise ValidationError({"old_password": [_("Your old password is not right.")]})
    return user_password_set(actor=actor, user=user, password=new_password)


@audited
@transaction.atomic
def user_preferences_update(
    *, actor, user: User, language: str | None = None, time_zone: str | None = None
) -> User:
    """Save a user's interface language and time zone (empty = follow the browser/site)."""
    errors: dict = {}
    _validate_preferences(errors, language, time_zone)
    if errors:
        raise ValidationError(errors)
    fields = []
    if language is not None and user.language != language:
        user.language = language
        fields.append("language")
    if time_zone is not None and user.time_zone != time_zone:
        user.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        user.save(update_fields=fields)
    return user
