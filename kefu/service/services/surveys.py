"""Satisfaction (CSAT) surveys: one per resolved ticket, mailed to the requester, answered once.

Resolving a ticket (its status moving into the *resolved* category) creates the ticket's survey
in the same transaction (:func:`on_ticket_changed`, connected to ``ticket_changed``) and, once
that transaction commits, mails the requester a link through the mail channel. Re-resolving a
reopened ticket finds the survey already there: no second survey, no second mail.

The link carries a token signed with the site's secret (``django.core.signing``) over the
survey id, the ticket id and the survey's random ``nonce``: it cannot be guessed or altered,
and a bad token is indistinguishable from a missing survey (404). One answer per ticket: the
first answer is final (a second submit shows the recorded answer; nothing is overwritten),
because a rating that can be changed later is a rating agents can be pressured about.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service.choices import ResolutionCodeChoices, StatusCategoryChoices
from kefu.service.constants import (
    SURVEY_COMMENT_MAX_LENGTH,
    SURVEY_RATING_MAX,
    SURVEY_RATING_MIN,
)
from kefu.service.models import Survey, Ticket, TicketEntry

SALT = "kefu.service.survey"
# Resolutions that are not a service the customer received (a duplicate, a request the
# customer withdrew): no survey.
NO_SURVEY_RESOLUTIONS = frozenset(
    {ResolutionCodeChoices.DUPLICATE, ResolutionCodeChoices.CANCELLED}
)


class SurveyAlreadyAnswered(ValidationError):
    """The survey has an answer already; it is never overwritten."""


# --- tokens -------------------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    """Return the signed token of the survey's link (stable: it can be rebuilt at any time)."""
    # A plain Signer (no timestamp): the same survey always has the same link.
    payload = {"s": survey.pk, "t": survey.ticket_id, "n": survey.nonce}
    return signing.Signer(salt=SALT).sign_object(payload)


