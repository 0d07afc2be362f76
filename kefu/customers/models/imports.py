from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKindChoices(models.TextChoices):
    ORGANIZATIONS = "organizations", _("Organizations")
    SITES = "sites", _("Sites")
    CONTACTS = "contacts", _("Contacts")
    ASSETS = "assets", _("Assets")


class ImportStatusChoices(models.TextChoices):
    CHECKING = "checking", _("Checking")
    INVALID = "invalid", _("Has errors")
    CHECKED = "checked", _("Ready to import")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One CSV upload through the import page: its file, dry-run report and progress.

    The file is checked first (a dry run: ``errors`` lists every bad row as
    ``{"line", "column", "message"}``), then imported when the user confirms. A background job
    updates ``processed_rows`` as it goes so the page can show progress; the import itself is one
    transaction, so a failed job leaves the customer master untouched.
    """

    kind = models.CharField(_("what"), max_length=20, choices=ImportKindChoices.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatusChoices.choices,
        default=ImportStatusChoices.CHECKING,
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors found"), default=0)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        """Whether the job has stopped moving (the page stops polling)."""
        return self.status in {
            ImportStatusChoices.INVALID,
            ImportStatusChoices.CHECKED,
            ImportStatusChoices.DONE,
            ImportStatusChoices.FAILED,
        }

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatusChoices.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
