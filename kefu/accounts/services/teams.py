"""Writes to teams: create, update (members and lead), delete."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.models import Team, User
from kefu.accounts.services._audit import audited


def _clean(errors: dict, *, name: str, lead, members, instance: Team | None):
    if not name:
        errors["name"] = [_("Give the team a name.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    else:
        others = Team.objects.filter(name__iexact=name)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            errors["name"] = [_("A team with this name exists.")]
    member_list = None
    if members is not None:
        ids = {m.pk if isinstance(m, User) else m for m in members}
        member_list = list(User.objects.filter(pk__in=ids, is_staff=True))
        if len(member_list) != len(ids):
            errors["members"] = [_("Members must be staff users.")]
    lead_user = None
    if lead is not None:
        lead_id = lead.pk if isinstance(lead, User) else lead
        lead_user = User.objects.filter(pk=lead_id, is_staff=True, is_active=True).first()
        if lead_user is None:
            errors["lead"] = [_("The lead must be an active staff user.")]
    return member_list, lead_user


@audited
@transaction.atomic
def team_create(
    *, actor, name: str, description: str = "", lead=None, members: Iterable = ()
) -> Team:
    """Create a team; the lead (a staff user) is made a member too.

    Raises ``ValidationError`` for an empty or taken name, or non-staff members or lead.
    """
    name = (name or "").strip()
    errors: dict = {}
    member_list, lead_user = _clean(
        errors, name=name, lead=lead, members=list(members), instance=None
    )
    if errors:
        raise ValidationError(errors)
    team = Team.objects.create(name=name, description=(description or "").strip(), lead=lead_user)
    if lead_user is not None and lead_user not in member_list:
        member_list.append(lead_user)
    team.members.set(member_list)
    return team


@audited
@transaction.atomic
def team_update(
    *,
    actor,
    team: Team,
    name: str,
    description: str = "",
    lead=None,
    members: Iterable | None = None,
) -> Team:
    """Rename a team, set its lead and (if given) replace its members. Locks the team row.

    The lead is always a member: if left out of ``members`` they are added back.
    """
    team = Team.objects.select_for_update().get(pk=team.pk)
    name = (name or "").strip()
    errors: dict = {}
    member_list, lead_user = _clean(
        errors,
        name=name,
        lead=lead,
        members=list(members) if members is not None else None,
        instance=team,
    )
    if errors:
        raise ValidationError(errors)
    team.name = name
    team.description = (description or "").strip()
    team.lead = lead_user
    team.save()
    if member_list is not None:
        if lead_user is not None and lead_user not in member_list:
            member_list.append(lead_user)
        team.members.set(member_list)
    elif lead_user is not None:
        team.members.add(lead_user)
    return team


@audited
@transaction.atomic
def team_delete(*, actor, team: Team) -> None:
    """Delete a team; its members stay (only the membership goes)."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    team.members.clear()
    team.delete()
