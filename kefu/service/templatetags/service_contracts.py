"""``{% ticket_contract_panel %}``: the contract and vendor panel of the ticket page."""

from django import template

from kefu.accounts.policy import can

register = template.Library()


@register.inclusion_tag("service/contracts/_ticket_panel.html", takes_context=True)
def ticket_contract_panel(context):
    """Render the ticket's contract (balance, coverage, expiry, billable warning) and vendors.

    Reads ``ticket`` and ``request`` from the page's context; renders nothing for a user
    without ``service.view_contract``.
    """
    from kefu.service.forms_contracts import DispatchForm
    from kefu.service.selectors_contracts import ticket_contract_panel as panel_data
    from kefu.service.selectors_contracts import vendor_list

    request, ticket = context["request"], context["ticket"]
    if not can(request.user, "service.view_contract"):
        return {"hidden": True}
    can_dispatch = can(request.user, "service.add_vendordispatch") and can(
        request.user, "service.change_ticket", ticket
    )
    return {
        "ticket": ticket,
        "panel": panel_data(ticket),
        "can_dispatch": can_dispatch,
        "dispatch_form": DispatchForm(vendors=vendor_list()) if can_dispatch else None,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
