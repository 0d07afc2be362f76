"""The team board, an agent's own availability switch and the agents API.

Who sees whom follows the ticket rules; only ``service.change_agentprofile`` (supervisors,
administrators) changes another agent; everyone sets their own availability. Denied and
invalid requests change nothing; accepted ones are audited and steer automatic assignment.
"""

import json

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from kefu.service.models import AgentProfile
from kefu.service.tests.factories import QueueFactory


@pytest.fixture
def team(make_agent, desk, make_ticket):
    """Two agents of the general queue (one with two active tickets), one of another queue."""
    other = QueueFactory(key="vip", name="VIP", name_zh_hans="贵宾")
    busy = make_agent(desk, username="busy", first_name="Bo", last_name="Busy", capacity=2)
    idle = make_agent(desk, username="idle", first_name="Ida", last_name="Idle")
    elsewhere = make_agent(other, username="elsewhere", first_name="Eli", last_name="Else")
    make_ticket(assignee_id=busy.pk)
    make_ticket(assignee_id=busy.pk)
    return {"busy": busy, "idle": idle, "elsewhere": elsewhere, "vip": other, "general": desk}


def _profile(user) -> tuple[str, int]:
    profile = AgentProfile.objects.get(user=user)
    return profile.availability, profile.capacity


def test_an_agent_sees_the_colleagues_of_their_queues_with_their_loads(client, team):
    client.force_login(team["idle"])
    response = client.get(reverse("service:team"))
    assert response.status_code == 200
    agents = {a.username: a for a in response.context["agents"]}
    assert set(agents) == {"busy", "idle"}  # not the other queue's agent
    assert (agents["busy"].load, agents["busy"].capacity, agents["busy"].full) == (2, 2, True)
    html = response.content.decode()
    assert "Open an agent to change" not in html  # agents do not change others
    agent_page = client.get(reverse("service:team_agent", args=[team["busy"].pk]))
    assert 'id="profile-form"' not in agent_page.content.decode()
    assert "2 of 2" in html
    assert f'status=active&amp;assignee={team["busy"].pk}"' in html  # the load links the tickets


def test_a_supervisor_sees_everyone_and_narrows_by_queue(client, supervisor, team):
    client.force_login(supervisor)
    everyone = client.get(reverse("service:team")).context["agents"]
    assert {"busy", "idle", "elsewhere"} <= {a.username for a in everyone}
    vip = client.get(reverse("service:team"), {"queue": team["vip"].pk}).context["agents"]
    assert [a.username for a in vip] == ["elsewhere"]
    assert vip[0].queues == ("VIP",)
    # A queue id that is not a number is ignored, not an error.
    assert client.get(reverse("service:team"), {"queue": "x"}).status_code == 200


def test_the_board_is_in_chinese(client, supervisor, team):
    client.force_login(supervisor)
    html = client.get(
        reverse("service:team"), {"queue": team["vip"].pk}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "团队" in html and "贵宾" in html and "在线" in html


def test_a_supervisor_changes_an_agents_availability_and_capacity_audited(client, supervisor, team):
    client.force_login(supervisor)
    agent = team["idle"]
    page = client.get(reverse("service:team_agent", args=[agent.pk])).content.decode()
    assert 'id="profile-form"' in page
    response = client.post(
        reverse("service:team_member_update", args=[agent.pk]),
        {"availability": "away", "capacity": "7"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("service:team_agent", args=[agent.pk])
    assert _profile(agent) == ("away", 7)
    entry = LogEntry.objects.get_for_object(AgentProfile.objects.get(user=agent)).latest("pk")
    assert entry.actor_id == supervisor.pk
    assert "availability" in entry.changes_dict


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"availability": "away", "capacity": "5000"}, "capacity"),
        ({"availability": "asleep", "capacity": "5"}, "availability"),
        ({"availability": "away"}, "capacity"),
    ],
)
def test_bad_input_on_the_board_shows_the_field_error_and_changes_nothing(
    client, supervisor, team, data, field
):
    client.force_login(supervisor)
    agent = team["idle"]
    before = _profile(agent)
    response = client.post(reverse("service:team_member_update", args=[agent.pk]), data)
    assert response.status_code == 400
    assert response.context["profile_form"].errors[field]
    assert 'class="errorlist' in response.content.decode()
    assert _profile(agent) == before


