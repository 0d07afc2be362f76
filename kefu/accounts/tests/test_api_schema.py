"""The accounts operations document their answers, and real responses validate against them."""

import json

import pytest
from jsonschema import Draft202012Validator

_SPEC: dict = {}


@pytest.fixture
def spec():
    if not _SPEC:
        from kefu.api import api

        _SPEC.update(json.loads(json.dumps(api.get_openapi_schema(), default=str)))
    return _SPEC


def _assert_valid(spec, path, method, response):
    content = spec["paths"][path][method]["responses"][str(response.status_code)]["content"]
    schema = {**next(iter(content.values()))["schema"], "components": spec["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(response.json()))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_accounts_operations_document_success_and_error_answers(spec):
    for path in ("/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}/revoke"):
        for method, operation in spec["paths"][path].items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (path, method)
            assert any(code.startswith("2") for code in codes), (path, method)


def test_token_responses_validate_against_the_schema(spec, api, agent):
    client = api(agent)

    created = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "报表导出", "scope": "read", "expires_at": None}),
        content_type="application/json",
    )
    listed = client.get("/api/v1/tokens")
    revoked = client.post(f"/api/v1/tokens/{created.json()['id']}/revoke")
    me = client.get("/api/v1/me")
    invalid = client.post(
        "/api/v1/tokens", data=json.dumps({"name": ""}), content_type="application/json"
    )
    missing = client.post("/api/v1/tokens/999999/revoke")

    assert (created.status_code, listed.status_code, revoked.status_code) == (201, 200, 200)
    assert (me.status_code, invalid.status_code, missing.status_code) == (200, 422, 404)
    _assert_valid(spec, "/api/v1/tokens", "post", created)
    _assert_valid(spec, "/api/v1/tokens", "get", listed)
    _assert_valid(spec, "/api/v1/tokens/{token_id}/revoke", "post", revoked)
    _assert_valid(spec, "/api/v1/me", "get", me)
    _assert_valid(spec, "/api/v1/tokens", "post", invalid)
    _assert_valid(spec, "/api/v1/tokens/{token_id}/revoke", "post", missing)
