"""Satisfaction surveys: created once on resolve, mailed on commit, tamper-proof, answered once."""

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError

from kefu.channels.models import OutboundMessage
from kefu.service.models import Survey, Ticket, TicketEntry
from kefu.service.services import ticket_transition
from kefu.service.services.surveys import (
    SurveyAlreadyAnswered,
    survey_answer,
    survey_for_token,
    survey_token,
)


def _survey_mails(ticket):
    """The survey notices of a ticket (the channel also sends a "resolved" notice)."""
    return OutboundMessage.objects.filter(
        ticket_id=ticket.pk, kind="notification", body__contains="/portal/survey/"
    )


@pytest.fixture
def resolve(admin_user, django_capture_on_commit_callbacks):
    def run(ticket, *, code="fixed"):
        with django_capture_on_commit_callbacks(execute=True):
            return ticket_transition(
                actor=admin_user,
                ticket=Ticket.objects.get(pk=ticket.pk),
                status_key="resolved",
                resolution_code=code,
            )

    return run


@pytest.fixture
def reopen(admin_user, django_capture_on_commit_callbacks):
    def run(ticket):
        with django_capture_on_commit_callbacks(execute=True):
            return ticket_transition(
                actor=admin_user, ticket=Ticket.objects.get(pk=ticket.pk), status_key="open"
            )

    return run


@pytest.fixture
def requested(make_ticket, agent):
    """A ticket from 李娜 (prefers English) assigned to ``agent``."""
    ticket = make_ticket(requester_email="li.na@customer.example", requester_name="李娜")
    from kefu.customers.models import Contact

    Contact.objects.filter(pk=ticket.requester_id).update(preferred_language="en")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)
    return Ticket.objects.get(pk=ticket.pk)


def test_resolving_creates_one_survey_and_mails_the_link_once(requested, resolve, reopen, agent):
    resolve(requested)
    survey = Survey.objects.get(ticket=requested)
    assert survey.contact_id == requested.requester_id
    assert survey.agent_id == agent.pk and survey.queue_id == requested.queue_id
    assert survey.language == "en" and survey.mailed_at is not None and survey.rating is None
    notice = _survey_mails(requested).get()
    assert notice.to == ["li.na@customer.example"]
    assert survey_token(survey) in notice.body and "/portal/survey/" in notice.body
    assert "How satisfied are you" in notice.body
    # Its own template: a subject that says what it is, not "an update on your request".
    assert notice.subject == f"[{requested.number}] How did we do? {requested.subject}"
    assert notice.headers["Auto-Submitted"] == "auto-generated"
    sent = [m for m in mail.outbox if survey_token(survey) in m.body]
    assert len(sent) == 1

    reopen(requested)
    resolve(requested)
    assert Survey.objects.filter(ticket=requested).count() == 1
    assert _survey_mails(requested).count() == 1


def test_survey_mail_is_in_the_requesters_language(make_ticket, resolve):
    ticket = make_ticket(requester_email="wang@customer.example", requester_name="王芳")
    resolve(ticket)
    notice = _survey_mails(ticket).get()
    assert "满意" in notice.body
    assert notice.subject.startswith(f"[{ticket.number}] 我们做得怎么样？")


def test_no_survey_without_requester_or_for_a_duplicate(make_ticket, requested, resolve):
    internal = make_ticket()
    resolve(internal)
    resolve(requested, code="duplicate")
    assert Survey.objects.count() == 0
    assert not OutboundMessage.objects.filter(body__contains="/portal/survey/").exists()


def test_a_rolled_back_resolution_leaves_no_survey_and_sends_nothing(requested, admin_user):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        ticket_transition(
            actor=admin_user, ticket=requested, status_key="resolved", resolution_code="fixed"
        )
        raise RuntimeError
    assert Survey.objects.count() == 0
    assert not OutboundMessage.objects.filter(body__contains="/portal/survey/").exists()
    assert mail.outbox == []


def test_token_round_trip_and_tampering(requested, resolve):
    resolve(requested)
    survey = Survey.objects.get()
    token = survey_token(survey)
    assert survey_for_token(token) == survey
    # Change one character in the middle of the signature (the last base64 character carries
    # padding bits, so flipping it may decode to the same bytes).
    middle = len(token) - 10
    flipped = "A" if token[middle] != "A" else "B"
    assert survey_for_token(token[:middle] + flipped + token[middle + 1 :]) is None
    assert survey_for_token("not-a-token") is None
    payload = {"s": survey.pk, "t": survey.ticket_id, "n": survey.nonce}
    forged = signing.Signer(salt="x").sign_object(payload)
    assert survey_for_token(forged) is None
    wrong_nonce = signing.Signer(salt="kefu.service.survey").sign_object(
        {"s": survey.pk, "t": survey.ticket_id, "n": "guess"}
    )
    assert survey_token(survey) == token  # stable: the portal shows the mailed link
    assert survey_for_token(wrong_nonce) is None


def test_one_answer_per_ticket(requested, resolve):
    resolve(requested)
    survey = Survey.objects.get()
    survey_answer(survey=survey, rating=4, comment="  很快解决了 ")
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "很快解决了")
    assert survey.answered_at is not None
    assert TicketEntry.objects.filter(ticket=requested, data__event="survey_answered").count() == 1
    with pytest.raises(SurveyAlreadyAnswered):
        survey_answer(survey=survey, rating=1, comment="changed my mind")
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "很快解决了")


@pytest.mark.parametrize("rating", [0, 6, "x", None, 3.5])
def test_bad_rating_is_refused_and_nothing_is_saved(requested, resolve, rating):
    resolve(requested)
    survey = Survey.objects.get()
    with pytest.raises(ValidationError) as info:
        survey_answer(survey=survey, rating=rating)
    assert "rating" in info.value.message_dict
    survey.refresh_from_db()
    assert survey.rating is None and survey.answered_at is None
