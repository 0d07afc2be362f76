"""The survey page: through the mailed token (no login) or from the requester's portal page;
tampered tokens and other customers get 404; one answer per ticket."""

import pytest

from kefu.service.models import Survey, Ticket
from kefu.service.services import ticket_transition
from kefu.service.services.surveys import survey_token


@pytest.fixture
def survey(world, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_transition(
            actor=admin_user,
            ticket=Ticket.objects.get(pk=world.tickets["a"]),
            status_key="resolved",
            resolution_code="fixed",
        )
    return Survey.objects.get(ticket_id=world.tickets["a"])


def test_token_link_works_without_login_and_records_one_answer(client, survey):
    url = f"/portal/survey/{survey_token(survey)}/"
    page = client.get(url)
    assert page.status_code == 200 and 'id="survey-form"' in page.content.decode()
    response = client.post(url, {"rating": "4", "comment": "谢谢，很快"})
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "谢谢，很快")
    again = client.post(url, {"rating": "1", "comment": "overwrite"}, follow=True)
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "谢谢，很快")
    text = again.content.decode()
    assert 'id="survey-answer"' in text and "谢谢，很快" in text and "overwrite" not in text


def test_bad_rating_shows_a_field_error_and_saves_nothing(client, survey):
    url = f"/portal/survey/{survey_token(survey)}/"
    response = client.post(url, {"rating": "9"})
    assert response.status_code == 200
    assert 'id="field-rating"' in response.content.decode()
    assert "errorlist" in response.content.decode()
    survey.refresh_from_db()
    assert survey.rating is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),
        lambda t: "x" + t,
        lambda t: "eyJzIjoxfQ:1abc:forged",
        lambda t: "1",
    ],
)
def test_tampered_token_is_a_bare_404(client, survey, mangle):
    response = client.post(f"/portal/survey/{mangle(survey_token(survey))}/", {"rating": "5"})
    assert response.status_code == 404
    survey.refresh_from_db()
    assert survey.rating is None


def test_requester_sees_the_survey_on_the_request_page(client, world, survey):
    client.force_login(world.users["a"])
    page = client.get(f"/portal/requests/{world.tickets['a']}/").content.decode()
    assert 'id="rate-request"' in page and survey_token(survey) in page


def test_other_customers_cannot_see_or_answer_through_the_portal(client, world, survey):
    client.force_login(world.users["b"])
    assert client.get(f"/portal/requests/{world.tickets['a']}/").status_code == 404
    # The organization's administrator sees the request but not the requester's survey link.
    client.force_login(world.users["a_admin"])
    page = client.get(f"/portal/requests/{world.tickets['a']}/")
    assert page.status_code == 200
    assert survey_token(survey) not in page.content.decode()
    survey.refresh_from_db()
    assert survey.rating is None
