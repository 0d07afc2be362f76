import datetime as dt
import json

import pytest
from django.utils import timezone

from kefu.customers.tests.factories import OrganizationFactory, SiteFactory
from kefu.service.models import Contract

TODAY = timezone.localdate()


def _body(**fields):
    body = {
        "organization_id": fields.pop("organization_id"),
        "number": "API-1",
        "name": "年度维护 Annual",
        "start_date": str(TODAY),
        "end_date": str(TODAY + dt.timedelta(days=365)),
        "service_level": "gold",
        "allowance": 20,
    }
    body.update(fields)
    return body


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def org(db):
    return OrganizationFactory()


def test_supervisor_creates_a_contract_and_agent_reads_it(api, supervisor, agent, org):
    site = SiteFactory(organization=org)

    response = _post(
        api(supervisor), "/api/v1/contracts", _body(organization_id=org.pk, site_ids=[site.pk])
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["allowance_units"], data["used_units"], data["remaining_units"]) == (20, 0, 20)
    assert data["site_ids"] == [site.pk] and data["state"] == "active"
    contract = Contract.objects.get(number="API-1")
    listed = api(agent).get("/api/v1/contracts", {"organization": org.pk})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["items"]] == [contract.pk]
    assert api(agent).get(f"/api/v1/contracts/{contract.pk}").json()["number"] == "API-1"


def test_contract_ending_before_start_and_negative_allowance_answer_problems(api, supervisor, org):
    response = _post(
        api(supervisor),
        "/api/v1/contracts",
        _body(
            organization_id=org.pk,
            end_date=str(TODAY - dt.timedelta(days=1)),
            allowance=-5,
        ),
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    pointers = {error["pointer"] for error in response.json()["errors"]}
    assert {"#/end_date", "#/allowance"} <= pointers
    assert Contract.objects.count() == 0


def test_agent_cannot_create_or_change_contracts(api, agent, supervisor, org):
    denied = _post(api(agent), "/api/v1/contracts", _body(organization_id=org.pk))
    assert denied.status_code == 403
    assert Contract.objects.count() == 0

    created = _post(api(supervisor), "/api/v1/contracts", _body(organization_id=org.pk)).json()
    patch = api(agent).patch(
        f"/api/v1/contracts/{created['id']}",
        data=json.dumps({"name": "x"}),
        content_type="application/json",
    )
    assert patch.status_code == 403
    assert Contract.objects.get(pk=created["id"]).name == "年度维护 Annual"


def test_patch_changes_the_allowance_and_refuses_bad_values(api, supervisor, org):
    created = _post(api(supervisor), "/api/v1/contracts", _body(organization_id=org.pk)).json()
    client = api(supervisor)

    ok = client.patch(
        f"/api/v1/contracts/{created['id']}",
        data=json.dumps({"allowance": 30, "thresholds": [50, 90]}),
        content_type="application/json",
    )
    bad = client.patch(
        f"/api/v1/contracts/{created['id']}",
        data=json.dumps({"end_date": "2000-01-01"}),
        content_type="application/json",
    )

    assert ok.status_code == 200 and ok.json()["allowance_units"] == 30
    assert ok.json()["thresholds"] == [50, 90]
    assert bad.status_code == 422
    assert Contract.objects.get(pk=created["id"]).end_date == TODAY + dt.timedelta(days=365)


def test_portal_customer_and_anonymous_get_nothing(api, make_user, client, supervisor, org):
    _post(api(supervisor), "/api/v1/contracts", _body(organization_id=org.pk))
    customer = make_user(None, username="portal-user")

    assert api(customer).get("/api/v1/contracts").status_code == 403
    assert client.get("/api/v1/contracts").status_code == 401


def test_unknown_contract_is_a_404_problem(api, agent):
    response = api(agent).get("/api/v1/contracts/999999")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_ticket_api_shows_the_contract_and_the_consumption_history(api, supervisor, agent, org):
    created = _post(
        api(supervisor), "/api/v1/contracts", _body(organization_id=org.pk, allowance=1)
    ).json()
    client = api(supervisor)
    first = _post(client, "/api/v1/tickets", {"subject": "一", "organization_id": org.pk}).json()
    second = _post(client, "/api/v1/tickets", {"subject": "二", "organization_id": org.pk}).json()

    assert (first["contract_id"], first["billable"]) == (created["id"], False)
    assert (second["contract_id"], second["billable"]) == (created["id"], True)
    history = api(agent).get(f"/api/v1/contracts/{created['id']}/consumptions").json()
    assert sorted((row["ticket_id"], row["units"]) for row in history) == [
        (first["id"], 1),
        (second["id"], 0),
    ]
