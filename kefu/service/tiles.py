"""The service desk's tiles on the staff home page (registered in ``ServiceConfig.ready``)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from kefu.accounts.policy import can
from kefu.apikit.pagination import capped_count
from kefu.service import selectors

# Exact counts over a huge backlog are the classic help-desk slowdown: stop at 1,000.
TILE_CAP = 1000


def _shown(queryset):
    count, exact = capped_count(queryset, cap=TILE_CAP)
    return count if exact else f"{count:,}+"


def _agents_online(user) -> int:
    """Agents online in the queues ``user`` sees (every queue for supervisors)."""
    from django.db.models import Exists, OuterRef

    from kefu.service.choices import AvailabilityChoices
    from kefu.service.models import AgentProfile, QueueMembership

    works_there = QueueMembership.objects.filter(
        user=OuterRef("user"), queue__in=selectors.queues_visible_to(user)
    )
    return AgentProfile.objects.filter(
        Exists(works_there),
        availability=AvailabilityChoices.ONLINE,
        user__is_active=True,
        user__is_staff=True,
    ).count()


def home_tiles(user) -> list[dict]:
    """My open tickets and the unassigned ones in my queues, each linking to its list, and the
    agents online (linking to the team board)."""
    if not can(user, "service.view_ticket"):
        return []
    url = reverse("service:ticket_list")
    team = []
    if can(user, "service.view_agentprofile"):
        team = [
            {
                "label": _("Agents online"),
                "value": _agents_online(user),
                "url": reverse("service:team"),
            }
        ]
    return [
        {
            "label": _("My open tickets"),
            "value": _shown(selectors.ticket_list(user=user, view="mine")),
            "url": f"{url}?view=mine",
        },
        {
            "label": _("Unassigned in my queues"),
            "value": _shown(selectors.ticket_list(user=user, view="unassigned")),
            "url": f"{url}?view=unassigned",
        },
        *team,
    ]
