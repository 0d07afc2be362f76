"""The import page (upload, dry-run report, confirm, progress) and the list exports.

Imports need ``customers.add_importjob`` (administrators and supervisors) plus the right to add
and change what the file contains; exports need the list's view permission and honour the same
filters as the list page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from kefu.accounts.policy import can, require, staff_required
from kefu.customers import filtersets, selectors
from kefu.customers.importexport import exporter, jobs
from kefu.customers.importexport.forms import ImportUploadForm
from kefu.customers.importexport.importer import IMPORTERS
from kefu.customers.models import ImportJob
from kefu.customers.models.imports import ImportKindChoices

EXPORT_SOURCES = {
    "organizations": (
        "customers.view_organization",
        selectors.organization_list,
        filtersets.OrganizationFilterForm,
    ),
    "sites": ("customers.view_site", selectors.site_list, filtersets.SiteFilterForm),
    "contacts": ("customers.view_contact", selectors.contact_list, filtersets.ContactFilterForm),
    "assets": ("customers.view_asset", selectors.asset_list, filtersets.AssetFilterForm),
}


def _job_for(request, pk: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    if job.created_by_id != request.user.pk and not can(request.user, "customers.view_importjob"):
        raise Http404
    return job


def _job_context(job: ImportJob) -> dict:
    progress = None if job.is_finished else jobs.progress_get(job.pk)
    percent = job.percent
    if progress and progress.get("total"):
        percent = min(100, round(100 * progress["done"] / progress["total"]))
    return {"job": job, "progress": progress, "percent": percent}


@staff_required("customers.add_importjob")
@require_http_methods(["GET", "POST"])
def import_home(request):
    """Upload a CSV; it is checked in the background and the report shown on the job page."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if not jobs.can_import(request.user, kind):
            raise PermissionDenied
        try:
            job = jobs.import_job_create(
                actor=request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("customers:importexport:job", pk=job.pk)
    recent = ImportJob.objects.select_related("created_by")
    if not can(request.user, "customers.view_importjob"):
        recent = recent.filter(created_by=request.user)
    context = {
        "form": form,
        "recent": recent[:20],
        "kinds": [
            (value, label, IMPORTERS[value].columns) for value, label in ImportKindChoices.choices
        ],
    }
    return render(request, "customers/importexport/import.html", context)


@staff_required("customers.add_importjob")
def import_job(request, pk: int):
    """A job's report: progress while it runs, the bad rows, and the confirm button."""
    job = _job_for(request, pk)
    return render(request, "customers/importexport/job.html", _job_context(job))


@staff_required("customers.add_importjob")
def import_job_status(request, pk: int):
    """The part of the job page htmx polls while the job runs."""
    job = _job_for(request, pk)
    response = render(request, "customers/importexport/_job_status.html", _job_context(job))
    if job.is_finished and request.htmx:
        # Reload the whole page once, so the report and the confirm button appear.
        response["HX-Refresh"] = "true"
    return response


@staff_required("customers.add_importjob")
@require_POST
def import_job_confirm(request, pk: int):
    job = _job_for(request, pk)
    if not jobs.can_import(request.user, job.kind):
        raise PermissionDenied
    try:
        jobs.import_job_confirm(actor=request.user, job=job)
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect("customers:importexport:job", pk=job.pk)


@staff_required("customers.add_importjob")
def import_template(request, kind: str):
    """An empty CSV with the columns of ``kind`` (and the custom fields), UTF-8 with BOM."""
    if kind not in IMPORTERS:
        raise Http404
    header = next(exporter.EXPORTERS[kind][1](exporter.EXPORTERS[kind][0].objects.none()))
    response = HttpResponse(
        b"".join(exporter.csv_chunks([header])), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response


@staff_required()
def export(request, kind: str):
    """Download a list as CSV (streamed) or XLSX, with the list page's filters applied."""
    if kind not in EXPORT_SOURCES:
        raise Http404
    perm, source, filter_form = EXPORT_SOURCES[kind]
    require(request.user, perm)
    queryset = filter_form(request.GET).filter(source(user=request.user))
    if kind == "sites" and request.GET.get("organization", "").isdigit():
        queryset = queryset.filter(organization_id=int(request.GET["organization"]))
    queryset = queryset.order_by("pk")
    rows = exporter.EXPORTERS[kind][1](queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("format") == "xlsx":
        handle = exporter.write_xlsx(rows, title=kind)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"{kind}-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        exporter.csv_chunks(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.csv"'
    return response
