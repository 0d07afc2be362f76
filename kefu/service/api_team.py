"""Team API: agents' availability, capacity and load (active tickets).

``GET /api/v1/agents`` lists the agents of the queues the caller sees (every agent for
supervisors), as the team board does (``service.view_agentprofile``). ``GET`` and ``PATCH
/api/v1/agents/me`` read and set the caller's own availability (any staff user of the desk).
``PATCH /api/v1/agents/{user_id}`` sets another agent's availability or capacity
(``service.change_agentprofile``: supervisors, administrators); ``GET`` and ``PUT
/api/v1/agents/{user_id}/skills`` read and change their skills (``service.change_agentskill``).
Changes are audited.
"""

import contextlib
from typing import Literal

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from kefu.accounts.policy import require
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core.audit import AuditSource, audit_context
from kefu.service import selectors_team, services
from kefu.service.choices import AvailabilityChoices, SkillKindChoices

router = Router(tags=["agents"])
Availability = Literal[tuple(AvailabilityChoices.values)]


class AgentOut(Schema):
    user_id: int
    name: str
    username: str
    availability: str
    capacity: int
    active_tickets: int
    at_capacity: bool
    queues: list[str]


class AvailabilityIn(Schema):
    availability: Availability


class AgentPatch(Schema):
    availability: Availability | None = None
    capacity: int | None = None


def _out(state: selectors_team.AgentState) -> AgentOut:
    return AgentOut(
        user_id=state.user_id,
        name=state.name,
        username=state.username,
        availability=state.availability,
        capacity=state.capacity,
        active_tickets=state.load,
        at_capacity=state.full,
        queues=list(state.queues),
    )


@contextlib.contextmanager
def _writing(request):
    with audit_context(source=AuditSource.API, actor=request.auth):
        yield


@router.get(
    "/agents",
    response={200: list[AgentOut], **LIST_ERRORS},
    summary="Agents with their availability and load",
    description="The agents of the queues you see (all of them for supervisors), by name; "
    "`queue` narrows to one queue.",
)
@paginate(PageNumberPagination)
def agent_list(request, queue: int | None = None):
    require(request.auth, "service.view_agentprofile")
    return [_out(s) for s in selectors_team.team_for(request.auth, queue_id=queue)]


@router.get(
    "/agents/me",
    response={200: AgentOut, **READ_ERRORS},
    summary="Your availability, capacity and load",
)
def agent_me(request):
    require(request.auth, "service.view_ticket")
    return _out(selectors_team.agent_state(request.auth))


@router.patch(
    "/agents/me",
    response={200: AgentOut, **WRITE_ERRORS},
    summary="Set your availability",
    description="online, away, off or out_of_office. Automatic assignment picks only agents "
    "who are online and below their capacity.",
)
def agent_me_update(request, payload: AvailabilityIn):
    require(request.auth, "service.view_ticket")
    with _writing(request):
        services.agent_profile_set(
            actor=request.auth, user=request.auth, availability=payload.availability
        )
    return _out(selectors_team.agent_state(request.auth))


@router.patch(
    "/agents/{user_id}",
    response={200: AgentOut, **WRITE_ERRORS},
    summary="Set an agent's availability or capacity",
)
def agent_update(request, user_id: int, payload: AgentPatch):
    require(request.auth, "service.change_agentprofile")
    member = selectors_team.user_of(selectors_team.team_member(request.auth, user_id))
    with _writing(request):
        services.agent_profile_set(
            actor=request.auth,
            user=member,
            **payload.model_dump(exclude_none=True),
        )
    return _out(selectors_team.team_member(request.auth, user_id))


class SkillOut(Schema):
    kind: str
    key: str
    label: str
    proficiency: int


class SkillIn(Schema):
    kind: Literal[tuple(SkillKindChoices.values)]
    key: str
    proficiency: int = Field(..., ge=0, le=5, description="1 (basic) to 5 (expert); 0 removes")


def _skills(member_id: int) -> list[SkillOut]:
    return [
        SkillOut(kind=s.kind, key=s.key, label=s.key_label, proficiency=s.proficiency)
        for s in selectors_team.agent_skills(member_id)
    ]


@router.get(
    "/agents/{user_id}/skills",
    response={200: list[SkillOut], **READ_ERRORS},
    summary="An agent's skills",
    description="Categories, products (SKU) and languages, each with a proficiency 1-5: what "
    "skills-based queues score.",
)
def agent_skills(request, user_id: int):
    require(request.auth, "service.view_agentskill")
    return _skills(selectors_team.team_member(request.auth, user_id).user_id)


@router.put(
    "/agents/{user_id}/skills",
    response={200: list[SkillOut], **WRITE_ERRORS},
    summary="Give, change or remove one of an agent's skills",
    description="`kind` category (a category key), language (`en`, `zh-hans`) or product (a "
    "SKU); `proficiency` 0 removes the skill. Answers the agent's skills after the change.",
)
def agent_skill_put(request, user_id: int, payload: SkillIn):
    require(request.auth, "service.change_agentskill")
    member = selectors_team.user_of(selectors_team.team_member(request.auth, user_id))
    with _writing(request):
        services.agent_skill_set(actor=request.auth, user=member, **payload.model_dump())
    return _skills(member.pk)
