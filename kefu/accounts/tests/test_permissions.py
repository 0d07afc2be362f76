"""Permission matrix for every accounts page: anonymous, portal customer, agent, supervisor,
admin. Denied writes must leave every accounts row as it was."""

import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kefu.accounts.models import ApiToken, Team, User
from kefu.accounts.services import api_token_create
from kefu.accounts.tests.factories import TeamFactory, TOTPDeviceFactory

OWN_PAGES = ["profile", "token_list", "two_factor", "password_change"]
ADMIN_PAGES = ["user_list", "user_create", "user_edit", "team_list", "team_create", "team_edit"]


@pytest.fixture
def world(make_user, admin_user, agent, supervisor):
    """A target user with a token and a 2FA device, a team, and a portal customer."""
    target = make_user("agent", username="target")
    token, _raw = api_token_create(actor=target, user=target, name="t", scope="read")
    TOTPDeviceFactory(user=target)
    team = TeamFactory(name="Target team", lead=target, members=[target])
    portal = make_user(None, username="portal-customer")
    return {
        "target": target,
        "token": token,
        "team": team,
        "portal": portal,
        "admin": admin_user,
        "agent": agent,
        "supervisor": supervisor,
    }


def _url(name: str, world) -> str:
    if name == "user_edit":
        return reverse("accounts:user_edit", args=[world["target"].pk])
    if name == "team_edit":
        return reverse("accounts:team_edit", args=[world["team"].pk])
    return reverse(f"accounts:{name}")


def _writes(world) -> list[tuple[str, dict]]:
    target, team = world["target"], world["team"]
    return [
        (reverse("accounts:token_revoke", args=[world["token"].pk]), {}),
        (reverse("accounts:two_factor_start"), {}),
        (
            reverse("accounts:user_create"),
            {"username": "intruder", "email": "i@kefu.example", "password_choice": "mail"},
        ),
        (
            reverse("accounts:user_edit", args=[target.pk]),
            {"username": "renamed", "email": target.email, "roles": ["admin"]},
        ),
        (reverse("accounts:user_deactivate", args=[target.pk]), {}),
        (reverse("accounts:user_password", args=[target.pk]), {"password": "Xy-long-pass-991"}),
        (reverse("accounts:user_two_factor_reset", args=[target.pk]), {}),
        (reverse("accounts:team_create"), {"name": "Intruders"}),
        (reverse("accounts:team_edit", args=[team.pk]), {"name": "Renamed"}),
        (reverse("accounts:team_delete", args=[team.pk]), {}),
    ]


def _snapshot() -> dict:
    return {
        "users": sorted(
            User.objects.values_list("pk", "username", "is_active", "password", "is_staff")
        ),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "teams": sorted(Team.objects.values_list("pk", "name", "lead_id")),
        "members": sorted(Team.members.through.objects.values_list("team_id", "user_id")),
        "tokens": sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        "devices": sorted(TOTPDevice.objects.values_list("pk", "confirmed")),
        "group_count": Group.objects.count(),
    }


def test_anonymous_is_sent_to_login_everywhere_and_changes_nothing(client, world):
    for name in OWN_PAGES + ADMIN_PAGES:
        response = client.get(_url(name, world))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("accounts:login")), name
    before = _snapshot()
    for url, data in _writes(world):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login")), url
    assert _snapshot() == before


def test_portal_user_gets_403_on_every_accounts_page_and_changes_nothing(client, world):
    client.force_login(world["portal"])
    for name in OWN_PAGES + ADMIN_PAGES:
        assert client.get(_url(name, world)).status_code == 403, name
    before = _snapshot()
    for url, data in _writes(world):
        assert client.post(url, data).status_code in (403, 404), url
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_staff_without_the_admin_role_get_their_own_pages_but_403_on_administration(
    client, world, role
):
    client.force_login(world[role])
    for name in OWN_PAGES:
        assert client.get(_url(name, world)).status_code == 200, name
    for name in ADMIN_PAGES:
        assert client.get(_url(name, world)).status_code == 403, name
    before = _snapshot()
    for url, data in _writes(world)[2:]:
        assert client.post(url, data).status_code == 403, url
    # Another user's token is not theirs to revoke.
    assert client.post(_writes(world)[0][0]).status_code == 404
    assert _snapshot() == before


def test_admin_reaches_every_accounts_page(client, world):
    client.force_login(world["admin"])

    for name in OWN_PAGES + ADMIN_PAGES:
        assert client.get(_url(name, world)).status_code == 200, name


def test_settings_hub_lists_user_and_team_administration_for_admins_only(client, world):
    client.force_login(world["admin"])
    admin_hub = client.get(reverse("core:settings")).content.decode()
    client.force_login(world["agent"])
    agent_hub = client.get(reverse("core:settings")).content.decode()

    assert reverse("accounts:user_list") in admin_hub
    assert reverse("accounts:team_list") in admin_hub
    assert reverse("accounts:user_list") not in agent_hub


def test_portal_user_never_reaches_staff_pages_or_the_staff_api(client, api, world):
    portal = world["portal"]
    client.force_login(portal)

    assert client.get(reverse("core:settings")).status_code == 403
    assert client.get(reverse("core:search"), {"q": "x"}).status_code == 403
    token_client = api(portal)
    assert token_client.get("/api/v1/tokens").status_code == 403
    assert token_client.get("/api/v1/organization-tiers").status_code == 403
    created = token_client.post(
        "/api/v1/organization-tiers",
        data=json.dumps({"key": "intruder", "name": "Intruder"}),
        content_type="application/json",
    )
    assert created.status_code == 403
    session_api = client.get("/api/v1/tokens")
    assert session_api.status_code == 403
