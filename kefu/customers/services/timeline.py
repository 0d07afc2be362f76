"""Writes to the 360° timeline. Other apps reach this through ``customers.facade``."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.customers.choices import CallDirectionChoices, TimelineKindChoices
from kefu.customers.identities import normalize_phone
from kefu.customers.models import Contact, TimelineEvent


def timeline_event_add(
    *,
    kind: str,
    title: str,
    actor=None,
    organization_id: int | None = None,
    contact_id: int | None = None,
    site_id: int | None = None,
    body: str = "",
    data: dict[str, Any] | None = None,
    occurred_at=None,
    verb: str = "",
    source_type: str = "",
    source_id: str | int = "",
    contact_organization: bool = True,
) -> TimelineEvent:
    """Append one event to the timeline of an organization and/or contact.

    With only a contact, the event also lands on the contact's primary organization, so the
    organization's 360° page sees everything its people did; ``contact_organization=False``
    when the caller's record has an organization of its own and it is none (a ticket's events
    go to the ticket's organization, which was the requester's when it was opened).
    """
    if organization_id is None and contact_id is None:
        raise ValidationError(_("A timeline event needs an organization or a contact."))
    if organization_id is None and contact_organization:
        organization_id = (
            Contact.objects.filter(pk=contact_id)
            .values_list("primary_organization_id", flat=True)
            .first()
        )
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return TimelineEvent.objects.create(
        kind=kind,
        verb=verb,
        title=title[:300],
        body=body,
        data=data or {},
        occurred_at=occurred_at or timezone.now(),
        actor=actor_user,
        organization_id=organization_id,
        contact_id=contact_id,
        site_id=site_id,
        source_type=source_type,
        source_id=str(source_id or ""),
    )


@transaction.atomic
def note_add(
    *, actor, text: str, organization_id: int | None = None, contact_id: int | None = None
) -> TimelineEvent:
    """Add a free-text note to a customer's timeline."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write something first.")]})
    if len(text) > 10000:
        raise ValidationError({"text": [_("A note has at most 10,000 characters.")]})
    first_line = text.splitlines()[0]
    return timeline_event_add(
        kind=TimelineKindChoices.NOTE,
        verb="note_added",
        title=first_line[:120],
        body=text,
        actor=actor,
        organization_id=organization_id,
        contact_id=contact_id,
    )


@transaction.atomic
def call_log(
    *,
    actor,
    direction: str,
    number: str = "",
    summary: str = "",
    duration_seconds: int | None = None,
    organization_id: int | None = None,
    contact_id: int | None = None,
    occurred_at=None,
) -> TimelineEvent:
    """Record a phone call on the timeline (the service desk adds full call records)."""
    errors = {}
    if direction not in CallDirectionChoices.values:
        errors["direction"] = [_("Choose inbound or outbound.")]
    if duration_seconds is not None and duration_seconds < 0:
        errors["duration_seconds"] = [_("The duration cannot be negative.")]
    if number and normalize_phone(number) is None:
        errors["number"] = [_("Enter a valid phone number.")]
    if errors:
        raise ValidationError(errors)
    label = CallDirectionChoices(direction).label
    title = summary.strip().splitlines()[0][:120] if summary.strip() else str(label)
    return timeline_event_add(
        kind=TimelineKindChoices.CALL,
        verb=f"call_{direction}",
        title=title,
        body=summary,
        data={
            "direction": direction,
            "number": normalize_phone(number) if number else "",
            "duration_seconds": duration_seconds,
        },
        actor=actor,
        organization_id=organization_id,
        contact_id=contact_id,
        occurred_at=occurred_at,
    )
