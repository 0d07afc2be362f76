"""Writes to ``ImportJob``: creating one from an upload and running its check or import.

Progress while a job runs goes to the job queue's key-value store (SQLite file or Redis), not to
the job row: the import is one long database transaction, and on SQLite no other connection can
write while it holds the lock, while on PostgreSQL a row updated inside it stays invisible until
commit. The job row is updated at the edges (started, finished) and the page reads both.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.policy import can
from kefu.customers.importexport.csvfile import CsvFileError, canonical_encoding
from kefu.customers.importexport.importer import IMPORTERS, import_file
from kefu.customers.models import ImportJob
from kefu.customers.models.imports import ImportStatusChoices as S

logger = logging.getLogger(__name__)
MAX_STORED_ERRORS = 1000
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
KIND_PERMISSIONS = {
    "organizations": ("customers.add_organization", "customers.change_organization"),
    "sites": ("customers.add_site", "customers.change_site"),
    "contacts": ("customers.add_contact", "customers.change_contact"),
    "assets": ("customers.add_asset", "customers.change_asset"),
}


def can_import(user, kind: str) -> bool:
    """Whether ``user`` may import ``kind``: the import right plus adding and changing it."""
    perms = ("customers.add_importjob", *KIND_PERMISSIONS.get(kind, ("-",)))
    return all(can(user, perm) for perm in perms)


def _progress_key(job_id: int) -> str:
    return f"kefu:import-progress:{job_id}"


def progress_put(job_id: int, stage: str, done: int, total: int) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.put(_progress_key(job_id), {"stage": stage, "done": done, "total": total})


def progress_get(job_id: int) -> dict | None:
    """The running job's last progress report, or None."""
    from huey.contrib.djhuey import HUEY

    try:
        return HUEY.get(_progress_key(job_id), peek=True)
    except Exception:
        # Progress is a nicety: an unreachable queue must not break the page.
        logger.warning("import progress unavailable for job %s", job_id, exc_info=True)
        return None


def progress_clear(job_id: int) -> None:
    from huey.contrib.djhuey import HUEY

    HUEY.delete(_progress_key(job_id))


@transaction.atomic
def import_job_create(*, actor, kind: str, upload, encoding: str = "auto") -> ImportJob:
    """Store an uploaded CSV as a new job and queue its check (the dry run) after commit.

    Raises ``ValidationError`` for an unknown kind or encoding, an empty or oversized file, and
    ``PermissionDenied``-worthy requests are refused by the view before this is called.
    """
    errors: dict[str, list[str]] = {}
    if kind not in IMPORTERS:
        errors["kind"] = [_("Choose what the file contains.")]
    try:
        encoding = canonical_encoding(encoding)
    except CsvFileError as exc:
        errors["encoding"] = [str(exc)]
    if upload is None or not upload.size:
        errors["file"] = [_("The file is empty.")]
    elif upload.size > MAX_UPLOAD_BYTES:
        errors["file"] = [_("The file is larger than 200 MB.")]
    if errors:
        raise ValidationError(errors)
    job = ImportJob.objects.create(
        kind=kind,
        encoding=encoding,
        file=upload,
        original_name=(upload.name or "")[:255],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=S.CHECKING,
    )
    from kefu.customers.importexport.tasks import import_check

    transaction.on_commit(lambda: import_check(job.pk))
    return job


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Queue the real import of a checked job (once: a second confirm changes nothing)."""
    updated = ImportJob.objects.filter(pk=job.pk, status=S.CHECKED).update(status=S.QUEUED)
    if not updated:
        raise ValidationError(
            {"status": [_("Only a checked file without errors can be imported.")]}
        )
    from kefu.customers.importexport.tasks import import_run

    transaction.on_commit(lambda: import_run(job.pk))
    job.refresh_from_db()
    return job


def import_job_process(*, job_id: int, dry_run: bool) -> ImportJob:
    """Run a job's check (``dry_run``) or its import, recording the outcome on the job.

    Not atomic itself: the import opens its own transaction, and the job row must record a
    failure even when that transaction rolls back.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    expected = S.CHECKING if dry_run else S.QUEUED
    if job.status != expected:
        return job
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.CHECKING if dry_run else S.RUNNING, started_at=timezone.now()
    )

    def progress(stage: str, done: int, total: int) -> None:
        progress_put(job.pk, stage, done, total)

    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        result, used = import_file(
            job.kind,
            data,
            encoding=job.encoding or "auto",
            actor=job.created_by,
            dry_run=dry_run,
            progress=progress,
        )
    except CsvFileError as exc:
        _finish(job, status=S.INVALID if dry_run else S.FAILED, message=str(exc))
        return job
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(job, status=S.FAILED, message=_("The import failed; nothing was imported."))
        return job
    if result.errors:
        status = S.INVALID if dry_run else S.FAILED
    else:
        status = S.CHECKED if dry_run else S.DONE
    _finish(
        job,
        status=status,
        encoding=used,
        total_rows=result.total,
        processed_rows=result.total,
        created_count=result.created,
        updated_count=result.updated,
        errors=result.errors[:MAX_STORED_ERRORS],
        error_count=len(result.errors),
    )
    return job


def _finish(job: ImportJob, *, status: str, **fields) -> None:
    fields.setdefault("message", "")
    ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), **fields)
    progress_clear(job.pk)
    job.refresh_from_db()
