"""Building raw test mails byte by byte (so charsets and encodings are exactly what we say)."""

import base64
import itertools

_counter = itertools.count(1)


def b64word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def raw_mail(
    *,
    sender: str = "Zhang Wei <zhang.wei@example.cn>",
    to: str = "support@kefu.localhost",
    subject: str = "Printer offline",
    body: str = "The printer in our store stopped printing this morning.",
    charset: str = "utf-8",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    in_reply_to: str | None = None,
    cc: str | None = None,
) -> bytes:
    """A simple text/plain mail; ``subject``/``body`` are encoded in ``charset`` (8bit body)."""
    message_id = message_id or f"test.{next(_counter)}.{id(body)}@example.cn"
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject if subject.isascii() else b64word(subject, charset)}",
        f"Message-ID: <{message_id}>",
        "Date: Mon, 23 Nov 2026 10:00:00 +0800",
        "MIME-Version: 1.0",
    ]
    if cc:
        lines.append(f"Cc: {cc}")
    if in_reply_to:
        lines.append(f"In-Reply-To: <{in_reply_to}>")
        lines.append(f"References: <{in_reply_to}>")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    lines += [
        f"Content-Type: text/plain; charset={charset}",
        "Content-Transfer-Encoding: 8bit",
        "",
        "",
    ]
    return "\r\n".join(lines).encode("ascii") + body.encode(charset) + b"\r\n"
