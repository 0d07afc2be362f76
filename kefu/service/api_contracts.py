"""Contracts and vendors API: ``/api/v1/contracts``, underpinning contracts, vendor dispatches.

Agents read; supervisors and administrators write contracts (``service.add_contract`` /
``service.change_contract``); portal customers get 403. Errors are RFC 9457 problems.
"""

import contextlib
import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kefu.accounts.policy import require
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core.audit import AuditSource, audit_context
from kefu.service import selectors, selectors_contracts
from kefu.service.models import Contract, VendorDispatch
from kefu.service.services import contracts as contract_services
from kefu.service.services import vendors as vendor_services

router = Router(tags=["contracts"])


@contextlib.contextmanager
def _writing(request):
    with audit_context(source=AuditSource.API, actor=request.auth):
        yield


class ContractOut(Schema):
    id: int
    organization_id: int
    number: str
    name: str
    start_date: dt.date
    end_date: dt.date
    state: str
    service_level: str
    coverage: str
    hours: str
    allowance_unit: str
    allowance_units: int
    used_units: int
    remaining_units: int | None
    consume_on: str
    ticket_types: list[str]
    thresholds: list[int]
    site_ids: list[int]
    asset_ids: list[int]
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_site_ids(obj) -> list[int]:
        return [site.pk for site in obj.sites.all()]

    @staticmethod
    def resolve_asset_ids(obj) -> list[int]:
        return [asset.pk for asset in obj.assets.all()]


class ContractIn(Schema):
    organization_id: int
    number: str
    name: str
    start_date: dt.date
    end_date: dt.date
    service_level: str
    coverage: str = "both"
    hours: str = "business"
    allowance_unit: str = "tickets"
    allowance: Decimal = Decimal(0)
    consume_on: str = "created"
    ticket_types: list[str] = []
    thresholds: list[int] = [80, 100]
    site_ids: list[int] = []
    asset_ids: list[int] = []
    notes: str = ""


class ContractPatch(Schema):
    number: str | None = None
    name: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    service_level: str | None = None
    coverage: str | None = None
    hours: str | None = None
    allowance_unit: str | None = None
    allowance: Decimal | None = None
    consume_on: str | None = None
    ticket_types: list[str] | None = None
    thresholds: list[int] | None = None
    site_ids: list[int] | None = None
    asset_ids: list[int] | None = None
    notes: str | None = None


class ConsumptionOut(Schema):
    id: int
    ticket_id: int
    entry_id: int | None
    kind: str
    units: int
    overage_units: int
    reason: str
    created_by_id: int | None
    created_at: dt.datetime


class ContractFilters(Schema):
    organization: int | None = None
    state: str | None = None


def _contracts():
    return Contract.objects.prefetch_related("sites", "assets")


@router.get(
    "/contracts",
    response={200: list[ContractOut], **LIST_ERRORS},
    summary="List contracts",
    description="Filters: `organization`, `state` (active, expired, scheduled).",
)
@paginate(PageNumberPagination)
def contract_list(request, filters: Query[ContractFilters]):
    require(request.auth, "service.view_contract")
    rows = selectors_contracts.contract_list(
        organization_id=filters.organization, state=filters.state
    )
    return rows.prefetch_related("sites", "assets")


@router.get(
    "/contracts/{contract_id}", response={200: ContractOut, **READ_ERRORS}, summary="Get a contract"
)
def contract_get(request, contract_id: int):
    require(request.auth, "service.view_contract")
    return get_object_or_404(_contracts(), pk=contract_id)


@router.post("/contracts", response={201: ContractOut, **WRITE_ERRORS}, summary="Create a contract")
def contract_create(request, payload: ContractIn):
    """``allowance`` is a number of tickets, or hours (decimals allowed) for an hours contract."""
    require(request.auth, "service.add_contract")
    with _writing(request):
        contract = contract_services.contract_create(actor=request.auth, **payload.model_dump())
    return Status(201, _contracts().get(pk=contract.pk))


@router.patch(
    "/contracts/{contract_id}",
    response={200: ContractOut, **WRITE_ERRORS},
    summary="Change a contract",
)
def contract_update(request, contract_id: int, payload: ContractPatch):
    require(request.auth, "service.change_contract")
    contract = get_object_or_404(Contract, pk=contract_id)
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    with _writing(request):
        contract_services.contract_update(actor=request.auth, contract=contract, **values)
    return _contracts().get(pk=contract.pk)


@router.get(
    "/contracts/{contract_id}/consumptions",
    response={200: list[ConsumptionOut], **READ_ERRORS},
    summary="A contract's consumption history",
)
def contract_consumptions(request, contract_id: int):
    require(request.auth, "service.view_contractconsumption")
    contract = get_object_or_404(Contract, pk=contract_id)
    return selectors_contracts.contract_consumptions(contract)


# --- vendors --------------------------------------------------------------------------------


