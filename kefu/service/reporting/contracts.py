"""Contract usage and vendor compliance for the service reports.

Contract usage lists the contracts in force at some point of the period: allowance, used and
remaining balance (as of now), the share used, and what was consumed within the period
(one query for the contracts, one grouped query for the period's consumption). Vendor
compliance is the contracts module's own selector (``selectors_contracts.vendor_compliance``).
"""

from django.db.models import Count, Sum

from kefu.service.models import Contract, ContractConsumption
from kefu.service.reporting import Period
from kefu.service.reporting.labels import labels_for


def contract_usage(*, period: Period, limit: int = 500) -> list[dict]:
    """Contracts overlapping ``period``, the most used first."""
    contracts = list(
        Contract.objects.filter(start_date__lte=period.last, end_date__gte=period.first)
        .order_by("-used_units", "number")
        .only(
            "id",
            "number",
            "name",
            "organization_id",
            "start_date",
            "end_date",
            "allowance_unit",
            "allowance_units",
            "used_units",
        )[:limit]
    )
    consumed = {
        row["contract_id"]: row
        for row in ContractConsumption.objects.filter(
            contract_id__in=[c.pk for c in contracts],
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .values("contract_id")
        .annotate(units=Sum("units"), overage=Sum("overage_units"), tickets=Count("ticket_id"))
        .order_by()
    }
    names = labels_for("organization", [c.organization_id for c in contracts])
    rows = []
    for contract in contracts:
        period_row = consumed.get(contract.pk, {})
        rows.append(
            {
                "id": contract.pk,
                "number": contract.number,
                "name": contract.name,
                "organization": names.get(contract.organization_id, "—"),
                "start": contract.start_date.isoformat(),
                "end": contract.end_date.isoformat(),
                "state": str(contract.get_state_display()),
                "unit": str(contract.get_allowance_unit_display()),
                "allowance": contract.allowance_display,
                "used": contract.used_display,
                "remaining": contract.remaining_display,
                "used_percent": contract.used_percent,
                "period_used": contract.display_units(period_row.get("units") or 0),
                "period_not_covered": contract.display_units(period_row.get("overage") or 0),
            }
        )
    return rows


def vendor_compliance(*, period: Period) -> list[dict] | None:
    """Met and breached vendor clocks per vendor; None if the vendor module is not there."""
    try:
        from kefu.service.selectors_contracts import vendor_compliance as selector
    except ImportError:
        return None
    return selector(period.start, period.end)