def survey_for_token(token: str) -> Survey | None:
    """Return the survey a token names, or None for a tampered, foreign or unknown token."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    survey = (
        Survey.objects.select_related("ticket")
        .filter(pk=data["s"], ticket_id=data.get("t"))
        .first()
    )
    if survey is None or not constant_time_compare(survey.nonce, str(data.get("n", ""))):
        return None
    return survey


def survey_url(survey: Survey) -> str:
    """Return the absolute link the requester answers at (the customer portal's survey page)."""
    return f"{settings.SITE_URL}{reverse('portal:survey', args=[survey_token(survey)])}"


# --- creation and mail --------------------------------------------------------------------------


def _requester_language(ticket: Ticket) -> str:
    contact = customers.contact_get_summary(ticket.requester_id) if ticket.requester_id else None
    return (contact or {}).get("preferred_language") or ticket.language or settings.LANGUAGE_CODE


def survey_create_for_ticket(*, ticket: Ticket) -> Survey | None:
    """Create the ticket's survey and mail the requester on commit; None if there is nothing to do.

    Call inside the transaction that resolves the ticket (the caller holds the ticket's row lock,
    so two resolutions cannot race; the one-to-one constraint is the backstop). Nothing is done
    for a ticket without a requester, a duplicate, or a ticket that already has a survey.
    """
    if ticket.requester_id is None or ticket.resolution_code in NO_SURVEY_RESOLUTIONS:
        return None
    if Survey.objects.filter(ticket_id=ticket.pk).exists():
        return None
    survey = Survey.objects.create(
        ticket=ticket,
        contact_id=ticket.requester_id,
        organization_id=ticket.organization_id,
        queue_id=ticket.queue_id,
        agent_id=ticket.assignee_id,
        language=_requester_language(ticket),
    )
    survey_id = survey.pk

    def enqueue() -> None:
        from kefu.service import tasks

        tasks.survey_mail(survey_id)

    transaction.on_commit(enqueue)
    return survey


@transaction.atomic
def survey_mail_send(*, survey_id: int) -> int:
    """Mail the survey link to the requester once; return how many mails were queued (0 or 1).

    The survey row is claimed with a conditional update (``mailed_at`` still empty), so a retried
    or duplicated job never mails twice; if queueing the mail fails, the claim rolls back and the
    job's retry tries again. The mail goes through the desk's requester notifier (the mail
    channel registers its threaded, auto-generated notices there), so the desk never imports
    a channel.
    """
    from kefu.service.services.notifications import ticket_notify_contact

    claimed = Survey.objects.filter(pk=survey_id, mailed_at__isnull=True).update(
        mailed_at=timezone.now()
    )
    if not claimed:
        return 0
    survey = Survey.objects.select_related("ticket").get(pk=survey_id)
    with translation.override(survey.language):
        text = _(
            "Your request %(number)s “%(subject)s” was resolved. How satisfied are you with our "
            "help? Please rate it from 1 to 5 — it takes ten seconds:\n\n%(url)s"
        ) % {
            "number": survey.ticket.number,
            "subject": survey.ticket.subject,
            "url": survey_url(survey),
        }
    return ticket_notify_contact(ticket_id=survey.ticket_id, event="survey", text=text)


def on_ticket_changed(sender, *, ticket, verb, data=None, **kwargs) -> None:
    """``ticket_changed`` receiver: a ticket that moved into *resolved* gets its survey."""
    if verb == "status_changed" and ticket.status_category == StatusCategoryChoices.RESOLVED:
        survey_create_for_ticket(ticket=ticket)


# --- answers ------------------------------------------------------------------------------------


def _clean_answer(rating, comment: str) -> tuple[int, str]:
    errors = {}
    value = None
    if isinstance(rating, int) and not isinstance(rating, bool):
        value = rating
    elif isinstance(rating, str) and rating.strip().isdigit():
        value = int(rating)
    if value is None or not SURVEY_RATING_MIN <= value <= SURVEY_RATING_MAX:
        errors["rating"] = [
            _("Choose a rating from %(low)d to %(high)d.")
            % {"low": SURVEY_RATING_MIN, "high": SURVEY_RATING_MAX}
        ]
    comment = (comment or "").strip()
    if len(comment) > SURVEY_COMMENT_MAX_LENGTH:
        errors["comment"] = [
            _("Keep the comment under %(max)d characters.") % {"max": SURVEY_COMMENT_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    return value, comment


@transaction.atomic
def survey_answer(*, survey: Survey, rating, comment: str = "") -> Survey:
    """Record the requester's answer: ``rating`` 1–5 and an optional comment, once.

    The answer is written with a conditional update on a still-empty ``rating``, so two submits
    racing record one answer. Raises ``ValidationError`` for a bad rating or an over-long
    comment and ``SurveyAlreadyAnswered`` when an answer exists (nothing is changed). Writes a
    system entry on the ticket and an event on the customer's timeline.
    """
    value, comment = _clean_answer(rating, comment)
    now = timezone.now()
    updated = Survey.objects.filter(pk=survey.pk, rating__isnull=True).update(
        rating=value, comment=comment, answered_at=now
    )
    if not updated:
        raise SurveyAlreadyAnswered(_("This survey was already answered. Thank you!"))
    survey.refresh_from_db()
    ticket = survey.ticket
    title = _("Satisfaction survey answered: %(rating)d/5") % {"rating": value}
    TicketEntry.objects.create(
        ticket=ticket,
        kind="event",
        author_contact_id=survey.contact_id,
        body=title,
        data={"event": "survey_answered", "rating": value},
    )
    if survey.contact_id or survey.organization_id:
        customers.timeline_event_add(
            kind="ticket",
            verb="ticket_survey_answered",
            title=f"{ticket.number} {title}"[:300],
            body=comment[:2000],
            organization_id=survey.organization_id,
            contact_id=survey.contact_id,
            site_id=ticket.site_id,
            data={"ticket_id": ticket.pk, "rating": value},
            source_type="service.ticket",
            source_id=ticket.pk,
        )
    return survey
