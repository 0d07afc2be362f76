"""Third-party vendors: underpinning contracts, dispatching tickets to vendors, vendor clocks.

A dispatch copies the vendor's targets into due times computed on the underpinning contract's
business calendar (24x7 without one), moves the ticket to the "waiting on vendor" status of its
lifecycle, and runs until the vendor's answer and resolution are recorded. Whether the
customer's own SLA pauses meanwhile is the SLA policy's pause-status setting.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service import events
from kefu.service.choices import StatusCategoryChoices
from kefu.service.models import Status, Ticket, UnderpinningContract, VendorDispatch
from kefu.service.models.vendors import VendorClockStateChoices, VendorDispatchStateChoices
from kefu.service.services._common import lock_ticket, status_of_category

WAITING_VENDOR_KEYS = ("waiting_vendor", "waiting_third_party")
UC_FIELDS = {
    "vendor_id",
    "number",
    "name",
    "start_date",
    "end_date",
    "response_minutes",
    "resolution_minutes",
    "calendar_id",
    "notes",
}


def _clean_uc(values: dict[str, Any], *, current: UnderpinningContract | None) -> dict[str, Any]:
    fields = ("vendor_id", "number", "name", "start_date", "end_date")
    fields += ("response_minutes", "resolution_minutes", "calendar_id", "notes")
    merged = {key: getattr(current, key) if current else None for key in fields}
    merged.update(values)
    errors: dict[str, list[str]] = {}
    merged["number"] = (merged["number"] or "").strip()
    merged["name"] = (merged["name"] or "").strip()
    merged["notes"] = (merged["notes"] or "").strip()
    if not merged["number"]:
        errors["number"] = [_("Give the contract a number.")]
    elif (
        UnderpinningContract.objects.filter(number=merged["number"])
        .exclude(pk=current.pk if current else None)
        .exists()
    ):
        errors["number"] = [_("Another contract has this number.")]
    if not merged["name"]:
        errors["name"] = [_("Give the contract a name.")]
    vendor = (
        customers.organization_get_summary(merged["vendor_id"]) if merged["vendor_id"] else None
    )
    if vendor is None or not vendor["is_vendor"]:
        errors["vendor_id"] = [_("Choose a vendor organization.")]
    if merged["start_date"] is None:
        errors["start_date"] = [_("Give the start date.")]
    if merged["end_date"] is None:
        errors["end_date"] = [_("Give the end date.")]
    elif merged["start_date"] and merged["end_date"] < merged["start_date"]:
        errors["end_date"] = [_("The contract cannot end before it starts.")]
    for key in ("response_minutes", "resolution_minutes"):
        value = merged[key]
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors[key] = [_("A target is a positive number of minutes.")]
    if (
        not errors.get("response_minutes")
        and not errors.get("resolution_minutes")
        and merged["resolution_minutes"] < merged["response_minutes"]
    ):
        errors["resolution_minutes"] = [_("Resolution cannot be due before the response.")]
    if merged["calendar_id"] is not None:
        from kefu.service.models import BusinessCalendar

        if not BusinessCalendar.objects.filter(pk=merged["calendar_id"]).exists():
            errors["calendar_id"] = [_("No such calendar.")]
    if errors:
        raise ValidationError(errors)
    return merged


@transaction.atomic
def underpinning_contract_create(*, actor, **values: Any) -> UnderpinningContract:
    """Create a vendor's underpinning contract; ``ValidationError`` per field, nothing saved."""
    unknown = set(values) - UC_FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    return UnderpinningContract.objects.create(**_clean_uc(values, current=None))


@transaction.atomic
def underpinning_contract_update(
    *, actor, contract: UnderpinningContract, **values: Any
) -> UnderpinningContract:
    """Change an underpinning contract; running dispatches keep the due times they have."""
    unknown = set(values) - UC_FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    current = UnderpinningContract.objects.select_for_update().get(pk=contract.pk)
    for key, value in _clean_uc(values, current=current).items():
        setattr(current, key, value)
    current.save()
    return current


def vendor_due(start: dt.datetime, minutes: int, calendar_id: int | None) -> dt.datetime:
    """Return when ``minutes`` of the vendor's working time have passed after ``start``.

    On the business calendar through the SLA engine's calendar math; 24x7 without a calendar
    (or if that calendar has no working time left, rather than never being due).
    """
    if calendar_id is None:
        return start + dt.timedelta(minutes=minutes)
    from kefu.service.sla.cache import compiled_calendar
    from kefu.service.sla.calendar import NoWorkingTime, add_business_seconds

    try:
        return add_business_seconds(compiled_calendar(calendar_id), start, minutes * 60)
    except NoWorkingTime:
        return start + dt.timedelta(minutes=minutes)


