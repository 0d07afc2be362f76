import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_redirects_anonymous_to_login(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_staff_home_renders(client, agent):
    client.force_login(agent)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert b"Kefu" in response.content


@pytest.mark.django_db
def test_api_health_and_schema(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")


@pytest.mark.django_db
def test_api_requires_auth_with_problem_body(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


@pytest.mark.django_db
def test_api_token_auth(api, agent):
    response = api(agent).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["roles"] == ["agent"]