@pytest.mark.parametrize(("who", "expected"), [("agent", 403), ("portal", 403), ("anon", 302)])
def test_only_supervisors_change_other_agents(client, make_user, team, who, expected):
    if who == "agent":
        client.force_login(team["busy"])
    elif who == "portal":
        client.force_login(make_user(None, username="customer"))
    agent = team["idle"]
    before = _profile(agent)
    response = client.post(
        reverse("service:team_member_update", args=[agent.pk]),
        {"availability": "off", "capacity": "0"},
    )
    assert response.status_code == expected
    assert _profile(agent) == before
    if who != "agent":
        assert client.get(reverse("service:team")).status_code == expected


def test_an_agent_unknown_to_the_supervisor_is_a_404(client, supervisor, make_user):
    client.force_login(supervisor)
    stranger = make_user("agent", username="no-queue")  # works no queue: not on the board
    response = client.post(
        reverse("service:team_member_update", args=[stranger.pk]),
        {"availability": "online", "capacity": "3"},
    )
    assert response.status_code == 404
    assert not AgentProfile.objects.filter(user=stranger).exists()


def test_an_agent_sets_their_own_availability_and_assignment_follows(client, team, make_ticket):
    from kefu.core.configstamp import config_changed
    from kefu.service.models import Queue

    Queue.objects.filter(pk=team["general"].pk).update(assignment_mode="least_loaded")
    config_changed()  # a queryset update sends no signal
    agent = team["idle"]
    client.force_login(agent)
    page = client.get(reverse("service:ticket_list")).content.decode()
    assert 'hx-get="/service/me/availability/"' in page  # loaded after the list
    switch = client.get(
        reverse("service:my_availability"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/service/?view=mine",
    ).content.decode()
    assert "0 of 20 active tickets" in switch
    assert 'name="next" value="/service/?view=mine"' in switch
    assert client.get(reverse("service:my_availability"))["Location"] == "/service/"

    response = client.post(
        reverse("service:my_availability"), {"availability": "away", "next": "/service/?view=mine"}
    )
    assert response.status_code == 302 and response["Location"] == "/service/?view=mine"
    assert _profile(agent)[0] == "away"
    assert LogEntry.objects.get_for_object(AgentProfile.objects.get(user=agent)).exists()
    # Away: the busy agent is full, so nobody gets the ticket; back online, the agent does.
    assert make_ticket().assignee_id is None
    client.post(reverse("service:my_availability"), {"availability": "online"})
    assert make_ticket().assignee_id == agent.pk


def test_own_availability_refuses_bad_input_and_foreign_redirects(client, team):
    agent = team["idle"]
    client.force_login(agent)
    before = _profile(agent)
    response = client.post(
        reverse("service:my_availability"), {"availability": "napping", "next": "/service/"}
    )
    assert response.status_code == 302
    assert _profile(agent) == before
    response = client.post(
        reverse("service:my_availability"),
        {"availability": "off", "next": "https://evil.example/steal"},
    )
    assert response["Location"] == reverse("service:ticket_list")
    assert _profile(agent)[0] == "off"


def test_portal_users_and_visitors_have_no_availability(client, make_user):
    assert client.post(reverse("service:my_availability"), {"availability": "online"})[
        "Location"
    ].startswith("/accounts/login")
    customer = make_user(None, username="customer")
    client.force_login(customer)
    response = client.post(reverse("service:my_availability"), {"availability": "online"})
    assert response.status_code == 403
    assert not AgentProfile.objects.filter(user=customer).exists()


# --- API ------------------------------------------------------------------------------------


def _patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_api_lists_the_team_with_loads(api, team):
    response = api(team["idle"]).get("/api/v1/agents")
    assert response.status_code == 200
    items = {item["username"]: item for item in response.json()["items"]}
    assert set(items) == {"busy", "idle"}
    assert items["busy"]["active_tickets"] == 2 and items["busy"]["at_capacity"] is True


def test_api_own_availability(api, team):
    client = api(team["idle"])
    assert client.get("/api/v1/agents/me").json()["availability"] == "online"
    response = _patch(client, "/api/v1/agents/me", {"availability": "out_of_office"})
    assert response.status_code == 200
    assert response.json()["availability"] == "out_of_office"
    assert _profile(team["idle"])[0] == "out_of_office"

    bad = _patch(client, "/api/v1/agents/me", {"availability": "asleep"})
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert _profile(team["idle"])[0] == "out_of_office"


def test_api_other_agents_change_for_supervisors_only(api, supervisor, team):
    target = f"/api/v1/agents/{team['idle'].pk}"
    denied = _patch(api(team["busy"]), target, {"capacity": 1})
    assert denied.status_code == 403
    assert denied["Content-Type"].startswith("application/problem+json")
    assert _profile(team["idle"]) == ("online", 20)

    response = _patch(api(supervisor), target, {"capacity": 3})
    assert response.status_code == 200
    assert response.json()["capacity"] == 3 and response.json()["queues"] == ["General"]
    assert _profile(team["idle"]) == ("online", 3)

    too_many = _patch(api(supervisor), target, {"capacity": 100_000})
    assert too_many.status_code == 422
    assert _profile(team["idle"]) == ("online", 3)
    assert _patch(api(supervisor), "/api/v1/agents/999999", {"capacity": 3}).status_code == 404


def test_api_refuses_portal_customers(api, make_user):
    client = api(make_user(None, username="customer"))
    assert client.get("/api/v1/agents").status_code == 403
    assert client.get("/api/v1/agents/me").status_code == 403
    assert _patch(client, "/api/v1/agents/me", {"availability": "online"}).status_code == 403


def test_signing_out_takes_an_agent_off_assignment(client, team, supervisor):
    agent = team["idle"]
    client.force_login(agent)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert _profile(agent)[0] == "off"
    entry = LogEntry.objects.get_for_object(AgentProfile.objects.get(user=agent)).latest("pk")
    assert entry.actor_id == agent.pk

    # Out of office is kept; someone without a profile gets none.
    AgentProfile.objects.filter(user=agent).update(availability="out_of_office")
    client.force_login(agent)
    client.post(reverse("accounts:logout"))
    assert _profile(agent)[0] == "out_of_office"
    client.force_login(supervisor)
    client.post(reverse("accounts:logout"))
    assert not AgentProfile.objects.filter(user=supervisor).exists()


# --- An agent's page and skills -------------------------------------------------------------


def test_a_supervisor_gives_changes_and_removes_skills_and_routing_follows(
    client, supervisor, team, make_ticket
):
    from kefu.core.configstamp import config_changed
    from kefu.service.models import AgentSkill, Queue
    from kefu.service.tests.factories import CategoryFactory

    printers = CategoryFactory(key="printers", name="Printers", name_zh_hans="打印机")
    Queue.objects.filter(pk=team["general"].pk).update(assignment_mode="skills")
    config_changed()
    agent = team["idle"]
    client.force_login(supervisor)
    url = reverse("service:team_agent_skill", args=[agent.pk])

    assert client.post(url, {"skill": "category:printers", "proficiency": "4"}).status_code == 302
    assert client.post(url, {"product_sku": " POS-9 ", "proficiency": "2"}).status_code == 302
    assert client.post(url, {"skill": "category:printers", "proficiency": "5"}).status_code == 302
    assert set(AgentSkill.objects.filter(user=agent).values_list("kind", "key", "proficiency")) == {
        ("category", "printers", 5),
        ("product", "POS-9", 2),
    }
    assert LogEntry.objects.filter(content_type__model="agentskill").exists()
    page = client.get(reverse("service:team_agent", args=[agent.pk])).content.decode()
    assert "Printers" in page and "POS-9" in page and "5 / 5" in page
    assert make_ticket(category_id=printers.pk).assignee_id == agent.pk

    assert client.post(url, {"remove": "product:POS-9"}).status_code == 302
    assert not AgentSkill.objects.filter(user=agent, kind="product").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"proficiency": "3"},  # nothing chosen
        {"skill": "category:printers", "product_sku": "POS-9", "proficiency": "3"},  # both
        {"skill": "category:nope", "proficiency": "3"},  # not a category
        {"skill": "language:en", "proficiency": "9"},
    ],
)
def test_bad_skill_input_is_a_field_error_and_writes_nothing(client, supervisor, team, data):
    from kefu.service.models import AgentSkill

    client.force_login(supervisor)
    response = client.post(reverse("service:team_agent_skill", args=[team["idle"].pk]), data)
    assert response.status_code == 400
    assert response.context["skill_form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert not AgentSkill.objects.filter(user=team["idle"]).exists()


def test_agents_read_skills_but_do_not_change_them(client, team):
    from kefu.service.models import AgentSkill

    client.force_login(team["busy"])
    page = client.get(reverse("service:team_agent", args=[team["idle"].pk]))
    assert page.status_code == 200
    assert 'id="skill-form"' not in page.content.decode()
    response = client.post(
        reverse("service:team_agent_skill", args=[team["idle"].pk]),
        {"skill": "language:en", "proficiency": "3"},
    )
    assert response.status_code == 403
    assert not AgentSkill.objects.filter(user=team["idle"]).exists()
    # An agent of a queue they do not work is not theirs to look at.
    assert client.get(reverse("service:team_agent", args=[team["elsewhere"].pk])).status_code == 404


def test_the_agent_page_is_in_chinese(client, supervisor, team):
    client.force_login(supervisor)
    html = client.get(
        reverse("service:team_agent", args=[team["busy"].pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "技能" in html and "2 / 2" in html


def test_api_skills_for_supervisors_read_for_agents(api, supervisor, team):
    from kefu.service.models import AgentSkill
    from kefu.service.tests.factories import CategoryFactory

    CategoryFactory(key="network", name="Network", name_zh_hans="网络")
    url = f"/api/v1/agents/{team['idle'].pk}/skills"
    boss = api(supervisor)
    response = boss.put(
        url,
        json.dumps({"kind": "category", "key": "network", "proficiency": 4}),
        "application/json",
    )
    assert response.status_code == 200
    assert response.json() == [
        {"kind": "category", "key": "network", "label": "Network", "proficiency": 4}
    ]
    for body, status in (
        ({"kind": "category", "key": "no-such", "proficiency": 3}, 422),
        ({"kind": "language", "key": "fr", "proficiency": 3}, 422),
        ({"kind": "mood", "key": "happy", "proficiency": 3}, 422),
        ({"kind": "language", "key": "en", "proficiency": 6}, 422),
    ):
        bad = boss.put(url, json.dumps(body), "application/json")
        assert bad.status_code == status, body
        assert bad["Content-Type"].startswith("application/problem+json")
    assert AgentSkill.objects.filter(user=team["idle"]).count() == 1

    colleague = api(team["busy"])
    assert colleague.get(url).json()[0]["key"] == "network"
    denied = colleague.put(
        url, json.dumps({"kind": "language", "key": "en", "proficiency": 2}), "application/json"
    )
    assert denied.status_code == 403
    gone = boss.put(
        url,
        json.dumps({"kind": "category", "key": "network", "proficiency": 0}),
        "application/json",
    )
    assert gone.json() == []
    assert not AgentSkill.objects.filter(user=team["idle"]).exists()


def test_the_board_costs_the_same_queries_for_3_or_30_agents_and_escapes_names(
    client, supervisor, desk, make_agent
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_agent(desk, username="x-0", first_name='<b>"坏"</b>')
    client.force_login(supervisor)
    counts = []
    for total in (3, 30):
        while len(client.get(reverse("service:team")).context["agents"]) < total:
            make_agent(desk)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("service:team")).content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "<b>" not in html and "&lt;b&gt;&quot;坏&quot;&lt;/b&gt;" in html


def test_the_home_page_counts_the_agents_online_you_can_see(client, supervisor, team):
    from kefu.service.tiles import home_tiles

    def online(user):
        tile = next(t for t in home_tiles(user) if t["url"] == reverse("service:team"))
        return tile["value"]

    assert online(supervisor) == 3  # busy, idle, elsewhere
    assert online(team["idle"]) == 2  # the general queue's
    AgentProfile.objects.filter(user=team["busy"]).update(availability="away")
    assert online(team["idle"]) == 1
    client.force_login(team["idle"])
    assert "Agents online" in client.get("/").content.decode()
