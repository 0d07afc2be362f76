"""The team board: agents with their availability, capacity and load (active tickets).

Who sees whom follows the ticket rules: holders of ``service.view_all_tickets`` see every
agent; an agent sees the colleagues of their queues. Loads are the maintained ones
(:func:`kefu.service.routing.agent_loads`), so the board costs the same at any desk size.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404

from kefu.accounts.models import display_name_of
from kefu.service.choices import AvailabilityChoices, SkillKindChoices
from kefu.service.constants import DEFAULT_AGENT_CAPACITY
from kefu.service.models import AgentProfile, AgentSkill, Queue, QueueMembership
from kefu.service.routing import agent_loads, load_sql
from kefu.service.selectors import queues_visible_to


@dataclass(frozen=True)
class AgentState:
    """One agent on the board (a user without a profile yet shows the defaults)."""

    user_id: int
    name: str
    username: str
    availability: str
    capacity: int
    load: int
    queues: tuple[str, ...] = ()

    @property
    def availability_label(self) -> str:
        return str(AvailabilityChoices(self.availability).label)

    @property
    def full(self) -> bool:
        """At or over capacity: automatic assignment passes them by."""
        return self.load >= self.capacity


def _states(user_ids: list[int], queue_names: dict[int, list[str]]) -> list[AgentState]:
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .values_list("pk", "first_name", "last_name", "username")
    )
    rows = AgentProfile.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "availability", "capacity"
    )
    profiles = {pk: (availability, capacity) for pk, availability, capacity in rows}
    loads = agent_loads(user_ids)
    states = []
    for pk, first, last, username in users:
        availability, capacity = profiles.get(pk, (AvailabilityChoices.OFF, DEFAULT_AGENT_CAPACITY))
        states.append(
            AgentState(
                user_id=pk,
                name=display_name_of(first, last, username),
                username=username,
                availability=availability,
                capacity=capacity,
                load=loads.get(pk, 0),
                queues=tuple(queue_names.get(pk, ())),
            )
        )
    return sorted(states, key=lambda s: (s.name.casefold(), s.user_id))


def team_for(
    user,
    *,
    queue_id: int | None = None,
    member_id: int | None = None,
    visible_queues: list[Queue] | None = None,
) -> list[AgentState]:
    """The active staff working the queues ``user`` sees (one queue with ``queue_id``, one
    agent with ``member_id``), sorted by name, each with those of their queues ``user`` sees.
    ``visible_queues``: :func:`queue_choices_for` of ``user`` when the caller has them."""
    if visible_queues is None:
        visible_queues = queue_choices_for(user)
    queues = {q.pk: q for q in visible_queues}
    if queue_id is not None:
        queues = {queue_id: queues[queue_id]} if queue_id in queues else {}
    memberships = QueueMembership.objects.filter(
        queue_id__in=list(queues), user__is_active=True, user__is_staff=True
    )
    if member_id is not None:
        memberships = memberships.filter(user_id=member_id)
    queue_names: dict[int, list[str]] = {}
    for member, member_queue in memberships.values_list("user_id", "queue_id"):
        queue_names.setdefault(member, []).append(queues[member_queue].label)
    return _states(list(queue_names), queue_names)


def agent_state(user) -> AgentState:
    """``user``'s own availability, capacity and load, in one statement (the workspace list
    shows it on every full load)."""
    load, joins = load_sql("u.id")
    sql = f"""
        SELECT p.availability, p.capacity, {load}
        FROM {get_user_model()._meta.db_table} u
        LEFT JOIN {AgentProfile._meta.db_table} p ON p.user_id = u.id
        {joins}
        WHERE u.id = %s
    """  # noqa: S608  (identifiers come from model metadata, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        availability, capacity, active = cursor.fetchone()
    return AgentState(
        user_id=user.pk,
        name=user.display_name,
        username=user.get_username(),
        availability=availability or AvailabilityChoices.OFF,
        capacity=DEFAULT_AGENT_CAPACITY if capacity is None else capacity,
        load=active,
    )


def team_member(user, member_id: int) -> AgentState:
    """An agent ``user`` may see on the board, else 404 (never a hint that it exists)."""
    found = team_for(user, member_id=member_id)
    if not found:
        raise Http404
    return found[0]


def user_of(member: AgentState):
    """The user row behind a board entry (what the services change)."""
    return get_user_model().objects.get(pk=member.user_id)


def queue_choices_for(user) -> list[Queue]:
    """The queues the board can be narrowed to."""
    return list(queues_visible_to(user))


@dataclass(frozen=True)
class SkillRow:
    """One of an agent's skills, with what it means in the reader's language."""

    kind: str
    kind_label: str
    key: str
    key_label: str
    proficiency: int

    @property
    def value(self) -> str:
        """``kind:key``: how the skill editor names it."""
        return f"{self.kind}:{self.key}"


def _language_labels() -> dict[str, str]:
    from django.conf import settings

    return {code: str(name) for code, name in settings.LANGUAGES}


def agent_skills(member_id: int) -> list[SkillRow]:
    """An agent's skills, categories first, each with a readable name (a category's label, a
    language's name, a product's SKU)."""
    from kefu.service.configuration import desk_config

    categories = {c.key: c.label for c in desk_config().active_categories}
    languages = _language_labels()
    kinds = dict(SkillKindChoices.choices)
    rows = AgentSkill.objects.filter(user_id=member_id).values_list("kind", "key", "proficiency")
    names = {SkillKindChoices.CATEGORY: categories, SkillKindChoices.LANGUAGE: languages}
    return [
        SkillRow(
            kind=kind,
            kind_label=str(kinds.get(kind, kind)),
            key=key,
            key_label=names.get(kind, {}).get(key, key),
            proficiency=proficiency,
        )
        for kind, key, proficiency in rows
    ]


def skill_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The skills an agent can be given, grouped for a select: ``kind:key`` and a label (the
    active categories, then the interface languages). Products are typed as SKUs."""
    from kefu.service.configuration import desk_config

    categories = [
        (f"{SkillKindChoices.CATEGORY}:{c.key}", c.label) for c in desk_config().active_categories
    ]
    languages = [
        (f"{SkillKindChoices.LANGUAGE}:{code}", name) for code, name in _language_labels().items()
    ]
    return [
        (str(SkillKindChoices.CATEGORY.label), categories),
        (str(SkillKindChoices.LANGUAGE.label), languages),
    ]
