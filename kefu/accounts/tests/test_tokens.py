import datetime
import json

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kefu.accounts.models import ApiToken
from kefu.accounts.services import api_token_create, api_token_revoke

TOKENS = reverse("accounts:token_list")


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _all_token_columns() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        return [str(value) for row in cursor.fetchall() for value in row]


def test_token_created_on_the_page_is_shown_once_and_stored_hashed(client, agent):
    client.force_login(agent)

    response = client.post(TOKENS, {"name": "CI export", "scope": "read"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=agent)
    raw = response.context["created"]["secret"]
    assert raw.startswith("kefu_") and raw in response.content.decode()
    assert token.key_hash == ApiToken.hash_key(raw)
    assert token.prefix == raw[:11]
    assert all(raw not in value for value in _all_token_columns())
    again = client.get(TOKENS)
    assert raw not in again.content.decode()
    assert token.prefix in again.content.decode()
    assert client.get("/api/v1/me", **_bearer(raw)).json()["username"] == agent.username


def test_token_with_an_expiry_date_expires_at_the_end_of_that_day(client, agent):
    client.force_login(agent)
    day = timezone.localdate() + datetime.timedelta(days=30)

    client.post(TOKENS, {"name": "month", "scope": "read_write", "expires_on": day.isoformat()})

    token = ApiToken.objects.get(user=agent)
    assert timezone.localtime(token.expires_at).date() == day + datetime.timedelta(days=1)
    assert token.scope == "read_write"


def test_token_expiry_in_the_past_is_refused(client, agent):
    client.force_login(agent)
    day = timezone.localdate() - datetime.timedelta(days=1)

    response = client.post(TOKENS, {"name": "old", "scope": "read", "expires_on": day.isoformat()})

    assert response.status_code == 200
    assert "expiry" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_on_the_page_stops_the_token_at_once(client, agent):
    token, raw = api_token_create(actor=agent, user=agent, name="t", scope="read")
    client.force_login(agent)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.logout() is None
    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_cannot_revoke_someone_elses_token(client, agent, supervisor):
    token, _raw = api_token_create(actor=supervisor, user=supervisor, name="t", scope="read")
    client.force_login(agent)

    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoked_token_gets_401(client, agent):
    token, raw = api_token_create(actor=agent, user=agent, name="t", scope="read")
    api_token_revoke(actor=agent, token=token)

    response = client.get("/api/v1/me", **_bearer(raw))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_expired_token_gets_401(client, agent):
    token, raw = api_token_create(
        actor=agent,
        user=agent,
        name="t",
        scope="read",
        expires_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_token_of_a_deactivated_user_gets_401(client, make_user, admin_user):
    from kefu.accounts.services import user_deactivate

    user = make_user("agent", username="leaver")
    _token, raw = api_token_create(actor=user, user=user, name="t", scope="read")
    user_deactivate(actor=admin_user, user=user)

    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_read_only_token_cannot_post(client, agent):
    _token, raw = api_token_create(actor=agent, user=agent, name="ro", scope="read")

    response = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "sneaky", "scope": "read_write"}),
        content_type="application/json",
        **_bearer(raw),
    )

    assert response.status_code == 403
    assert ApiToken.objects.filter(user=agent).count() == 1


def test_api_creates_lists_and_revokes_own_tokens(api, agent):
    client = api(agent)

    created = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "deploy", "scope": "read"}),
        content_type="application/json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("kefu_")
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == ApiToken.hash_key(body["secret"])
    listed = client.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"test", "deploy"}
    assert all("secret" not in t for t in listed)

    revoked = client.post(f"/api/v1/tokens/{token.pk}/revoke")

    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_api_token_create_rejects_bad_input_with_field_errors(api, agent):
    response = api(agent).post(
        "/api/v1/tokens",
        data=json.dumps({"name": "  ", "scope": "read"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/name"
    assert ApiToken.objects.filter(user=agent).count() == 1


def test_api_cannot_revoke_someone_elses_token(api, agent, supervisor):
    token, _raw = api_token_create(actor=supervisor, user=supervisor, name="t", scope="read")

    response = api(agent).post(f"/api/v1/tokens/{token.pk}/revoke")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_portal_user_cannot_use_the_token_api(api, make_user):
    portal = make_user(None, username="customer")
    client = api(portal)

    listed = client.get("/api/v1/tokens")
    created = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "x", "scope": "read"}),
        content_type="application/json",
    )

    assert listed.status_code == 403
    assert created.status_code == 403
    assert ApiToken.objects.filter(user=portal).count() == 1
