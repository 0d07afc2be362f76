"""SLA screens: the "breaching soon" list, calendars and policies (list, create, edit)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kefu.accounts.policy import can, staff_required
from kefu.service.forms_sla import CalendarForm, PolicyForm, level_formset
from kefu.service.models import BusinessCalendar, SlaPolicy
from kefu.service.services import sla as sla_services
from kefu.service.sla.selectors import breaching_soon

WITHIN_HOURS = (1, 4, 8, 24)


@staff_required("service.view_ticket")
def sla_breaching(request):
    """Live clocks of the agent's visible tickets, breached or due within the chosen hours."""
    try:
        hours = int(request.GET.get("within", 4))
    except ValueError:
        hours = 4
    hours = hours if hours in WITHIN_HOURS else 4
    rows = breaching_soon(user=request.user, within=dt.timedelta(hours=hours))
    return render(
        request,
        "service/sla/breaching.html",
        {"rows": rows, "hours": hours, "choices": WITHIN_HOURS},
    )


def _apply_errors(form, exc: ValidationError, levels=None) -> None:
    """Put a service's errors on the form's fields, and ``level_<n>`` on the n-th kept row."""
    kept = levels.kept_forms() if levels is not None else []
    for field, errors in exc.message_dict.items():
        if field.startswith("level_") and field[6:].isdigit() and int(field[6:]) < len(kept):
            kept[int(field[6:])].add_error(None, errors)
            continue
        form.add_error(field if field in form.fields else None, errors)


@staff_required("service.view_businesscalendar")
def calendar_list(request):
    calendars = BusinessCalendar.objects.order_by("name")
    return render(
        request,
        "service/sla/calendar_list.html",
        {
            "calendars": calendars,
            "policies": SlaPolicy.objects.select_related("calendar").order_by("order", "id"),
            "can_change": can(request.user, "service.change_businesscalendar"),
            "can_change_policy": can(request.user, "service.change_slapolicy"),
        },
    )


def _calendar_form(request, calendar):
    initial = CalendarForm.initial_for(calendar) if calendar else {}
    form = CalendarForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = sla_services.calendar_save(
                actor=request.user, calendar=calendar, **form.service_values()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Calendar saved."))
            return redirect("service:sla_calendar_list")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "service/sla/calendar_form.html",
        {"form": form, "calendar": calendar},
        status=status,
    )


@staff_required("service.add_businesscalendar")
def calendar_new(request):
    return _calendar_form(request, None)


@staff_required("service.change_businesscalendar")
def calendar_edit(request, pk: int):
    return _calendar_form(request, get_object_or_404(BusinessCalendar, pk=pk))


def _policy_form(request, policy):
    initial = PolicyForm.initial_for(policy) if policy else {"pause_categories": ["waiting"]}
    form = PolicyForm(request.POST or None, initial=initial)
    levels = level_formset(request.POST or None, policy=policy)
    if request.method == "POST" and form.is_valid() and levels.is_valid():
        try:
            policy = sla_services.policy_save(
                actor=request.user,
                policy=policy,
                levels=levels.service_values(),
                **form.service_values(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc, levels)
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("service:sla_calendar_list")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "service/sla/policy_form.html",
        {"form": form, "levels": levels, "policy": policy},
        status=status,
    )


@staff_required("service.add_slapolicy")
def policy_new(request):
    return _policy_form(request, None)


@staff_required("service.change_slapolicy")
def policy_edit(request, pk: int):
    return _policy_form(request, get_object_or_404(SlaPolicy, pk=pk))
