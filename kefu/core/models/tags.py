from django.db import models
from django.utils.translation import gettext_lazy as _


class Tag(models.Model):
    """A free label shared by every taggable record (organizations, tickets, articles...)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#64748b")

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name
