"""The team board (who is available, how loaded), an agent's page with their skills, and
every agent's own availability switch.

Who sees whom follows the ticket rules (``selectors_team``); ``service.change_agentprofile``
sets others' availability and capacity, ``service.change_agentskill`` their skills.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kefu.accounts.policy import can, staff_required
from kefu.service import selectors_team, services
from kefu.service.choices import AvailabilityChoices
from kefu.service.forms import AgentProfileForm, AvailabilityForm, SkillForm

CHANGE_AGENTS = "service.change_agentprofile"
CHANGE_SKILLS = "service.change_agentskill"


def _queue_id(value) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _render_team(request, *, queue_id):
    queues = selectors_team.queue_choices_for(request.user)
    agents = selectors_team.team_for(request.user, queue_id=queue_id, visible_queues=queues)
    online = [a for a in agents if a.availability == AvailabilityChoices.ONLINE]
    context = {
        "agents": agents,
        "queues": queues,
        "queue_id": queue_id,
        "can_change": can(request.user, CHANGE_AGENTS),
        "online_count": len(online),
        "online_full_count": sum(1 for a in online if a.full),
        "online_load": sum(a.load for a in online),
        "online_capacity": sum(a.capacity for a in online),
    }
    return render(request, "service/team.html", context)


@staff_required("service.view_agentprofile")
def team(request):
    """Agents of the queues the user sees: availability, active tickets against capacity."""
    return _render_team(request, queue_id=_queue_id(request.GET.get("queue")))


@require_POST
@staff_required(CHANGE_AGENTS)
def team_member_update(request, user_id: int):
    """A supervisor sets an agent's availability and capacity (an agent they can see)."""
    member = selectors_team.team_member(request.user, user_id)
    form = AgentProfileForm(request.POST)
    if not form.is_valid():
        return _render_agent(request, member, profile_form=form, status=400)
    services.agent_profile_set(
        actor=request.user,
        user=selectors_team.user_of(member),
        availability=form.cleaned_data["availability"],
        capacity=form.cleaned_data["capacity"],
    )
    messages.success(request, _("%(name)s: saved.") % {"name": member.name})
    return redirect("service:team_agent", user_id=member.user_id)


@require_http_methods(["GET", "POST"])
@staff_required("service.view_ticket")
def my_availability(request):
    """GET: the switch and the user's load, a fragment the ticket list loads after itself
    (its own request keeps the list within its query budget). POST: set the user's own
    availability (online, away, off, out of office), then back to the page it came from."""
    if request.method == "GET":
        if not request.htmx:  # a fragment: the ticket list shows it
            return redirect("service:ticket_list")
        context = {
            "me": selectors_team.agent_state(request.user),
            "availability_choices": AvailabilityChoices.choices,
            "back": request.htmx.current_url_abs_path or reverse("service:ticket_list"),
        }
        return render(request, "service/_my_availability.html", context)
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("service:ticket_list")
    form = AvailabilityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an availability."))
        return redirect(back)
    profile = services.agent_profile_set(
        actor=request.user, user=request.user, availability=form.cleaned_data["availability"]
    )
    messages.success(
        request,
        _("Your availability: %(availability)s.")
        % {"availability": AvailabilityChoices(profile.availability).label},
    )
    return redirect(back)


def _render_agent(request, member, *, skill_form=None, profile_form=None, status=200):
    initial = {"availability": member.availability, "capacity": member.capacity}
    context = {
        "agent": member,
        "profile_form": profile_form or AgentProfileForm(initial=initial),
        "can_change_profile": can(request.user, CHANGE_AGENTS),
        "skills": selectors_team.agent_skills(member.user_id),
        "skill_form": skill_form or SkillForm(skill_choices=selectors_team.skill_choices()),
        "can_change_skills": can(request.user, CHANGE_SKILLS),
    }
    return render(request, "service/team_agent.html", context, status=status)


@staff_required("service.view_agentprofile")
def team_agent(request, user_id: int):
    """One agent of the board: availability, load, queues and skills (which skills-based
    assignment scores)."""
    return _render_agent(request, selectors_team.team_member(request.user, user_id))


@require_POST
@staff_required(CHANGE_SKILLS)
def team_agent_skill(request, user_id: int):
    """Give an agent a skill at a proficiency, change it, or (``remove=kind:key``) take it."""
    member = selectors_team.team_member(request.user, user_id)
    user = selectors_team.user_of(member)
    remove = request.POST.get("remove") or ""
    if remove:
        kind, _sep, key = remove.partition(":")
        try:
            services.agent_skill_set(
                actor=request.user, user=user, kind=kind, key=key, proficiency=0
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Skill removed."))
        return redirect("service:team_agent", user_id=member.user_id)
    form = SkillForm(request.POST, skill_choices=selectors_team.skill_choices())
    if not form.is_valid():
        return _render_agent(request, member, skill_form=form, status=400)
    data = form.cleaned_data
    try:
        services.agent_skill_set(
            actor=request.user,
            user=user,
            kind=data["kind"],
            key=data["key"],
            proficiency=data["proficiency"],
        )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return _render_agent(request, member, skill_form=form, status=400)
    messages.success(request, _("Skill saved."))
    return redirect("service:team_agent", user_id=member.user_id)
