"""``{% ticket_entries entries %}``: the conversation of the ticket page, written in one pass.

A ticket with 200 entries spent most of its page time in the template engine (a dozen nodes
per entry). This writes the same markup with ``format_html`` — every value escaped — in a
fraction of it. The markup is the one ``_ticket_workspace.html`` documents.
"""

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kefu.core.fasthtml import esc
from kefu.service.selectors import ConversationGap

register = template.Library()


def _badges() -> dict[str, SafeString]:
    return {
        "note": format_html('<span class="badge warn">{}</span>', _("Internal note")),
        "event": format_html('<span class="badge">{}</span>', _("System")),
        "reply": format_html('<span class="badge ok">{}</span>', _("Public reply")),
    }


def _attachments(entry):
    # ``selectors`` hands entries with ``attachment_list`` read in one query for all of them.
    found = getattr(entry, "attachment_list", None)
    return entry.attachments.order_by("created_at", "id") if found is None else found


def _entry(entry, badges: dict[str, SafeString]) -> str:
    if entry.author_id:
        who = esc(entry.author.display_name)
    elif entry.author_contact_id:
        who = esc(entry.author_contact.name)
    else:
        who = ""
    minutes = ""
    if entry.time_spent_minutes:
        count = entry.time_spent_minutes
        minutes = "· " + esc(
            ngettext("%(minutes)s minute", "%(minutes)s minutes", count) % {"minutes": count}
        )
    attachments = "".join(
        f'<div class="small"><a href="{esc(a.get_absolute_url())}">{esc(a.filename)}</a>'
        f" ({esc(filesizeformat(a.size))})</div>"
        for a in _attachments(entry)
    )
    # As the ``linebreaksbr`` filter: newlines normalised, the text escaped, then <br>.
    body = esc(entry.body.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")
    when = timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")
    badge = badges.get(entry.kind, badges["reply"])
    return (
        f'<li class="kind-{esc(entry.kind)}" id="entry-{entry.pk}">'
        f'<div class="when">{when} · {badge} {who} {minutes}</div>'
        f'<div class="body">{body}</div>{attachments}</li>'
    )


def _gap(gap, ticket_id: int) -> SafeString:
    """The collapsed middle of a long conversation: a button that loads it in place (htmx),
    and without JavaScript a link to the page with every entry."""
    label = ngettext(
        "Show %(count)s earlier message", "Show %(count)s earlier messages", gap.count
    ) % {"count": gap.count}
    fragment = reverse("service:ticket_entries_between", args=[ticket_id])
    query = f"?after={gap.after.pk}&before={gap.before.pk}"
    page = reverse("service:ticket_detail", args=[ticket_id])
    return format_html(
        '<li class="gap" id="conversation-gap"><a class="button secondary" href="{}" '
        'hx-get="{}" hx-target="closest li" hx-swap="outerHTML">{}</a></li>',
        f"{page}?entries=all#conversation",
        fragment + query,
        label,
    )


@register.simple_tag
def ticket_entries(entries) -> SafeString:
    """The ``<li>`` of each entry, oldest first (a collapsed gap where the selector left one),
    or the "no messages" line."""
    if not entries:
        return format_html('<li class="muted">{}</li>', _("No messages yet."))
    badges = _badges()
    ticket_id = entries[0].ticket_id
    return mark_safe(  # noqa: S308  (every value goes through esc or format_html)
        "".join(
            _gap(entry, ticket_id) if isinstance(entry, ConversationGap) else _entry(entry, badges)
            for entry in entries
        )
    )


def _row(
    ticket, *, can_change: bool, priorities: dict, sla_clocks, sla_badge, url: tuple, select: str
) -> str:
    url = esc(f"{url[0]}{ticket.pk}{url[1]}")
    number = esc(ticket.number)
    if can_change:
        label = esc(select % {"number": ticket.number})
        select = (
            f'<td><input type="checkbox" name="ticket_ids" value="{ticket.pk}"'
            f' aria-label="{label}"></td>'
        )
    else:
        select = ""
    organization = esc(ticket.organization.name) if ticket.organization_id else ""
    requester = (
        f'<div class="small muted">{esc(ticket.requester.name)}</div>'
        if ticket.requester_id
        else ""
    )
    assignee = esc(ticket.assignee.display_name) if ticket.assignee_id else "—"
    updated = timezone.localtime(ticket.updated_at).strftime("%Y-%m-%d %H:%M")
    return (
        f'<tr id="ticket-{ticket.pk}" data-ticket-url="{url}">{select}'
        f'<td><a href="{url}">{number}</a></td>'
        f'<td><a href="{url}">{esc(ticket.subject)}</a></td>'
        f"<td>{organization}{requester}</td><td>{esc(ticket.queue.label)}</td>"
        f'<td><span class="badge">{esc(ticket.status.label)}</span></td>'
        f"<td>{esc(priorities.get(ticket.priority, ticket.priority))}</td><td>{assignee}</td>"
        f"<td>{esc(sla_badge(sla_clocks, ticket.pk))}</td>"
        f'<td class="small">{updated}</td></tr>'
    )


@register.simple_tag
def ticket_rows(tickets, *, can_change: bool = False) -> SafeString:
    """The ``<tr>`` of each ticket of a list page (the markup ``_ticket_rows.html`` documents),
    written in one pass like the conversation: fifty rows of a dozen template nodes each were
    most of the list's time. The SLA column costs one query for the page."""
    from kefu.service.choices import PriorityChoices
    from kefu.service.templatetags.service_sla import sla_badge, sla_clocks_for

    tickets = list(tickets)
    if not tickets:
        return format_html('<tr><td colspan="10" class="muted">{}</td></tr>', _("No tickets here."))
    priorities = {value: str(label) for value, label in PriorityChoices.choices}
    clocks = sla_clocks_for(tickets)
    # A ticket's address from one reverse() for the page: one per row was a tenth of the rows.
    marker = "987654321"
    url = tuple(reverse("service:ticket_detail", args=[marker]).split(marker))
    select = _("Select %(number)s")
    rows = "".join(
        _row(
            ticket,
            can_change=can_change,
            priorities=priorities,
            sla_clocks=clocks,
            sla_badge=sla_badge,
            url=url,
            select=select,
        )
        for ticket in tickets
    )
    return mark_safe(rows)  # noqa: S308  (every value in a row goes through esc)
