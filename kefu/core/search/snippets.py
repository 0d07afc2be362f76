"""Highlighted snippets cut from original text around the first matching word."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kefu.core.search.tokenize import fold

WIDTH = 160


def highlight(text: str, words: list[str], *, width: int = WIDTH) -> SafeString:
    """Return an escaped window of ``text`` around the first of ``words``, each in <mark>.

    Matching is on folded text (case and width insensitive); folding keeps lengths for the
    common case, and when it does not (ligatures, accents) the snippet falls back to the start.
    """
    text = text or ""
    folded = fold(text)
    if len(folded) != len(text):
        folded = text.lower()
    words = sorted({w for w in words if w}, key=len, reverse=True)
    first = min((i for i in (folded.find(w) for w in words) if i >= 0), default=0)
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    window, folded_window = text[start:end], folded[start:end]
    spans: list[tuple[int, int]] = []
    for word in words:
        position = folded_window.find(word)
        while position >= 0:
            span = (position, position + len(word))
            if not any(a < span[1] and span[0] < b for a, b in spans):
                spans.append(span)
            position = folded_window.find(word, position + len(word))
    out = ["…" if start > 0 else ""]
    cursor = 0
    for a, b in sorted(spans):
        out.append(escape(window[cursor:a]))
        out.append(f"<mark>{escape(window[a:b])}</mark>")
        cursor = b
    out.append(escape(window[cursor:]))
    out.append("…" if end < len(text) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped
