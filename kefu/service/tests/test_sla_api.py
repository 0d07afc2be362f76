"""SLA API: ticket clocks, breaching soon, calendars (read, create, bad input), policies."""

from kefu.service.models import BusinessCalendar
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
