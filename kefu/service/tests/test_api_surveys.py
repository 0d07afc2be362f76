"""Survey API: the ticket carries its survey; the list and results are for supervisors."""

import pytest

from kefu.service.models import Survey


@pytest.fixture
def surveyed(make_ticket, admin_user):
    from kefu.customers.tests.factories import ContactFactory

    contact = ContactFactory()
    answered = make_ticket(subject="Answered", requester_id=contact.pk)
    pending = make_ticket(subject="Pending", requester_id=contact.pk)
    Survey.objects.create(
        ticket=answered, contact=contact, queue_id=answered.queue_id, rating=5, comment="好"
    )
    Survey.objects.create(ticket=pending, contact=contact, queue_id=pending.queue_id)
    return answered, pending


def test_ticket_detail_includes_its_survey(api, admin_user, surveyed, make_ticket):
    answered, _pending = surveyed
    body = api(admin_user).get(f"/api/v1/tickets/{answered.pk}").json()
    assert body["survey"]["rating"] == 5 and body["survey"]["comment"] == "好"
    assert body["survey"]["ticket_number"] == answered.number
    other = make_ticket(subject="No survey")
    assert api(admin_user).get(f"/api/v1/tickets/{other.pk}").json()["survey"] is None


def test_survey_list_and_results_for_supervisors(api, supervisor, surveyed):
    client = api(supervisor)
    listed = client.get("/api/v1/surveys").json()
    assert {row["ticket_id"] for row in listed["items"]} == {t.pk for t in surveyed}
    only_answered = client.get("/api/v1/surveys?answered=true").json()["items"]
    assert [row["rating"] for row in only_answered] == [5]
    (overall,) = client.get("/api/v1/surveys/results").json()
    assert (overall["sent"], overall["answered"], overall["csat"]) == (2, 1, 100.0)
    (queue_row,) = client.get("/api/v1/surveys/results?group_by=queue").json()
    assert queue_row["response_rate"] == 50.0


def test_agents_are_denied_the_survey_list(api, agent, surveyed):
    assert api(agent).get("/api/v1/surveys").status_code == 403
    assert api(agent).get("/api/v1/surveys/results").status_code == 403


def test_bad_filters_are_problems_not_500s(api, supervisor, surveyed):
    client = api(supervisor)
    wrong_order = client.get("/api/v1/surveys?start=2026-10-31&end=2026-10-01")
    assert wrong_order.status_code == 422
    assert wrong_order["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/surveys?start=nonsense").status_code == 422
    assert client.get("/api/v1/surveys/results?group_by=colour").status_code == 422
