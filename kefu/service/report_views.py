"""The service reports page (tabs, period filter, ECharts charts with tables) and CSV export.

Supervisors and administrators only (``service.view_service_reports``); every figure comes
from ``kefu.service.reporting``.
"""

import datetime as dt

from django import forms
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.accounts.policy import staff_required
from kefu.service.reporting import Period, contracts, csat, sla, times
from kefu.service.reporting.export import csv_response
from kefu.service.reporting.tables import TABLES, TABS

PERMISSION = "service.view_service_reports"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    unit = forms.ChoiceField(
        label=gettext_lazy("Group by"),
        required=False,
        choices=[("week", gettext_lazy("Week")), ("month", gettext_lazy("Month"))],
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["period"] = Period(start, end)
        data["unit"] = data.get("unit") or "week"
        return data


def _filters(request) -> tuple[ReportFilterForm, Period | None, str]:
    form = ReportFilterForm(request.GET or None)
    if not request.GET:
        form = ReportFilterForm({})
    if form.is_valid():
        return form, form.cleaned_data["period"], form.cleaned_data["unit"]
    return form, None, "week"


def _charts(tab: str, *, user, period: Period, unit: str) -> dict:
    if tab == "csat":
        return {
            "summary": csat.csat_summary(user=user, period=period),
            "trend": csat.csat_trend(user=user, period=period, unit=unit),
        }
    if tab == "times":
        return {
            metric: times.duration_stats(user=user, period=period, metric=metric)
            for metric in times.METRICS
        }
    if tab == "sla":
        return {
            "summary": {
                metric: sla.sla_compliance_summary(user=user, period=period, metric=metric)
                for metric in sla.METRICS
            },
            "trend": sla.sla_compliance_by(user=user, period=period, dimension=unit),
        }
    if tab == "contracts":
        return {"usage": contracts.contract_usage(period=period, limit=20)}
    return {}


@staff_required(PERMISSION)
def service_reports(request):
    """One page with a tab per subject; the period applies to every table and chart."""
    tab = request.GET.get("tab", "csat")
    if tab not in dict(TABS):
        tab = "csat"
    form, period, unit = _filters(request)
    tables, charts = [], {}
    if period is not None:
        for table in TABLES.values():
            if table.tab == tab:
                rows = table.rows(user=request.user, period=period, unit=unit)
                cells = None
                if rows is not None:
                    cells = [[row.get(key) for key, _header in table.columns] for row in rows]
                tables.append({"table": table, "rows": cells})
        charts = _charts(tab, user=request.user, period=period, unit=unit)
    query = request.GET.copy()
    query.pop("tab", None)
    context = {
        "tabs": TABS,
        "tab": tab,
        "form": form,
        "period": period,
        "tables": tables,
        "charts": charts,
        "query": query.urlencode(),
        "start_value": request.GET.get("start") or (period.first.isoformat() if period else ""),
        "end_value": request.GET.get("end") or (period.last.isoformat() if period else ""),
        "labels": {
            "answered": _("Answered"),
            "average": _("Average rating"),
            "csat": _("CSAT (% rated 4–5)"),
            "tickets": _("Tickets"),
            "hours": _("hours"),
            "met": _("Met"),
            "breached": _("Breached"),
            "used_percent": _("Used (%)"),
        },
    }
    return render(request, "service/reports.html", context)


@staff_required(PERMISSION)
def service_report_csv(request, name: str):
    """One report table as CSV (UTF-8 with BOM) for the same filters as the page."""
    table = TABLES.get(name)
    if table is None:
        raise Http404
    form, period, unit = _filters(request)
    if period is None:
        return HttpResponseBadRequest(" ".join(form.non_field_errors()) or _("Check the period."))
    rows = table.rows(user=request.user, period=period, unit=unit) or []
    filename = f"{name}_{period.first.isoformat()}_{period.last.isoformat()}.csv"
    return csv_response(filename=filename, columns=table.columns, rows=rows)
