from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """One searchable record (a contact, an organization, later a ticket or an article).

    ``title`` and ``body`` hold pre-segmented tokens (see ``kefu.core.search.tokenize``), not the
    record's text; ``meta`` holds the filter tokens (kind, organization, facet) that SQLite's FTS5
    table matches on. The full-text structure itself is created by this app's migration per
    database: an FTS5 external-content table on SQLite, a ``tsv`` tsvector column with a GIN
    index on PostgreSQL; the backend writes both together with the row. Write only through the search backend
    (``kefu.core.search.get_backend()``).
    """

    kind = models.CharField(_("kind"), max_length=50)
    object_id = models.BigIntegerField(_("object ID"))
    organization_id = models.BigIntegerField(_("organization ID"), null=True, blank=True)
    facet = models.CharField(_("facet"), max_length=50, blank=True)
    title = models.TextField(_("title tokens"), blank=True)
    body = models.TextField(_("body tokens"), blank=True)
    meta = models.TextField(_("filter tokens"), blank=True)
    excerpt = models.TextField(_("excerpt"), blank=True)
    updated_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="core_searchdoc_unique")
        ]
        indexes = [models.Index(fields=["organization_id"], name="core_searchdoc_org")]
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"
