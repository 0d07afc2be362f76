"""Reads of contracts and vendors: lists, the ticket's contract panel, vendor compliance."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kefu.customers import facade as customers
from kefu.service.models import (
    Contract,
    ContractConsumption,
    Ticket,
    UnderpinningContract,
    VendorDispatch,
)
from kefu.service.models.vendors import VendorClockStateChoices, VendorDispatchStateChoices


def contract_list(*, organization_id: int | None = None, state: str | None = None) -> QuerySet:
    """Contracts, newest end first; ``state`` active/expired/scheduled filters by today."""
    today = timezone.localdate()
    rows = Contract.objects.all()
    if organization_id:
        rows = rows.filter(organization_id=organization_id)
    if state == "active":
        rows = rows.filter(start_date__lte=today, end_date__gte=today)
    elif state == "expired":
        rows = rows.filter(end_date__lt=today)
    elif state == "scheduled":
        rows = rows.filter(start_date__gt=today)
    return rows.order_by("-end_date", "-id")


def with_organization_names(contracts) -> list:
    """Attach ``organization_name`` to each contract (one query for all organizations)."""
    contracts = list(contracts)
    names = customers.organization_summaries(list({c.organization_id for c in contracts}))
    for contract in contracts:
        summary = names.get(contract.organization_id)
        contract.organization_name = summary["name"] if summary else "—"
    return contracts


def organization_contracts(*, organization_id: int) -> list[Contract]:
    return list(contract_list(organization_id=organization_id)[:20])


def contract_consumptions(contract: Contract, *, limit: int = 200) -> list[ContractConsumption]:
    return list(
        ContractConsumption.objects.filter(contract=contract)
        .select_related("ticket", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def latest_expired_contract(*, organization_id: int) -> Contract | None:
    return (
        Contract.objects.filter(organization_id=organization_id, end_date__lt=timezone.localdate())
        .order_by("-end_date")
        .first()
    )


def ticket_contract_panel(ticket: Ticket) -> dict[str, Any]:
    """What the agent sees about the ticket's contract: balance, coverage, expiry, warnings."""
    contract = (
        Contract.objects.filter(pk=ticket.contract_id).first() if ticket.contract_id else None
    )
    warning = None
    expired = None
    if contract is not None and contract.is_exhausted:
        warning = "exhausted"
    elif contract is None and ticket.organization_id:
        expired = latest_expired_contract(organization_id=ticket.organization_id)
        if expired is not None and ticket.billable:
            warning = "expired"
    if ticket.billable and warning is None:
        warning = "billable"
    consumed = (
        list(ContractConsumption.objects.filter(ticket=ticket).order_by("created_at"))
        if contract
        else []
    )
    return {
        "contract": contract,
        "expired": expired,
        "billable": ticket.billable,
        "warning": warning,
        "consumptions": consumed,
        "dispatches": list(
            VendorDispatch.objects.filter(ticket=ticket).select_related("vendor", "asset")
        ),
    }


def underpinning_contract_list(*, vendor_id: int | None = None) -> QuerySet:
    rows = UnderpinningContract.objects.select_related("vendor", "calendar")
    if vendor_id:
        rows = rows.filter(vendor_id=vendor_id)
    return rows.order_by("vendor__name", "-end_date")


def vendor_list() -> list[dict[str, Any]]:
    """Vendor organizations (id, name) for pickers."""
    from kefu.customers.models import Organization  # read-only list for a form choice

    return list(Organization.objects.filter(is_vendor=True).order_by("name").values("id", "name"))


def vendor_compliance(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Met and breached vendor clocks per vendor, for dispatches made in ``[start, end)``.

    One grouped query. Per vendor: dispatches, response met/breached/running, resolution
    met/breached/running, and the share met of the decided clocks (None when none decided).
    Cancelled dispatches are left out.
    """
    met, breached, running = (
        VendorClockStateChoices.MET,
        VendorClockStateChoices.BREACHED,
        VendorClockStateChoices.RUNNING,
    )
    rows = (
        VendorDispatch.objects.filter(dispatched_at__gte=start, dispatched_at__lt=end)
        .exclude(state=VendorDispatchStateChoices.CANCELLED)
        .values("vendor_id", "vendor__name")
        .annotate(
            dispatches=Count("id"),
            response_met=Count("id", filter=Q(response_state=met)),
            response_breached=Count("id", filter=Q(response_state=breached)),
            response_running=Count("id", filter=Q(response_state=running)),
            resolution_met=Count("id", filter=Q(resolution_state=met)),
            resolution_breached=Count("id", filter=Q(resolution_state=breached)),
            resolution_running=Count("id", filter=Q(resolution_state=running)),
        )
        .order_by("vendor__name", "vendor_id")
    )
    report = []
    for row in rows:
        decided = (
            row["response_met"]
            + row["response_breached"]
            + row["resolution_met"]
            + row["resolution_breached"]
        )
        met_total = row["response_met"] + row["resolution_met"]
        report.append(
            {
                "vendor_id": row["vendor_id"],
                "vendor_name": row["vendor__name"],
                "dispatches": row["dispatches"],
                "response_met": row["response_met"],
                "response_breached": row["response_breached"],
                "response_running": row["response_running"],
                "resolution_met": row["resolution_met"],
                "resolution_breached": row["resolution_breached"],
                "resolution_running": row["resolution_running"],
                "compliance_percent": round(met_total * 100 / decided, 1) if decided else None,
            }
        )
    return report


def contract_usage(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Use of each contract in ``[start, end)``: units covered and not covered, tickets.

    One grouped query over the consumption rows, plus the contracts' current balance. Units
    are tickets, or minutes for an hours contract (``allowance_unit`` says which).
    """
    rows = (
        ContractConsumption.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("contract_id")
        .annotate(
            units=Sum("units"),
            overage_units=Sum("overage_units"),
            tickets=Count("ticket_id", distinct=True),
        )
    )
    usage = {row["contract_id"]: row for row in rows}
    contracts = with_organization_names(
        Contract.objects.filter(pk__in=usage).order_by("organization_id", "number")
    )
    return [
        {
            "contract_id": contract.pk,
            "number": contract.number,
            "organization_id": contract.organization_id,
            "organization_name": contract.organization_name,
            "allowance_unit": contract.allowance_unit,
            "units": usage[contract.pk]["units"] or 0,
            "overage_units": usage[contract.pk]["overage_units"] or 0,
            "tickets": usage[contract.pk]["tickets"],
            "allowance_units": contract.allowance_units,
            "used_units": contract.used_units,
            "used_percent": contract.used_percent,
        }
        for contract in contracts
    ]
