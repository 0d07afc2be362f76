"""Screens of contracts, underpinning contracts, vendor dispatches and vendor compliance.

Agents read contracts and dispatch tickets to vendors; supervisors and administrators create
and edit contracts. Views parse input, call one service or selector, and render.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.policy import can, require, staff_required
from kefu.core.templatetags.kefu_forms import field_html
from kefu.customers import facade as customers
from kefu.service import selectors, selectors_contracts
from kefu.service.forms_contracts import (
    ContractForm,
    DispatchForm,
    DispatchOutcomeForm,
    PeriodForm,
    UnderpinningContractForm,
)
from kefu.service.models import Contract, UnderpinningContract, VendorDispatch
from kefu.service.models.contracts import ContractStateChoices
from kefu.service.services import contracts as contract_services
from kefu.service.services import vendors as vendor_services


def _apply_errors(form, exc: ValidationError) -> None:
    aliases = {"site_ids": "sites", "asset_ids": "assets"}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = aliases.get(field, field.removesuffix("_id"))
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required("service.view_contract")
def contract_list(request):
    state = request.GET.get("state") or ""
    try:
        organization_id = int(request.GET.get("organization") or 0) or None
    except ValueError:
        organization_id = None
    rows = selectors_contracts.contract_list(organization_id=organization_id, state=state)[:200]
    return render(
        request,
        "service/contracts/contract_list.html",
        {
            "contracts": selectors_contracts.with_organization_names(rows),
            "state": state,
            "states": ContractStateChoices.choices,
            "can_add": can(request.user, "service.add_contract"),
        },
    )


@staff_required("service.view_contract")
def contract_detail(request, pk: int):
    contract = get_object_or_404(Contract, pk=pk)
    return render(
        request,
        "service/contracts/contract_detail.html",
        {
            "contract": contract,
            "organization": customers.organization_get_summary(contract.organization_id),
            "consumptions": selectors_contracts.contract_consumptions(contract),
            "sites": [
                customers.site_get_summary(pk) for pk in contract.sites.values_list("pk", flat=True)
            ],
            "assets": [
                customers.asset_get_summary(pk)
                for pk in contract.assets.values_list("pk", flat=True)
            ],
            "can_change": can(request.user, "service.change_contract"),
        },
    )


def _contract_form_view(request, contract: Contract | None):
    if contract is None:
        initial = {"organization": request.GET.get("organization") or None, "thresholds": "80,100"}
    else:
        initial = ContractForm.initial_for(contract)
    form = ContractForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if contract is None:
                contract = contract_services.contract_create(
                    actor=request.user, **form.service_values()
                )
                messages.success(
                    request, _("Contract %(number)s created.") % {"number": contract.number}
                )
            else:
                contract = contract_services.contract_update(
                    actor=request.user, contract=contract, **form.service_values()
                )
                messages.success(request, _("Contract saved."))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect(contract)
    return render(
        request, "service/contracts/contract_form.html", {"form": form, "contract": contract}
    )


@staff_required("service.view_contract")
def contract_scope_fields(request):
    """The contract form's site and asset pickers for ``?organization=``, as htmx swaps them in
    when the organization changes (only the sites and assets of the chosen organization)."""
    if not (
        can(request.user, "service.add_contract") or can(request.user, "service.change_contract")
    ):
        raise PermissionDenied
    # The ticks sent along stay ticked where the organization still has those sites and assets.
    form = ContractForm(
        initial={
            "organization": request.GET.get("organization"),
            "sites": request.GET.getlist("sites"),
            "assets": request.GET.getlist("assets"),
        }
    )
    return HttpResponse(
        field_html(form["sites"], swap_oob=True) + field_html(form["assets"], swap_oob=True)
    )


@staff_required("service.add_contract")
def contract_new(request):
    return _contract_form_view(request, None)


@staff_required("service.change_contract")
def contract_edit(request, pk: int):
    return _contract_form_view(request, get_object_or_404(Contract, pk=pk))


# --- underpinning contracts ----------------------------------------------------------------


@staff_required("service.view_underpinningcontract")
def uc_list(request):
    return render(
        request,
        "service/vendors/uc_list.html",
        {
            "contracts": selectors_contracts.underpinning_contract_list()[:200],
            "can_add": can(request.user, "service.add_underpinningcontract"),
        },
    )


@staff_required("service.view_underpinningcontract")
def uc_detail(request, pk: int):
    uc = get_object_or_404(UnderpinningContract.objects.select_related("vendor", "calendar"), pk=pk)
    dispatches = uc.dispatches.select_related("ticket").order_by("-dispatched_at")[:100]
    return render(
        request,
        "service/vendors/uc_detail.html",
        {
            "uc": uc,
            "dispatches": dispatches,
            "can_change": can(request.user, "service.change_underpinningcontract"),
        },
    )


def _calendars():
    from kefu.service.models import BusinessCalendar

    return BusinessCalendar.objects.order_by("pk")


def _uc_form_view(request, uc: UnderpinningContract | None):
    initial = {}
    if uc is not None:
        initial = {
            "vendor": uc.vendor_id,
            "number": uc.number,
            "name": uc.name,
            "start_date": uc.start_date,
            "end_date": uc.end_date,
            "response_minutes": uc.response_minutes,
            "resolution_minutes": uc.resolution_minutes,
            "calendar": uc.calendar_id,
            "notes": uc.notes,
        }
    form = UnderpinningContractForm(
        request.POST or None,
        initial=initial,
        vendors=selectors_contracts.vendor_list(),
        calendars=_calendars(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if uc is None:
                uc = vendor_services.underpinning_contract_create(
                    actor=request.user, **form.service_values()
                )
            else:
                uc = vendor_services.underpinning_contract_update(
                    actor=request.user, contract=uc, **form.service_values()
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Underpinning contract saved."))
            return redirect(uc)
    return render(request, "service/vendors/uc_form.html", {"form": form, "uc": uc})


@staff_required("service.add_underpinningcontract")
def uc_new(request):
    return _uc_form_view(request, None)


@staff_required("service.change_underpinningcontract")
def uc_edit(request, pk: int):
    return _uc_form_view(request, get_object_or_404(UnderpinningContract, pk=pk))


# --- dispatching to vendors ----------------------------------------------------------------


@require_POST
@staff_required("service.add_vendordispatch")
def ticket_dispatch(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    require(request.user, "service.change_ticket", ticket)
    form = DispatchForm(request.POST, vendors=selectors_contracts.vendor_list())
    if form.is_valid():
        try:
            dispatch = vendor_services.vendor_dispatch_create(
                actor=request.user,
                ticket=ticket,
                vendor_id=form.cleaned_data["vendor"],
                vendor_reference=form.cleaned_data["vendor_reference"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(
                request, _("Dispatched to %(vendor)s.") % {"vendor": dispatch.vendor.name}
            )
    else:
        messages.error(request, _("Check the dispatch form."))
    return redirect(ticket)


def _dispatch_for_change(request, pk: int) -> VendorDispatch:
    dispatch = get_object_or_404(VendorDispatch, pk=pk)
    ticket = selectors.ticket_get(user=request.user, pk=dispatch.ticket_id)
    require(request.user, "service.change_ticket", ticket)
    return dispatch


def _dispatch_outcome(request, pk: int, record, done: str = ""):
    """Record an outcome of a dispatch (``record``: a vendors service taking actor, dispatch and
    note) and go back to the ticket; a refusal is shown as a message, nothing written."""
    dispatch = _dispatch_for_change(request, pk)
    form = DispatchOutcomeForm(request.POST)
    form.is_valid()
    try:
        record(actor=request.user, dispatch=dispatch, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        if done:
            messages.success(request, done)
    return redirect("service:ticket_detail", pk=dispatch.ticket_id)


@require_POST
@staff_required("service.change_vendordispatch")
def dispatch_respond(request, pk: int):
    return _dispatch_outcome(request, pk, vendor_services.vendor_dispatch_respond)


@require_POST
@staff_required("service.change_vendordispatch")
def dispatch_resolve(request, pk: int):
    return _dispatch_outcome(request, pk, vendor_services.vendor_dispatch_resolve)


@require_POST
@staff_required("service.change_vendordispatch")
def dispatch_cancel(request, pk: int):
    return _dispatch_outcome(
        request,
        pk,
        vendor_services.vendor_dispatch_cancel,
        done=_("The vendor dispatch is withdrawn."),
    )


@staff_required("service.view_vendordispatch")
def vendor_compliance(request):
    today = timezone.localdate()
    form = PeriodForm(
        request.GET or None,
        initial={"start": today.replace(day=1), "end": today},
    )
    start, end = today.replace(day=1), today
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    tz = timezone.get_current_timezone()
    rows = selectors_contracts.vendor_compliance(
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    return render(
        request,
        "service/vendors/compliance.html",
        {"form": form, "rows": rows, "start": start, "end": end},
    )
