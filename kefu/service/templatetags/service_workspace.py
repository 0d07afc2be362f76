"""``{% ticket_entries entries %}``: the conversation of the ticket page, written in one pass.

A ticket with 200 entries spent most of its page time in the template engine (a dozen nodes
per entry). This writes the same markup with ``format_html`` — every value escaped — in a
fraction of it. The markup is the one ``_ticket_workspace.html`` documents.
"""

from django import template
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _badges() -> dict[str, SafeString]:
    return {
        "note": format_html('<span class="badge warn">{}</span>', _("Internal note")),
        "event": format_html('<span class="badge">{}</span>', _("System")),
        "reply": format_html('<span class="badge ok">{}</span>', _("Public reply")),
    }


def _entry(entry, badges: dict[str, SafeString]) -> SafeString:
    if entry.author_id:
        who = entry.author.display_name
    elif entry.author_contact_id:
        who = entry.author_contact.name
    else:
        who = ""
    minutes = ""
    if entry.time_spent_minutes:
        count = entry.time_spent_minutes
        minutes = "· " + ngettext("%(minutes)s minute", "%(minutes)s minutes", count) % {
            "minutes": count
        }
    attachments = format_html_join(
        "",
        '<div class="small"><a href="{}">{}</a> ({})</div>',
        (
            (a.get_absolute_url(), a.filename, filesizeformat(a.size))
            for a in entry.attachments.all()
        ),
    )
    return format_html(
        '<li class="kind-{}" id="entry-{}"><div class="when">{} · {} {} {}</div>'
        '<div class="body">{}</div>{}</li>',
        entry.kind,
        entry.pk,
        timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
        badges.get(entry.kind, badges["reply"]),
        who,
        minutes,
        linebreaksbr(entry.body, autoescape=True),
        attachments,
    )


@register.simple_tag
def ticket_entries(entries) -> SafeString:
    """The ``<li>`` of each entry, oldest first, or the "no messages" line."""
    if not entries:
        return format_html('<li class="muted">{}</li>', _("No messages yet."))
    badges = _badges()
    return format_html_join("", "{}", ((_entry(entry, badges),) for entry in entries))
