"""Names for the ids a report groups by, looked up once per table (never per row)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service.choices import PriorityChoices
from kefu.service.models import Queue

DIMENSIONS = ("agent", "queue", "organization", "priority")


def labels_for(dimension: str, ids) -> dict:
    """Return ``{id: label}`` for ``dimension``; a missing id reads "—" (or "Unassigned")."""
    ids = [i for i in ids if i is not None]
    if dimension == "agent":
        users = get_user_model().objects.filter(pk__in=ids)
        found = {user.pk: user.display_name for user in users}
        found[None] = _("Unassigned")
        return found
    if dimension == "queue":
        found = {queue.pk: queue.label for queue in Queue.objects.filter(pk__in=ids)}
    elif dimension == "organization":
        found = {pk: data["name"] for pk, data in customers.organization_summaries(ids).items()}
    elif dimension == "priority":
        found = {value: str(label) for value, label in PriorityChoices.choices}
    else:
        raise ValueError(dimension)
    found[None] = "—"
    return found
