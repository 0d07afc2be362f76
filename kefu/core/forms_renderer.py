"""The form renderer: Django's, with the plain widgets written in one pass.

Django renders every ``<input>`` and ``<textarea>`` through two template files (the widget's
and ``attrs.html``), about a quarter of a millisecond each: the ticket page's forms spent
several milliseconds there. :class:`FastWidgetRenderer` writes exactly the markup those
templates write, from the same context the widget built, and leaves every other template
(selects, radio lists, clearable file inputs, the form layouts) to the templates. Values are
escaped as the templates escape them (:func:`kefu.core.fasthtml.esc`).
"""

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from kefu.core.fasthtml import esc

_WIDGETS = "django/forms/widgets/"
# The templates that are nothing but ``{% include "django/forms/widgets/input.html" %}``.
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "color",
        "search",
        "tel",
        "file",
    )
)
TEXTAREA_TEMPLATE = f"{_WIDGETS}textarea.html"


def attrs_html(attrs: dict) -> str:
    """``attrs.html``: ` name="value"` each, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {esc(name)}" if value is True else f' {esc(name)}="{esc(value)}"')
    return "".join(parts)


def input_html(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{esc(value)}"'
    return (
        f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"{shown}'
        f"{attrs_html(widget['attrs'])}>"
    )


def textarea_html(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{esc(widget["name"])}"{attrs_html(widget["attrs"])}>\n'
        f"{esc(value) if value else ''}</textarea>"
    )


class FastWidgetRenderer(DjangoTemplates):
    """``FORM_RENDERER``: inputs and textareas in one pass, everything else as Django does."""

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return mark_safe(input_html(context["widget"]))  # noqa: S308  (escaped by esc)
        if template_name == TEXTAREA_TEMPLATE:
            return mark_safe(textarea_html(context["widget"]))  # noqa: S308  (escaped by esc)
        return super().render(template_name, context, request)
