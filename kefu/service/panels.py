"""The tickets panel on the customer 360° pages (organization and contact)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.accounts.policy import can
from kefu.service import selectors


def tickets_panel(request, *, organization=None, contact=None):
    """Return the latest tickets of the organization or contact the user may see."""
    if not can(request.user, "service.view_ticket"):
        return None
    if organization is not None:
        tickets = selectors.organization_tickets(user=request.user, organization_id=organization.pk)
        more_url = f"{reverse('service:ticket_list')}?view=all&organization={organization.pk}"
    elif contact is not None:
        tickets = selectors.contact_tickets(user=request.user, contact_id=contact.pk)
        more_url = None
    else:
        return None
    return {
        "key": "tickets",
        "title": _("Tickets"),
        "template": "service/_tickets_panel.html",
        "context": {"tickets": tickets, "more_url": more_url},
        "order": 10,
    }


def satisfaction_panel(request, *, organization=None, contact=None):
    """CSAT figures of the organization's (or contact's) surveys of the last year."""
    if not can(request.user, "service.view_ticket"):
        return None
    from kefu.service.reporting import Period
    from kefu.service.reporting.csat import csat_summary

    if organization is not None:
        filters = {"organization_id": organization.pk}
    elif contact is not None:
        filters = {"contact_id": contact.pk}
    else:
        return None
    figures = csat_summary(user=request.user, period=Period.last_days(365), **filters)
    return {
        "key": "satisfaction",
        "title": _("Satisfaction (last 12 months)"),
        "template": "service/_satisfaction_panel.html",
        "context": {"figures": figures},
        "order": 11,
    }


def tickets_search(user, query: str, limit: int):
    """Global search: tickets by number or subject, as the user may see them."""
    if not can(user, "service.view_ticket"):
        return None
    tickets = selectors.ticket_search(user=user, text=query, limit=limit)
    return {
        "key": "tickets",
        "label": _("Tickets"),
        "results": [
            {
                "title": f"{ticket.number} {ticket.subject}",
                "subtitle": f"{ticket.status.label} · {ticket.queue.label}",
                "url": ticket.get_absolute_url(),
            }
            for ticket in tickets
        ],
    }