def _active_uc(vendor_id: int, day) -> UnderpinningContract | None:
    return (
        UnderpinningContract.objects.filter(
            vendor_id=vendor_id, start_date__lte=day, end_date__gte=day
        )
        .order_by("-end_date", "-id")
        .first()
    )


def _waiting_status(lifecycle_id: int) -> Status | None:
    for key in WAITING_VENDOR_KEYS:
        status = Status.objects.filter(lifecycle_id=lifecycle_id, key=key).first()
        if status:
            return status
    return status_of_category(lifecycle_id, StatusCategoryChoices.WAITING)


@transaction.atomic
def vendor_dispatch_create(
    *,
    actor,
    ticket: Ticket,
    vendor_id: int | None = None,
    asset_id: int | None = None,
    underpinning_contract_id: int | None = None,
    vendor_reference: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> VendorDispatch:
    """Pass a ticket (or its asset's hardware fault) to a vendor and start the vendor's clock.

    The vendor defaults to the asset's hardware vendor (``asset_id`` or the ticket's asset); the
    underpinning contract to the vendor's active one. Without a contract there are no due
    times (nothing was promised). The ticket moves to its lifecycle's "waiting on vendor"
    status. Takes the ticket's row lock; ``ValidationError`` when no vendor can be found.
    """
    ticket = lock_ticket(ticket)
    now = now or timezone.now()
    asset_id = asset_id or ticket.asset_id
    errors: dict[str, list[str]] = {}
    if asset_id is not None:
        asset = customers.asset_get_summary(asset_id)
        if asset is None or (
            ticket.organization_id and asset["organization_id"] != ticket.organization_id
        ):
            errors["asset_id"] = [_("Choose an asset of the ticket's organization.")]
        elif vendor_id is None:
            vendor_id = asset["vendor_id"]
    vendor = customers.organization_get_summary(vendor_id) if vendor_id else None
    if vendor is None or not vendor["is_vendor"]:
        errors["vendor_id"] = [_("Choose a vendor organization.")]
    if errors:
        raise ValidationError(errors)
    if underpinning_contract_id is not None:
        uc = UnderpinningContract.objects.filter(
            pk=underpinning_contract_id, vendor_id=vendor_id
        ).first()
        if uc is None:
            raise ValidationError(
                {"underpinning_contract_id": [_("Choose a contract of this vendor.")]}
            )
    else:
        uc = _active_uc(vendor_id, timezone.localdate(now))
    dispatch = VendorDispatch.objects.create(
        ticket=ticket,
        vendor_id=vendor_id,
        underpinning_contract=uc,
        asset_id=asset_id,
        vendor_reference=(vendor_reference or "").strip()[:100],
        note=(note or "").strip(),
        dispatched_at=now,
        dispatched_by=actor if getattr(actor, "is_staff", False) else None,
        response_due_at=vendor_due(now, uc.response_minutes, uc.calendar_id) if uc else None,
        resolution_due_at=vendor_due(now, uc.resolution_minutes, uc.calendar_id) if uc else None,
    )
    events._record(
        ticket,
        actor=actor,
        verb="vendor_dispatched",
        title=_("Dispatched to vendor %(vendor)s %(reference)s")
        % {"vendor": vendor["name"], "reference": dispatch.vendor_reference},
        data={
            "dispatch_id": dispatch.pk,
            "vendor_id": vendor_id,
            "response_due_at": dispatch.response_due_at.isoformat()
            if dispatch.response_due_at
            else None,
        },
    )
    waiting = _waiting_status(ticket.status.lifecycle_id)
    if waiting is not None and waiting.pk != ticket.status_id and ticket.is_active:
        from kefu.service.services.lifecycle import move_to_status

        move_to_status(ticket, waiting, actor=actor)
    return dispatch


def _clock_state(done_at: dt.datetime, due_at: dt.datetime | None, current: str) -> str:
    if current == VendorClockStateChoices.BREACHED:
        return current
    if due_at is None or done_at <= due_at:
        return VendorClockStateChoices.MET
    return VendorClockStateChoices.BREACHED


def _lock_dispatch(dispatch: VendorDispatch) -> VendorDispatch:
    return VendorDispatch.objects.select_for_update().get(pk=dispatch.pk)


@transaction.atomic
def vendor_dispatch_respond(
    *, actor, dispatch: VendorDispatch, note: str = "", at: dt.datetime | None = None
) -> VendorDispatch:
    """Record the vendor's answer: stops the response clock (met or breached)."""
    dispatch = _lock_dispatch(dispatch)
    if not dispatch.is_open or dispatch.responded_at is not None:
        raise ValidationError({"state": [_("The vendor's answer is already recorded.")]})
    at = at or timezone.now()
    dispatch.responded_at = at
    dispatch.response_state = _clock_state(at, dispatch.response_due_at, dispatch.response_state)
    dispatch.response_note = (note or "").strip()
    dispatch.state = VendorDispatchStateChoices.RESPONDED
    dispatch.save()
    events._record(
        dispatch.ticket,
        actor=actor,
        verb="vendor_responded",
        title=_("Vendor answered: %(state)s") % {"state": dispatch.get_response_state_display()},
        data={"dispatch_id": dispatch.pk, "state": dispatch.response_state},
    )
    return dispatch


@transaction.atomic
def vendor_dispatch_resolve(
    *, actor, dispatch: VendorDispatch, note: str = "", at: dt.datetime | None = None
) -> VendorDispatch:
    """Record the vendor's resolution (and the answer, if missing); reopen the ticket's work.

    The ticket goes back to its first open status if it is still waiting on the vendor.
    """
    dispatch = _lock_dispatch(dispatch)
    if not dispatch.is_open:
        raise ValidationError({"state": [_("This dispatch is already closed.")]})
    at = at or timezone.now()
    if dispatch.responded_at is None:
        dispatch.responded_at = at
        dispatch.response_state = _clock_state(
            at, dispatch.response_due_at, dispatch.response_state
        )
    dispatch.resolved_at = at
    dispatch.resolution_state = _clock_state(
        at, dispatch.resolution_due_at, dispatch.resolution_state
    )
    dispatch.resolution_note = (note or "").strip()
    dispatch.state = VendorDispatchStateChoices.RESOLVED
    dispatch.save()
    ticket = lock_ticket(dispatch.ticket_id)
    events._record(
        ticket,
        actor=actor,
        verb="vendor_resolved",
        title=_("Vendor resolved: %(state)s") % {"state": dispatch.get_resolution_state_display()},
        data={"dispatch_id": dispatch.pk, "state": dispatch.resolution_state},
    )
    if ticket.status.key in WAITING_VENDOR_KEYS:
        _back_to_work(ticket, actor=actor)
    return dispatch


@transaction.atomic
def vendor_dispatch_cancel(*, actor, dispatch: VendorDispatch, note: str = "") -> VendorDispatch:
    """Withdraw a dispatch: its clocks stop without counting as met or breached, the ticket's
    history says so, and a ticket left waiting on no vendor goes back to work."""
    dispatch = _lock_dispatch(dispatch)
    if not dispatch.is_open:
        raise ValidationError({"state": [_("This dispatch is already closed.")]})
    dispatch.state = VendorDispatchStateChoices.CANCELLED
    dispatch.resolution_note = (note or "").strip()
    dispatch.save()
    ticket = lock_ticket(dispatch.ticket_id)
    events._record(
        ticket,
        actor=actor,
        verb="vendor_cancelled",
        title=_("Vendor dispatch withdrawn"),
        data={"dispatch_id": dispatch.pk, "note": dispatch.resolution_note},
    )
    still_waiting = (
        VendorDispatch.objects.filter(ticket_id=ticket.pk)
        .exclude(pk=dispatch.pk)
        .filter(state__in=[VendorDispatchStateChoices.OPEN, VendorDispatchStateChoices.RESPONDED])
        .exists()
    )
    if ticket.status.key in WAITING_VENDOR_KEYS and not still_waiting:
        _back_to_work(ticket, actor=actor)
    return dispatch


def _back_to_work(ticket, *, actor) -> None:
    open_status = status_of_category(ticket.status.lifecycle_id, StatusCategoryChoices.OPEN)
    if open_status is not None:
        from kefu.service.services.lifecycle import move_to_status

        move_to_status(ticket, open_status, actor=actor)


def vendor_clocks_sweep(*, now: dt.datetime | None = None) -> int:
    """Mark running vendor clocks past their due time as breached; return how many.

    Two conditional UPDATEs (``WHERE state = 'running' AND due < now``): several workers may
    run the sweep at once and each clock flips once. No rows are loaded into Python.
    """
    now = now or timezone.now()
    open_states = (VendorDispatchStateChoices.OPEN, VendorDispatchStateChoices.RESPONDED)
    running = VendorClockStateChoices.RUNNING
    count = VendorDispatch.objects.filter(
        state=VendorDispatchStateChoices.OPEN,
        response_state=running,
        response_due_at__lt=now,
    ).update(response_state=VendorClockStateChoices.BREACHED)
    count += VendorDispatch.objects.filter(
        state__in=open_states, resolution_state=running, resolution_due_at__lt=now
    ).update(resolution_state=VendorClockStateChoices.BREACHED)
    return count
