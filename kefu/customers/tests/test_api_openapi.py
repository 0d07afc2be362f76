"""The generated OpenAPI document is valid 3.1, documents every operation's answers, and real
responses validate against it."""

import json

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from kefu.customers.tests.factories import (
    AssetFactory,
    ContactFactory,
    IdentityFactory,
    TierFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

OUR_TAGS = {"organizations", "sites", "contacts", "products", "assets", "timeline", "custom fields"}


_SPEC: dict = {}


@pytest.fixture
def spec(client):
    # Generating the document takes seconds on a busy machine: once per test process.
    if not _SPEC:
        response = client.get("/api/openapi.json")
        assert response.status_code == 200
        _SPEC.update(response.json())
    return _SPEC


def _response_schema(spec, path, method, status):
    operation = spec["paths"][path][method]
    content = operation["responses"][str(status)]["content"]
    schema = dict(next(iter(content.values()))["schema"])
    schema["components"] = spec["components"]
    return schema


def assert_valid(spec, path, method, response):
    schema = _response_schema(spec, path, method, response.status_code)
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=lambda e: e.path)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_operation_documents_success_and_error_answers(spec):
    customer_paths = [p for p in spec["paths"] if p.startswith("/api/v1/")]
    assert "/api/v1/organizations" in customer_paths
    for path in customer_paths:
        for method, operation in spec["paths"][path].items():
            codes = set(operation["responses"])
            assert any(code.startswith("2") for code in codes), (path, method)
            if not set(operation.get("tags", [])) & OUR_TAGS:
                continue
            assert "401" in codes and "403" in codes, (path, method, codes)


def test_every_post_documents_the_idempotency_key_header(spec):
    posts = [(path, item["post"]) for path, item in spec["paths"].items() if "post" in item]
    assert posts
    for path, operation in posts:
        names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        assert ("header", "Idempotency-Key") in names, path


def test_customer_responses_validate_against_schema(spec, api, agent):
    client = api(agent)
    contact = ContactFactory()
    IdentityFactory(contact=contact)
    TierFactory()
    AssetFactory(organization=contact.primary_organization)
    TimelineEventFactory(organization=contact.primary_organization, actor=agent)
    org_id = contact.primary_organization_id
    checks = [
        ("/api/v1/organizations", "/api/v1/organizations"),
        (f"/api/v1/organizations/{org_id}", "/api/v1/organizations/{organization_id}"),
        ("/api/v1/organization-tiers", "/api/v1/organization-tiers"),
        ("/api/v1/contacts", "/api/v1/contacts"),
        (f"/api/v1/contacts/{contact.pk}", "/api/v1/contacts/{contact_id}"),
        ("/api/v1/assets", "/api/v1/assets"),
        (
            f"/api/v1/organizations/{org_id}/timeline",
            "/api/v1/organizations/{organization_id}/timeline",
        ),
        ("/api/v1/custom-fields", "/api/v1/custom-fields"),
    ]
    for url, template in checks:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_valid(spec, template, "get", response)


def test_created_and_problem_responses_validate_against_schema(spec, api, agent):
    client = api(agent)
    created = client.post(
        "/api/v1/contacts",
        json.dumps({"name": "校验", "identities": [{"kind": "email", "value": "v@example.cn"}]}),
        content_type="application/json",
    )
    assert created.status_code == 201
    assert_valid(spec, "/api/v1/contacts", "post", created)
    conflict = client.post(
        "/api/v1/contacts",
        json.dumps({"name": "重复", "identities": [{"kind": "email", "value": "V@example.cn"}]}),
        content_type="application/json",
    )
    assert conflict.status_code == 409
    assert_valid(spec, "/api/v1/contacts", "post", conflict)
    invalid = client.post(
        "/api/v1/contacts", json.dumps({"name": ""}), content_type="application/json"
    )
    assert invalid.status_code == 422
    assert_valid(spec, "/api/v1/contacts", "post", invalid)
    missing = client.get("/api/v1/contacts/999999")
    assert missing.status_code == 404
    assert_valid(spec, "/api/v1/contacts/{contact_id}", "get", missing)
