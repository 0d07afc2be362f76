"""``{% form_fields form %}``: a form's fields in the house markup, written in one pass.

``includes/form_fields.html`` calls it. In the template engine, the wrapper around each field
(label, required mark, help, errors) cost about half a millisecond per field, a dozen on the
ticket page with its five forms. Every value is escaped as the template escaped it.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _errors(errors) -> SafeString:
    if not errors:
        return mark_safe("")
    items = format_html_join("", "<li>{}</li>", ((e,) for e in errors))
    return format_html('<ul class="errorlist" role="alert">{}</ul>', items)


def field_html(field, *, swap_oob: bool = False) -> SafeString:
    """One bound field in its ``div.field#field-<name>``; ``swap_oob``: marked for htmx to put
    in place of the field of that id already on the page (a fragment that refreshes a field)."""
    help_text = (
        format_html('<div class="help">{}</div>', field.help_text) if field.help_text else ""
    )
    return format_html(
        '<div class="field{}" id="field-{}"{}>\n'
        '  <label for="{}">{}{}</label>\n'
        "  {}\n"
        "  {}{}\n"
        "</div>\n",
        " has-error" if field.errors else "",
        field.name,
        mark_safe(' hx-swap-oob="true"') if swap_oob else "",
        field.id_for_label or "",
        field.label,
        " *" if field.field.required else "",
        field,
        help_text,
        _errors(field.errors),
    )


@register.simple_tag
def form_fields(form) -> SafeString:
    """Non-field errors, the hidden fields, then each visible field in its ``div.field``."""
    if not form:
        return mark_safe("")
    hidden = format_html_join("", "{}", ((field,) for field in form.hidden_fields()))
    visible = format_html_join("", "{}", ((field_html(field),) for field in form.visible_fields()))
    return format_html("{}{}\n{}", _errors(form.non_field_errors()), hidden, visible)
