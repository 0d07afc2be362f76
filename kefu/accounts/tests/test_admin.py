import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from kefu.accounts.models import ApiToken, Team, User
from kefu.accounts.roles import roles_of
from kefu.accounts.services import (
    api_token_create,
    team_create,
    user_create,
    user_deactivate,
    user_update,
)
from kefu.accounts.tests.factories import TeamFactory, TOTPDeviceFactory


def _user_post(**overrides):
    data = {
        "username": "wang.fang",
        "email": "wang.fang@kefu.example",
        "first_name": "芳",
        "last_name": "王",
        "phone": "",
        "language": "zh-hans",
        "time_zone": "Asia/Shanghai",
        "roles": ["agent", "supervisor"],
        "password_choice": "mail",
        "password": "",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_staff_user_who_is_mailed_a_link(client, admin_user):
    team = TeamFactory(name="一线支持")
    client.force_login(admin_user)

    response = client.post(reverse("accounts:user_create"), _user_post(teams=[team.pk]))

    assert response.status_code == 302
    user = User.objects.get(username="wang.fang")
    assert user.is_staff and user.is_active
    assert not user.has_usable_password()
    assert sorted(roles_of(user)) == ["agent", "supervisor"]
    assert list(user.teams.all()) == [team]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    # Written in the new user's language.
    assert "wang.fang" in mail.outbox[0].body
    entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert entry.actor == admin_user


def test_admin_creates_a_user_with_a_password(client, admin_user):
    client.force_login(admin_user)

    client.post(
        reverse("accounts:user_create"),
        _user_post(password_choice="set", password="Quiet-river-stone-17"),
    )

    user = User.objects.get(username="wang.fang")
    assert user.check_password("Quiet-river-stone-17")
    assert mail.outbox == []


def test_user_create_refuses_a_taken_username_and_writes_nothing(client, admin_user, agent):
    client.force_login(admin_user)
    before = User.objects.count()

    response = client.post(reverse("accounts:user_create"), _user_post(username=agent.username))

    assert response.status_code == 200
    assert "taken" in response.content.decode()
    assert User.objects.count() == before


def test_admin_edits_roles_and_teams(client, admin_user, agent):
    old_team = TeamFactory(members=[agent])
    new_team = TeamFactory()
    client.force_login(admin_user)

    response = client.post(
        reverse("accounts:user_edit", args=[agent.pk]),
        _user_post(
            username=agent.username,
            email=agent.email,
            roles=["supervisor"],
            teams=[new_team.pk],
        ),
    )

    assert response.status_code == 302
    agent.refresh_from_db()
    assert roles_of(agent) == ["supervisor"]
    assert list(agent.teams.all()) == [new_team]
    assert agent not in old_team.members.all()
    assert agent.language == "zh-hans"


def test_admin_cannot_drop_their_own_admin_role(admin_user):
    with pytest.raises(ValidationError) as exc:
        user_update(actor=admin_user, user=admin_user, roles=["agent"])

    assert "roles" in exc.value.message_dict
    assert roles_of(admin_user) == ["admin"]


def test_deactivating_a_user_blocks_login_and_revokes_tokens(client, admin_user, agent):
    token, _raw = api_token_create(actor=agent, user=agent, name="t", scope="read")
    client.force_login(admin_user)

    response = client.post(reverse("accounts:user_deactivate", args=[agent.pk]))

    assert response.status_code == 302
    agent.refresh_from_db()
    token.refresh_from_db()
    assert agent.is_active is False
    assert token.revoked_at is not None
    client.logout()
    login = client.post(
        reverse("accounts:login"),
        {"username": agent.username, "password": "correct horse battery staple"},
    )
    assert login.status_code == 200


def test_admin_cannot_deactivate_themselves(client, admin_user):
    client.force_login(admin_user)

    client.post(reverse("accounts:user_deactivate", args=[admin_user.pk]))

    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_admin_sets_a_password_or_mails_a_reset_link(client, admin_user, agent):
    client.force_login(admin_user)

    client.post(reverse("accounts:user_password", args=[agent.pk]), {"send_link": "1"})
    client.post(
        reverse("accounts:user_password", args=[agent.pk]), {"password": "Amber-kite-field-88"}
    )

    assert len(mail.outbox) == 1
    agent.refresh_from_db()
    assert agent.check_password("Amber-kite-field-88")


def test_admin_turns_off_a_users_lost_two_factor(client, admin_user, agent):
    TOTPDeviceFactory(user=agent)
    client.force_login(admin_user)

    client.post(reverse("accounts:user_two_factor_reset", args=[agent.pk]))

    assert not agent.totpdevice_set.exists()


def test_portal_users_are_not_managed_on_the_staff_pages(client, admin_user, make_user):
    portal = make_user(None, username="portal-zhang")
    client.force_login(admin_user)

    assert client.get(reverse("accounts:user_edit", args=[portal.pk])).status_code == 404
    listed = client.get(reverse("accounts:user_list"), {"status": "all"})
    assert portal not in listed.context["page"]
    assert "portal-zhang" not in listed.content.decode()


def test_user_list_filters_by_role_and_search(client, admin_user, agent, supervisor):
    client.force_login(admin_user)

    by_role = client.get(reverse("accounts:user_list"), {"role": "supervisor"})
    by_query = client.get(reverse("accounts:user_list"), {"q": agent.username})

    assert [u.pk for u in by_role.context["page"]] == [supervisor.pk]
    assert [u.pk for u in by_query.context["page"]] == [agent.pk]


def test_user_list_query_count_does_not_grow_with_users(
    client, admin_user, make_user, django_assert_max_num_queries
):
    team = TeamFactory()
    for n in range(30):
        user = make_user("agent", username=f"bulk{n}")
        team.members.add(user)
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:user_list"))

    assert len(response.context["page"]) == 31


def test_admin_creates_edits_and_deletes_a_team(client, admin_user, agent, supervisor):
    client.force_login(admin_user)

    client.post(
        reverse("accounts:team_create"),
        {"name": "华东服务组", "description": "", "lead": supervisor.pk, "members": [agent.pk]},
    )
    team = Team.objects.get(name="华东服务组")
    assert team.lead == supervisor
    assert set(team.members.all()) == {agent, supervisor}

    client.post(
        reverse("accounts:team_edit", args=[team.pk]),
        {"name": "East", "description": "d", "lead": "", "members": [supervisor.pk]},
    )
    team.refresh_from_db()
    assert (team.name, team.lead) == ("East", None)
    assert list(team.members.all()) == [supervisor]

    client.post(reverse("accounts:team_delete", args=[team.pk]))
    assert not Team.objects.filter(pk=team.pk).exists()
    assert User.objects.filter(pk=agent.pk).exists()


def test_team_names_are_unique_ignoring_case(admin_user):
    team_create(actor=admin_user, name="Support")

    with pytest.raises(ValidationError) as exc:
        team_create(actor=admin_user, name="support")

    assert "name" in exc.value.message_dict
    assert Team.objects.count() == 1


def test_team_members_must_be_staff(admin_user, make_user):
    portal = make_user(None, username="customer")

    with pytest.raises(ValidationError) as exc:
        team_create(actor=admin_user, name="Mixed", members=[portal])

    assert "members" in exc.value.message_dict
    assert not Team.objects.exists()


def test_services_record_the_actor_outside_a_request(admin_user, agent):
    user_deactivate(actor=admin_user, user=agent)

    entry = LogEntry.objects.get_for_object(agent).latest("timestamp")
    assert entry.actor == admin_user
    assert "is_active" in entry.changes_dict
    assert not ApiToken.objects.filter(user=agent, revoked_at__isnull=True).exists()


def test_user_create_service_refuses_unknown_roles(admin_user):
    with pytest.raises(ValidationError) as exc:
        user_create(actor=admin_user, username="x", email="x@kefu.example", roles=["boss"])

    assert "roles" in exc.value.message_dict
    assert not User.objects.filter(username="x").exists()