class UnderpinningContractOut(Schema):
    id: int
    vendor_id: int
    number: str
    name: str
    start_date: dt.date
    end_date: dt.date
    response_minutes: int
    resolution_minutes: int
    calendar_id: int | None
    notes: str


class UnderpinningContractIn(Schema):
    vendor_id: int
    number: str
    name: str
    start_date: dt.date
    end_date: dt.date
    response_minutes: int
    resolution_minutes: int
    calendar_id: int | None = None
    notes: str = ""


class DispatchIn(Schema):
    vendor_id: int | None = None
    asset_id: int | None = None
    underpinning_contract_id: int | None = None
    vendor_reference: str = ""
    note: str = ""


class DispatchOutcomeIn(Schema):
    note: str = ""


class DispatchOut(Schema):
    id: int
    ticket_id: int
    vendor_id: int
    underpinning_contract_id: int | None
    asset_id: int | None
    vendor_reference: str
    state: str
    dispatched_at: dt.datetime
    response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    response_state: str
    resolution_state: str


class ComplianceRowOut(Schema):
    vendor_id: int
    vendor_name: str
    dispatches: int
    response_met: int
    response_breached: int
    response_running: int
    resolution_met: int
    resolution_breached: int
    resolution_running: int
    compliance_percent: float | None


class PeriodIn(Schema):
    start: dt.date
    end: dt.date


@router.get(
    "/underpinning-contracts",
    response={200: list[UnderpinningContractOut], **LIST_ERRORS},
    summary="List underpinning contracts",
)
@paginate(PageNumberPagination)
def uc_list(request):
    require(request.auth, "service.view_underpinningcontract")
    return selectors_contracts.underpinning_contract_list()


@router.post(
    "/underpinning-contracts",
    response={201: UnderpinningContractOut, **WRITE_ERRORS},
    summary="Create an underpinning contract",
)
def uc_create(request, payload: UnderpinningContractIn):
    require(request.auth, "service.add_underpinningcontract")
    with _writing(request):
        uc = vendor_services.underpinning_contract_create(
            actor=request.auth, **payload.model_dump()
        )
    return Status(201, uc)


@router.post(
    "/tickets/{ticket_id}/vendor-dispatches",
    response={201: DispatchOut, **WRITE_ERRORS},
    summary="Dispatch a ticket to a vendor",
)
def dispatch_create(request, ticket_id: int, payload: DispatchIn):
    """The vendor defaults to the hardware vendor of the asset (given, or the ticket's)."""
    require(request.auth, "service.add_vendordispatch")
    require(request.auth, "service.view_ticket")
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    require(request.auth, "service.change_ticket", ticket)
    with _writing(request):
        dispatch = vendor_services.vendor_dispatch_create(
            actor=request.auth, ticket=ticket, **payload.model_dump()
        )
    return Status(201, dispatch)


def _dispatch_outcome(request, dispatch_id: int, payload: DispatchOutcomeIn, record):
    """Record an outcome (``record``: a vendors service) on a dispatch of a ticket the caller
    may change; a refusal is a 422 problem and writes nothing."""
    require(request.auth, "service.change_vendordispatch")
    dispatch = get_object_or_404(VendorDispatch, pk=dispatch_id)
    ticket = selectors.ticket_get(user=request.auth, pk=dispatch.ticket_id)
    require(request.auth, "service.change_ticket", ticket)
    with _writing(request):
        return record(actor=request.auth, dispatch=dispatch, note=payload.note)


@router.post(
    "/vendor-dispatches/{dispatch_id}/respond",
    response={200: DispatchOut, **WRITE_ERRORS},
    summary="Record the vendor's answer",
)
def dispatch_respond(request, dispatch_id: int, payload: DispatchOutcomeIn):
    return _dispatch_outcome(request, dispatch_id, payload, vendor_services.vendor_dispatch_respond)


@router.post(
    "/vendor-dispatches/{dispatch_id}/resolve",
    response={200: DispatchOut, **WRITE_ERRORS},
    summary="Record the vendor's resolution",
)
def dispatch_resolve(request, dispatch_id: int, payload: DispatchOutcomeIn):
    return _dispatch_outcome(request, dispatch_id, payload, vendor_services.vendor_dispatch_resolve)


@router.post(
    "/vendor-dispatches/{dispatch_id}/cancel",
    response={200: DispatchOut, **WRITE_ERRORS},
    summary="Withdraw a vendor dispatch (its clocks stop, counted neither met nor breached)",
)
def dispatch_cancel(request, dispatch_id: int, payload: DispatchOutcomeIn):
    return _dispatch_outcome(request, dispatch_id, payload, vendor_services.vendor_dispatch_cancel)


@router.get(
    "/reports/vendor-compliance",
    response={200: list[ComplianceRowOut], **LIST_ERRORS},
    summary="Vendor compliance: met and breached per vendor for dispatches in a period",
)
def vendor_compliance(request, period: Query[PeriodIn]):
    require(request.auth, "service.view_vendordispatch")
    tz = timezone.get_current_timezone()
    return selectors_contracts.vendor_compliance(
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
