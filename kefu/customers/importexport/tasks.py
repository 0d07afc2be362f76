"""Background jobs of the import page: thin wrappers that load a job by id and run it."""

from huey.contrib.djhuey import db_task

from kefu.core.audit import AuditSource, audit_context


@db_task()
def import_check(job_id: int) -> None:
    """Dry-run an uploaded file and store the report on its job."""
    from kefu.customers.importexport.jobs import import_job_process

    with audit_context(source=AuditSource.IMPORT):
        import_job_process(job_id=job_id, dry_run=True)


@db_task()
def import_run(job_id: int) -> None:
    """Import a checked file, all or nothing."""
    from kefu.customers.importexport.jobs import import_job_process

    with audit_context(source=AuditSource.IMPORT):
        import_job_process(job_id=job_id, dry_run=False)
