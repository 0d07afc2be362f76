"""Markdown to safe HTML: markdown-it-py (raw HTML off) then nh3 (allow-list sanitizer)."""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


def render(text: str) -> str:
    """Return sanitized HTML for Markdown ``text`` (scripts, handlers, javascript: removed).

    Raw HTML in the source is escaped by markdown-it; nh3 is the second line of defence for
    anything a renderer rule lets through (e.g. ``javascript:`` link targets).
    """
    html = _md.render(text or "")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
