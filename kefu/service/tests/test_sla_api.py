"""SLA API: ticket clocks, breaching soon, calendars (read, create, bad input), policies."""

from kefu.service.models import BusinessCalendar, SlaPolicy
from kefu.service.tests.test_sla_clocks import policy  # noqa: F401  (fixture)


def test_ticket_clocks_and_breaching_soon(api, policy, make_ticket, make_agent):  # noqa: F811
    agent = make_agent()
    ticket = make_ticket(priority=3)
    client = api(agent)
    response = client.get(f"/api/v1/tickets/{ticket.pk}/sla")
    assert response.status_code == 200
    metrics = {row["metric"]: row for row in response.json()}
    assert set(metrics) == {"first_response", "resolution"}
    assert metrics["first_response"]["state"] == "running"
    assert metrics["first_response"]["colour"] == "green"
    soon = client.get("/api/v1/sla/breaching", {"within_hours": 2}).json()
    assert [(row["ticket_id"], row["metric"]) for row in soon] == [(ticket.pk, "first_response")]


def test_portal_user_cannot_read_clocks(api, policy, make_ticket, make_user):  # noqa: F811
    ticket = make_ticket(priority=3)
    response = api(make_user("customer")).get(f"/api/v1/tickets/{ticket.pk}/sla")
    assert response.status_code in (403, 404)
    assert response["Content-Type"].startswith("application/problem+json")


def test_admin_creates_calendar_and_bad_input_is_a_422(api, admin_user):
    client = api(admin_user)
    count = BusinessCalendar.objects.count()
    bad = client.post(
        "/api/v1/sla/calendars",
        {
            "key": "bad",
            "name": "Bad",
            "time_zone": "Asia/Shanghai",
            "intervals": [
                {"weekday": 0, "start": "09:00", "end": "12:00"},
                {"weekday": 0, "start": "11:00", "end": "13:00"},
            ],
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert BusinessCalendar.objects.count() == count
    good = client.post(
        "/api/v1/sla/calendars",
        {
            "key": "shop",
            "name": "Shop",
            "time_zone": "Asia/Shanghai",
            "intervals": [{"weekday": 0, "start": "09:00", "end": "12:00"}],
            "exceptions": [{"date": "2026-10-10", "kind": "workday"}],
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    assert good.json()["exceptions_count"] == 1
    keys = [c["key"] for c in client.get("/api/v1/sla/calendars").json()]
    assert "shop" in keys


def test_agents_cannot_read_policies_or_create_calendars(api, policy, make_agent):  # noqa: F811
    client = api(make_agent())
    assert client.get("/api/v1/sla/policies").status_code == 403
    denied = client.post(
        "/api/v1/sla/calendars",
        {"key": "x", "name": "x", "time_zone": "UTC", "is_24x7": True},
        content_type="application/json",
    )
    assert denied.status_code == 403
    assert not BusinessCalendar.objects.filter(key="x").exists()


def test_supervisor_reads_policies(api, policy, make_user):  # noqa: F811
    response = api(make_user("supervisor")).get("/api/v1/sla/policies")
    assert response.status_code == 200
    gold = next(p for p in response.json() if p["name"] == "Gold")
    assert {t["priority"] for t in gold["targets"]} == {2, 3}


def test_admin_writes_a_policy_with_its_escalation_chain(api, admin_user, policy, make_agent):  # noqa: F811
    client = api(admin_user)
    body = {
        "name": "Platinum",
        "name_zh_hans": "白金",
        "calendar_id": policy.calendar_id,
        "order": 2,
        "service_levels": ["platinum"],
        "warn_percent": 75,
        "targets": [{"priority": 1, "first_response_minutes": 15, "resolution_minutes": 240}],
        "levels": [
            {"metric": "resolution", "level": 1, "recipients": ["queue_supervisors"]},
            {"metric": "resolution", "level": 2, "offset_minutes": 60, "notify_sms": True},
        ],
    }
    created = client.post("/api/v1/sla/policies", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert [(lv["level"], lv["notify_sms"]) for lv in data["levels"]] == [(1, False), (2, True)]
    saved = SlaPolicy.objects.get(pk=data["id"])
    assert saved.service_levels == ["platinum"] and saved.warn_percent == 75
    assert saved.targets.get().first_response_minutes == 15

    # Replaced whole: the second level goes, the target changes.
    body["levels"] = body["levels"][:1]
    body["targets"][0]["resolution_minutes"] = 480
    replaced = client.put(f"/api/v1/sla/policies/{saved.pk}", body, content_type="application/json")
    assert replaced.status_code == 200, replaced.content
    assert SlaPolicy.objects.get(pk=saved.pk).levels.count() == 1
    assert SlaPolicy.objects.get(pk=saved.pk).targets.get().resolution_minutes == 480

    # Bad input: a level defined twice and a zero target - a 422 problem, nothing changed.
    body["levels"] = [body["levels"][0], body["levels"][0]]
    body["targets"][0]["first_response_minutes"] = 0
    bad = client.put(f"/api/v1/sla/policies/{saved.pk}", body, content_type="application/json")
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    assert SlaPolicy.objects.get(pk=saved.pk).levels.count() == 1
    assert SlaPolicy.objects.get(pk=saved.pk).targets.get().first_response_minutes == 15

    # Agents may not write policies.
    denied = api(make_agent()).post("/api/v1/sla/policies", body, content_type="application/json")
    assert denied.status_code == 403
    assert not SlaPolicy.objects.filter(name="Platinum").exclude(pk=saved.pk).exists()
    assert (
        client.put("/api/v1/sla/policies/987654", body, content_type="application/json").status_code
        == 404
    )
