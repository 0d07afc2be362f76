from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named ticket list (a workspace view plus filters) an agent saved, optionally shared.

    ``filters`` holds only the keys the list understands (queue, status, priority, channel,
    organization, q, sort); shared views appear in every agent's workspace.
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="service_saved_views",
    )
    is_shared = models.BooleanField(_("shared with everyone"), default=False)
    view = models.CharField(_("view"), max_length=20, default="all")
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"], name="service_savedview_owner")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
