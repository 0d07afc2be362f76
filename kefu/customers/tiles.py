"""The customer master's tiles on the staff home page (registered in ``CustomersConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.accounts.policy import can, scope
from kefu.apikit.pagination import capped_count


def _shown(queryset):
    count, exact = capped_count(queryset)
    return count if exact else f"{count:,}+"


def home_tiles(user) -> list[dict]:
    """Counts of the customer records ``user`` may see, each linking to its list."""
    from kefu.customers.models import Contact, Organization

    tiles = []
    if can(user, "customers.view_organization"):
        organizations = scope(user, Organization.objects.all())
        tiles.append(
            {
                "label": _("Organizations"),
                "value": _shown(organizations),
                "url": reverse("customers:organization_list"),
            }
        )
        tiles.append(
            {
                "label": _("My accounts"),
                "value": _shown(organizations.filter(owner=user)),
                "url": reverse("customers:organization_list") + f"?owner={user.pk}",
            }
        )
    if can(user, "customers.view_contact"):
        tiles.append(
            {
                "label": _("Contacts"),
                "value": _shown(scope(user, Contact.objects.all())),
                "url": reverse("customers:contact_list"),
            }
        )
    return tiles
