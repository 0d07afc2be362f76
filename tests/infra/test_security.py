"""Security properties every page and the API share: headers, CSRF on session-authenticated
API writes, and the published OpenAPI schema."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate

from kefu.customers.models import Organization


def _assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_login_page_sends_csp_frame_and_nosniff_headers(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_staff_page_sends_csp_frame_and_nosniff_headers(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    _assert_security_headers(response)


@pytest.mark.django_db
def test_pages_carry_no_inline_script(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("core:home")).content.decode()
    assert "<script>" not in html
    assert " onclick=" not in html


@pytest.mark.django_db
def test_session_api_post_without_csrf_token_is_refused_and_writes_nothing(admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    response = browser.post(
        "/api/v1/organizations", json.dumps({"name": "ACME"}), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_session_api_post_with_csrf_token_is_accepted(admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    browser.get(reverse("core:home"))  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/organizations",
        json.dumps({"name": "ACME"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content
    assert Organization.objects.get().name == "ACME"


@pytest.mark.django_db
def test_bearer_token_api_post_needs_no_csrf_token(api, admin_user):
    client = api(admin_user)
    client.handler.enforce_csrf_checks = True
    response = client.post(
        "/api/v1/organizations", json.dumps({"name": "ACME"}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Organization.objects.filter(name="ACME").count() == 1


@pytest.mark.django_db
def test_openapi_schema_is_a_valid_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/organizations" in schema["paths"]


@pytest.mark.django_db
def test_api_docs_page_renders_from_local_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
