"""SLA template tags: the ticket page's clocks panel and the list's countdown column."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.inclusion_tag("service/sla/_clocks_panel.html", takes_context=True)
def sla_ticket_clocks(context):
    """The ticket's clocks (metric, state, due time, countdown in its colour)."""
    from kefu.service.sla.selectors import ticket_clocks

    ticket = context.get("ticket")
    return {"clocks": ticket_clocks(ticket.pk) if ticket is not None else []}


@register.simple_tag
def sla_clocks_for(tickets):
    """``{% sla_clocks_for page.object_list as sla %}``: the most urgent clock per ticket."""
    from kefu.service.sla.selectors import most_urgent_clocks

    return most_urgent_clocks(t.pk for t in tickets)


@register.simple_tag
def sla_badge(clocks, ticket_id):
    """The countdown badge of one row (empty when the ticket has no live clock)."""
    view = clocks.get(ticket_id) if clocks else None
    if view is None:
        return ""
    return format_html(
        '<span class="badge {} sla-{}" title="{} · {}" data-due="{}" data-target="{}"{}>{}</span>',
        view.css,
        view.colour,
        view.metric_label,
        view.state_label,
        view.due_at.isoformat() if view.due_at else "",
        view.target_seconds,
        mark_safe(" data-ticking") if view.ticking else "",
        view.countdown,
    )
