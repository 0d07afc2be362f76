"""Contracts and entitlements: creating contracts, attaching them to tickets, consuming credit.

A new ticket gets the best matching active contract of its organization (one limited to the
ticket's asset beats one limited to its site, which beats an organization-wide one; then the
one with credit left, then the one ending first). Consumption happens on creation or on
resolution, as the contract says; hours contracts consume the minutes logged on the ticket's
entries. Credit is taken with one conditional UPDATE (``used + n <= allowance``), so two
tickets racing for the last credit consume it once, and a unique consumption row per ticket
(and per entry) means a ticket never consumes twice. A ticket the contract cannot cover is
marked ``billable``: it is never refused.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service.choices import StatusCategoryChoices, TicketTypeChoices
from kefu.service.models import (
    Contract,
    ContractConsumption,
    ContractThresholdNotice,
    Ticket,
    TicketEntry,
)
from kefu.service.models.contracts import (
    ConsumptionKindChoices,
    ContractAllowanceUnitChoices,
    ContractConsumeOnChoices,
    ContractCoverageChoices,
    ContractHoursChoices,
)

TIMELINE_KIND = "contract"
SOURCE_TYPE = "service.contract"
FIELDS = {
    "organization_id",
    "number",
    "name",
    "start_date",
    "end_date",
    "service_level",
    "coverage",
    "hours",
    "allowance_unit",
    "allowance",
    "consume_on",
    "ticket_types",
    "thresholds",
    "notes",
    "site_ids",
    "asset_ids",
}
# Resolutions that mean "there was nothing to do": they do not consume on resolution.
NOT_CONSUMING_RESOLUTIONS = {"duplicate", "cancelled"}


def _staff(actor):
    return actor if getattr(actor, "is_authenticated", False) and actor.is_staff else None


def _allowance_to_units(unit: str, value: Any) -> int:
    """Turn the allowance as entered (tickets, or hours with decimals) into stored units."""
    if unit == ContractAllowanceUnitChoices.UNLIMITED:
        return 0
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({"allowance": [_("Enter a number.")]}) from None
    if number < 0:
        raise ValidationError({"allowance": [_("The allowance cannot be negative.")]})
    if unit == ContractAllowanceUnitChoices.HOURS:
        return int((number * 60).to_integral_value())
    if number != number.to_integral_value():
        raise ValidationError({"allowance": [_("Enter a whole number of tickets.")]})
    return int(number)


def _clean(values: dict[str, Any], *, current: Contract | None) -> dict[str, Any]:
    """Validate contract fields (merged over ``current``); raise ``ValidationError`` per field."""
    errors: dict[str, list[str]] = {}
    merged = {
        "organization_id": current.organization_id if current else None,
        "number": current.number if current else "",
        "name": current.name if current else "",
        "start_date": current.start_date if current else None,
        "end_date": current.end_date if current else None,
        "service_level": current.service_level if current else "",
        "coverage": current.coverage if current else ContractCoverageChoices.BOTH,
        "hours": current.hours if current else ContractHoursChoices.BUSINESS,
        "allowance_unit": current.allowance_unit if current else "tickets",
        "consume_on": current.consume_on if current else ContractConsumeOnChoices.CREATED,
        "ticket_types": list(current.ticket_types) if current else [],
        "thresholds": list(current.thresholds) if current else [80, 100],
        "notes": current.notes if current else "",
        **{k: v for k, v in values.items() if k not in ("allowance", "site_ids", "asset_ids")},
    }
    for key in ("number", "name", "service_level", "notes"):
        merged[key] = (merged[key] or "").strip()
    for key, message in (
        ("number", _("Give the contract a number.")),
        ("name", _("Give the contract a name.")),
        ("service_level", _("Give the service level, e.g. “gold”.")),
    ):
        if not merged[key]:
            errors[key] = [message]
    if merged["service_level"] and not all(
        ch.isascii() and (ch.isalnum() or ch in "-_") for ch in merged["service_level"]
    ):
        errors["service_level"] = [_("Use letters, digits, “-” and “_” only.")]
    if len(merged["number"]) > 40:
        errors["number"] = [_("A number has at most 40 characters.")]
    elif merged["number"]:
        taken = Contract.objects.filter(number=merged["number"])
        if current:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            errors["number"] = [_("Another contract has this number.")]
    org = None
    if merged["organization_id"] is None:
        errors["organization_id"] = [_("Choose the customer organization.")]
    else:
        org = customers.organization_get_summary(merged["organization_id"])
        if org is None:
            errors["organization_id"] = [_("No such organization.")]
        elif org["is_vendor"]:
            errors["organization_id"] = [_("A vendor cannot hold a customer contract.")]
    if merged["start_date"] is None:
        errors["start_date"] = [_("Give the start date.")]
    if merged["end_date"] is None:
        errors["end_date"] = [_("Give the end date.")]
    if merged["start_date"] and merged["end_date"] and merged["end_date"] < merged["start_date"]:
        errors["end_date"] = [_("The contract cannot end before it starts.")]
    for key, allowed in (
        ("coverage", ContractCoverageChoices.values),
        ("hours", ContractHoursChoices.values),
        ("allowance_unit", ContractAllowanceUnitChoices.values),
        ("consume_on", ContractConsumeOnChoices.values),
    ):
        if merged[key] not in allowed:
            errors[key] = [_("“%(value)s” is not a valid choice.") % {"value": merged[key]}]
    bad_types = [t for t in merged["ticket_types"] or [] if t not in TicketTypeChoices.values]
    if bad_types:
        errors["ticket_types"] = [_("Unknown ticket type: %(types)s") % {"types": bad_types}]
    try:
        thresholds = sorted({int(t) for t in merged["thresholds"] or []})
    except (TypeError, ValueError):
        thresholds = [-1]
    if any(t < 1 or t > 100 for t in thresholds):
        errors["thresholds"] = [_("Thresholds are percentages from 1 to 100.")]
    merged["thresholds"] = thresholds
    if "allowance" in values or current is None or "allowance_unit" in values:
        unit = merged["allowance_unit"]
        if unit in ContractAllowanceUnitChoices.values:
            try:
                merged["allowance_units"] = _allowance_to_units(unit, values.get("allowance", 0))
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if (
            current
            and "allowance_units" in merged
            and unit != ContractAllowanceUnitChoices.UNLIMITED
            and merged["allowance_units"] < current.used_units
        ):
            errors["allowance"] = [
                _("The contract already used %(used)s; the allowance cannot be lower.")
                % {"used": current.used_display}
            ]
        if current and unit != current.allowance_unit and current.used_units:
            errors["allowance_unit"] = [_("The unit cannot change once credit was used.")]
    for key, getter in (("site_ids", customers.site_get_summary), ("asset_ids", None)):
        ids = values.get(key)
        if ids is None or org is None:
            continue
        for pk in ids:
            summary = getter(pk) if getter else customers.asset_get_summary(pk)
            if summary is None or summary["organization_id"] != org["id"]:
                errors[key] = [_("Choose sites and assets of the contract's organization.")]
                break
    if errors:
        raise ValidationError(errors)
    return merged


def _contract_event(contract: Contract, *, actor, verb: str, title: str, **data) -> None:
    customers.timeline_event_add(
        kind=TIMELINE_KIND,
        verb=verb,
        title=title[:300],
        actor=_staff(actor),
        organization_id=contract.organization_id,
        data={"contract_id": contract.pk, "number": contract.number, **data},
        source_type=SOURCE_TYPE,
        source_id=contract.pk,
    )


@transaction.atomic
def contract_create(*, actor, **values: Any) -> Contract:
    """Create a contract. ``allowance`` is tickets, or hours (decimals allowed) for hours.

    Raises ``ValidationError`` (per field) for a contract ending before it starts, a negative
    allowance, a duplicate number, a vendor organization, sites/assets of another organization;
    nothing is written then.
    """
    unknown = set(values) - FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    merged = _clean(values, current=None)
    contract = Contract.objects.create(
        **{k: v for k, v in merged.items() if k not in ("site_ids", "asset_ids")},
        created_by=_staff(actor),
    )
    contract.sites.set(values.get("site_ids") or [])
    contract.assets.set(values.get("asset_ids") or [])
    _contract_event(
        contract,
        actor=actor,
        verb="contract_created",
        title=_("Contract %(number)s: %(name)s")
        % {"number": contract.number, "name": contract.name},
    )
    return contract


@transaction.atomic
def contract_update(*, actor, contract: Contract, **values: Any) -> Contract:
    """Change a contract's fields (a partial update); same checks as :func:`contract_create`.

    Takes the contract's row lock, so the allowance check against ``used_units`` cannot race a
    consumption. The allowance cannot drop below what was used.
    """
    unknown = set(values) - FIELDS
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in unknown})
    current = Contract.objects.select_for_update().get(pk=contract.pk)
    merged = _clean(values, current=current)
    for key, value in merged.items():
        if key in ("site_ids", "asset_ids"):
            continue
        setattr(current, key, value)
    current.save()
    if values.get("site_ids") is not None:
        current.sites.set(values["site_ids"])
    if values.get("asset_ids") is not None:
        current.assets.set(values["asset_ids"])
    return current


# --- attaching and consuming -------------------------------------------------------------


@dataclass(frozen=True)
class ContractMatch:
    contract: Contract | None
    billable: bool


def _today():
    return timezone.localdate()


def contract_match(
    *, organization_id: int | None, site_id: int | None, asset_id: int | None, day=None
) -> ContractMatch:
    """Return the contract that covers a ticket with these facts, and whether it is billable.

    Asset-limited contracts beat site-limited ones, which beat organization-wide ones; then one
    with credit left, then the one ending first. A contract limited to sites/assets only
    matches tickets about one of them. An exhausted best match is returned with
    ``billable=True``; with only expired contracts, no contract and ``billable=True``; an
    organization without any contract is not billable (nothing was sold to it).
    """
    if organization_id is None:
        return ContractMatch(None, False)
    # Most organizations hold no contract: one plain query says so. The site and asset limits
    # are read only for the contracts there are.
    rows = list(Contract.objects.filter(organization_id=organization_id))
    if not rows:
        return ContractMatch(None, False)
    day = day or _today()
    ids = [contract.pk for contract in rows]
    sites: dict[int, set[int]] = {}
    for contract_id, linked in Contract.sites.through.objects.filter(
        contract_id__in=ids
    ).values_list("contract_id", "site_id"):
        sites.setdefault(contract_id, set()).add(linked)
    assets: dict[int, set[int]] = {}
    for contract_id, linked in Contract.assets.through.objects.filter(
        contract_id__in=ids
    ).values_list("contract_id", "asset_id"):
        assets.setdefault(contract_id, set()).add(linked)
    candidates = []
    any_contract = False
    for contract in rows:
        has_sites, has_assets = contract.pk in sites, contract.pk in assets
        if has_sites and site_id not in sites[contract.pk]:
            continue
        if has_assets and asset_id not in assets[contract.pk]:
            continue
        any_contract = True
        if contract.state_on(day) != "active":
            continue
        specificity = 2 if has_assets else 1 if has_sites else 0
        candidates.append(
            ((-specificity, contract.is_exhausted, contract.end_date, contract.pk), contract)
        )
    if not candidates:
        return ContractMatch(None, any_contract)
    best = min(candidates, key=lambda item: item[0])[1]
    return ContractMatch(best, best.is_exhausted)


def _set_ticket(ticket: Ticket, **fields) -> None:
    # contract/billable are system fields: they do not bump the ticket's version (an agent's
    # open form stays valid), and the caller already holds the ticket (creation or its lock).
    fields = {key: value for key, value in fields.items() if getattr(ticket, key) != value}
    if not fields:
        return  # most tickets: no contract, not billable - no extra write on creation
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    for key, value in fields.items():
        setattr(ticket, key, value)


def _take_credit(contract_id: int, units: int) -> int:
    """Take ``units`` of credit if they all fit; else what is left; return the units taken.

    The first attempt is one conditional UPDATE: under any concurrency the counter never
    passes the allowance (PostgreSQL re-checks the WHERE on the row a concurrent writer just
    committed; SQLite serialises writers). Only a partial take locks the row to read the rest.
    """
    full = Contract.objects.filter(
        pk=contract_id, used_units__lte=F("allowance_units") - units
    ).update(used_units=F("used_units") + units, updated_at=timezone.now())
    if full:
        return units
    row = Contract.objects.select_for_update().get(pk=contract_id)
    rest = max(row.allowance_units - row.used_units, 0)
    if rest:
        Contract.objects.filter(pk=contract_id).update(
            used_units=F("used_units") + rest, updated_at=timezone.now()
        )
    return rest


def _consume(
    *,
    ticket: Ticket,
    contract: Contract,
    kind: str,
    units: int,
    actor,
    reason: str,
    entry: TicketEntry | None = None,
) -> ContractConsumption | None:
    """Record one consumption and take its credit; None if it was already recorded.

    The unique row is written first (in a savepoint): a second attempt for the same ticket
    (or entry) fails there and takes nothing. Unlimited contracts record without a counter.
    """
    try:
        with transaction.atomic():
            row = ContractConsumption.objects.create(
                contract=contract,
                ticket=ticket,
                entry=entry,
                kind=kind,
                units=units,
                reason=reason[:200],
                created_by=_staff(actor),
            )
    except IntegrityError:
        return None
    if contract.is_unlimited:
        return row
    taken = _take_credit(contract.pk, units)
    if taken != units:
        row.units = taken
        row.overage_units = units - taken
        row.save(update_fields=["units", "overage_units"])
    if row.overage_units and not ticket.billable:
        _set_ticket(ticket, billable=True)
    if taken:
        _thresholds_check(contract.pk, actor=actor)
    return row


def _thresholds_check(contract_id: int, *, actor) -> list[int]:
    """Record each threshold the contract just reached, once; tell the owner and sales.

    A threshold's notice row is unique per contract: whichever consumption first reaches it
    inserts it, everyone else's insert fails in a savepoint and sends nothing.
    """
    contract = Contract.objects.get(pk=contract_id)
    percent = contract.used_percent
    if percent is None:
        return []
    fired = []
    for threshold in sorted(contract.thresholds or []):
        if percent < threshold:
            break
        try:
            with transaction.atomic():
                ContractThresholdNotice.objects.create(
                    contract=contract, threshold=threshold, used_units=contract.used_units
                )
        except IntegrityError:
            continue
        fired.append(threshold)
    for threshold in fired:
        follow_up = "renewal" if threshold >= 100 else "upsell"
        _contract_event(
            contract,
            actor=actor,
            verb="contract_threshold",
            title=_(
                "Contract %(number)s is %(threshold)s%% used (%(used)s of %(allowance)s): "
                "renewal or upsell opportunity"
            )
            % {
                "number": contract.number,
                "threshold": threshold,
                "used": contract.used_display,
                "allowance": contract.allowance_display,
            },
            threshold=threshold,
            used_units=contract.used_units,
            allowance_units=contract.allowance_units,
            follow_up=follow_up,
        )
        from kefu.service import tasks_contracts

        transaction.on_commit(
            lambda c=contract.pk, t=threshold: tasks_contracts.contract_threshold_mail(c, t)
        )
    return fired


def _consume_ticket(ticket: Ticket, contract: Contract, *, actor, reason: str) -> None:
    if contract.allowance_unit == ContractAllowanceUnitChoices.HOURS:
        return
    row = _consume(
        ticket=ticket,
        contract=contract,
        kind=ConsumptionKindChoices.TICKET,
        units=1,
        actor=actor,
        reason=reason,
    )
    if row is not None:
        _set_ticket(ticket, billable=bool(row.overage_units))


def _consume_time(ticket: Ticket, contract: Contract, *, actor, entries) -> None:
    for entry in entries:
        if entry.time_spent_minutes <= 0:
            continue
        _consume(
            ticket=ticket,
            contract=contract,
            kind=ConsumptionKindChoices.TIME,
            units=entry.time_spent_minutes,
            actor=actor,
            reason=_("%(minutes)s minutes logged") % {"minutes": entry.time_spent_minutes},
            entry=entry,
        )


def ticket_contract_attach(*, ticket: Ticket, actor) -> Contract | None:
    """Attach the best matching contract to a new (or re-homed) ticket and consume per it.

    Runs inside the caller's transaction (the ``created`` event). Sets ``billable`` when the
    contract is exhausted or only expired contracts exist. Never raises for the customer.
    """
    match = contract_match(
        organization_id=ticket.organization_id, site_id=ticket.site_id, asset_id=ticket.asset_id
    )
    contract = match.contract
    _set_ticket(ticket, contract_id=contract.pk if contract else None, billable=match.billable)
    # What the SLA receiver asks next (contract_service_level_for_ticket): no second read.
    ticket.attached_contract = (ticket.contract_id, contract)
    if contract is None or not contract.consumes_type(ticket.ticket_type):
        if contract is not None and match.billable:
            _set_ticket(ticket, billable=False)
        return contract
    if contract.consume_on == ContractConsumeOnChoices.CREATED:
        _consume_ticket(ticket, contract, actor=actor, reason=_("Ticket opened"))
    return contract


def _on_resolved(ticket: Ticket, *, actor) -> None:
    contract = ticket.contract
    if contract is None or not contract.consumes_type(ticket.ticket_type):
        return
    if ticket.merged_into_id or ticket.resolution_code in NOT_CONSUMING_RESOLUTIONS:
        return
    if contract.allowance_unit == ContractAllowanceUnitChoices.HOURS:
        consumed = ContractConsumption.objects.filter(contract=contract, entry=OuterRef("pk"))
        entries = (
            TicketEntry.objects.filter(ticket=ticket, time_spent_minutes__gt=0)
            .annotate(done=Exists(consumed))
            .filter(done=False)
        )
        _consume_time(ticket, contract, actor=actor, entries=list(entries))
    elif contract.consume_on == ContractConsumeOnChoices.RESOLVED:
        _consume_ticket(ticket, contract, actor=actor, reason=_("Ticket resolved"))


def _refund_merged(ticket: Ticket, *, actor) -> ContractConsumption | None:
    """Give back the support call of a ticket merged into another (a duplicate is one request).

    Once per ticket and contract (the refund row is unique); the counter goes down with a
    conditional UPDATE that never takes it below zero.
    """
    used = (
        ContractConsumption.objects.filter(
            ticket=ticket, kind=ConsumptionKindChoices.TICKET, units__gt=0
        )
        .select_related("contract")
        .first()
    )
    if used is None:
        return None
    try:
        with transaction.atomic():
            row = ContractConsumption.objects.create(
                contract=used.contract,
                ticket=ticket,
                kind=ConsumptionKindChoices.REFUND,
                units=used.units,
                reason=_("Merged into another ticket"),
                created_by=_staff(actor),
            )
    except IntegrityError:
        return None
    Contract.objects.filter(pk=used.contract_id, used_units__gte=used.units).update(
        used_units=F("used_units") - used.units, updated_at=timezone.now()
    )
    return row


def on_ticket_changed(sender, *, ticket: Ticket, verb: str, actor=None, data=None, **kwargs):
    """The ``ticket_changed`` receiver: attach on creation, consume per the contract."""
    data = data or {}
    if verb == "merged":
        _refund_merged(ticket, actor=actor)
    elif verb == "created":
        ticket_contract_attach(ticket=ticket, actor=actor)
    elif verb == "updated":
        moved = {"organization_id", "site_id", "asset_id"} & set(data.get("fields", []))
        if moved and not ContractConsumption.objects.filter(ticket=ticket).exists():
            ticket_contract_attach(ticket=ticket, actor=actor)
    elif verb == "replied":
        entry = data.get("entry")
        # ticket_reply_add read the ticket under its row lock just now: contract_id is current.
        contract = (
            Contract.objects.filter(pk=ticket.contract_id).first() if ticket.contract_id else None
        )
        if (
            entry is not None
            and contract is not None
            and contract.allowance_unit == ContractAllowanceUnitChoices.HOURS
            and contract.consume_on == ContractConsumeOnChoices.CREATED
            and contract.consumes_type(ticket.ticket_type)
        ):
            _consume_time(ticket, contract, actor=actor, entries=[entry])
    elif verb == "status_changed" and ticket.status_category in (
        StatusCategoryChoices.RESOLVED,
        StatusCategoryChoices.CLOSED,
    ):
        ticket.contract = _fresh_contract(ticket)
        _on_resolved(ticket, actor=actor)


def _fresh_contract(ticket: Ticket) -> Contract | None:
    contract_id = Ticket.objects.filter(pk=ticket.pk).values_list("contract_id", flat=True).first()
    return Contract.objects.filter(pk=contract_id).first() if contract_id else None


def contract_service_level_for_ticket(ticket: Ticket) -> str | None:
    """Return the service level of the ticket's active contract (what SLA policies match on)."""
    attached = getattr(ticket, "attached_contract", None)
    if attached is not None and attached[0] == ticket.contract_id:
        # Just attached in this change (the matching below would find the same, or nothing).
        contract = attached[1]
        if contract is None or contract.state != "active":
            return None
        return contract.service_level
    contract = _fresh_contract(ticket) if ticket.pk else None
    if contract is None and ticket.organization_id:
        # The SLA receiver may run before ours on creation: match without attaching.
        contract = contract_match(
            organization_id=ticket.organization_id,
            site_id=ticket.site_id,
            asset_id=ticket.asset_id,
        ).contract
    if contract is None or contract.state != "active":
        return None
    return contract.service_level


def contract_time_used(contract: Contract) -> int:
    """Return the minutes recorded against the contract (for reports)."""
    return (
        ContractConsumption.objects.filter(
            contract=contract, kind=ConsumptionKindChoices.TIME
        ).aggregate(total=Sum("units"))["total"]
        or 0
    )
