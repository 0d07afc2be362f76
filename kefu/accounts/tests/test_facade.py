from kefu.accounts import facade
from kefu.accounts.tests.factories import TeamFactory


def test_team_member_ids_lists_active_staff_members_only(make_user, agent, supervisor):
    gone = make_user("agent", username="gone", is_active=False)
    team = TeamFactory(members=[agent, supervisor, gone])

    assert facade.team_member_ids(team.pk) == sorted([agent.pk, supervisor.pk])
    assert facade.team_member_ids(team.pk, active_only=False) == sorted(
        [agent.pk, supervisor.pk, gone.pk]
    )
    assert facade.team_member_ids(999999) == []


def test_users_with_role_and_choices_leave_out_portal_users(make_user, agent, supervisor):
    portal = make_user(None, username="portal")

    assert facade.users_with_role("agent") == [agent.pk]
    ids = [pk for pk, _name in facade.staff_user_choices()]
    assert agent.pk in ids and supervisor.pk in ids and portal.pk not in ids


def test_user_summary_is_plain_data(agent):
    team = TeamFactory(members=[agent])

    summary = facade.user_get_summary(agent.pk)

    assert summary["roles"] == ["agent"]
    assert summary["team_ids"] == [team.pk]
    assert summary["display_name"] == agent.display_name
    assert facade.user_get_summary(999999) is None
    assert facade.team_choices() == [(team.pk, team.name)]
