"""Parse one raw RFC 5322 message into plain data the intake can act on.

The stdlib parser (``policy.default``) gives the structure; every piece of *text* (headers,
bodies, file names) is decoded here by ``charsets`` from the raw bytes, because the stdlib
decodes with the label's codec and replaces what it cannot read with U+FFFD without a word.
Limits (size, nesting depth, number of parts, time) raise ``MailRejected``: the intake then
quarantines the raw message instead of guessing.
"""

import email.message
import email.utils
import html as html_lib
import mimetypes
import re
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

import nh3

from kefu.channels.constants import (
    MAIL_MAX_BYTES,
    MAIL_MAX_DEPTH,
    MAIL_MAX_PARTS,
    MAIL_PARSE_SECONDS,
)
from kefu.channels.email.charsets import decode_bytes, decode_header

# Headers Kefu writes itself. They are never read from inbound mail: anyone can write them.
INTERNAL_HEADER_PREFIX = "x-kefu-"
MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")


class RawHeaderPolicy(policy.EmailPolicy):
    """``policy.default`` (EmailMessage, RFC 6532 parsing) whose header reads return raw strings.

    Every header text is decoded by ``charsets`` from the raw value anyway; building the
    stdlib's header objects cost ~10 ms per message and would decode with U+FFFD.
    """

    def header_fetch_parse(self, name, value):
        return value


MAIL_POLICY = RawHeaderPolicy()


class MailRejected(Exception):
    """The message breaks a limit or cannot be understood; ``code`` says which."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    is_inline: bool = False
    content_id: str = ""


@dataclass
class Recipient:
    address: str
    action: str
    status: str
    diagnostic: str = ""

    @property
    def is_permanent_failure(self) -> bool:
        return self.action == "failed" or self.status.startswith("5")


@dataclass
class DeliveryReport:
    """An RFC 3464 delivery status notification: per-recipient outcome and the original mail."""

    recipients: list[Recipient] = field(default_factory=list)
    original_message_id: str = ""


@dataclass
class ParsedMail:
    message_id: str = ""
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    date: str = ""
    text: str = ""
    text_new: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    return_path: str | None = None
    report: DeliveryReport | None = None
    has_calendar: bool = False
    defects: list[str] = field(default_factory=list)

    @property
    def all_references(self) -> list[str]:
        return list(dict.fromkeys([*self.in_reply_to, *self.references]))


def _storable(token: str) -> str:
    """Raw 8-bit bytes (surrogates) and control characters made visible, so a database takes it."""
    token = token.encode("utf-8", errors="surrogateescape").decode(
        "utf-8", errors="backslashreplace"
    )
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in token)


def normalize_message_id(value: str | None) -> str:
    """Return the ``<id>`` in ``value`` without brackets, or the stripped value (max 250)."""
    if not value:
        return ""
    match = MESSAGE_ID.search(value)
    token = match.group(1) if match else value.strip().strip("<>")
    return _storable("".join(token.split()))[:250]


def message_ids(value: str | None) -> list[str]:
    return [_storable(m.group(1))[:250] for m in MESSAGE_ID.finditer(value or "")][:100]


def _raw_header(part: email.message.Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name:
            return value
    return None


def _raw_params(part: email.message.Message, name: str) -> dict:
    raw = _raw_header(part, name)
    if raw is None:
        return {}
    if not raw.isascii():
        # Raw 8-bit bytes: decode them ourselves (UTF-8, then GB18030...). Left as surrogates,
        # the stdlib would turn them into U+FFFD when reading the parameters.
        raw, _found = decode_bytes(raw.encode("utf-8", errors="surrogateescape"), None, where=name)
    holder = email.message.Message()
    holder[name] = raw
    try:
        params = holder.get_params(header=name) or []
    except (ValueError, IndexError, TypeError):
        return {}
    return {key.lower(): value for key, value in params[1:]}


def _param_text(value, *, where: str, defects: list) -> str:
    """Decode a MIME parameter: an RFC 2231 tuple, encoded words, or raw 8-bit bytes."""
    if isinstance(value, tuple):
        charset, _lang, text = value
        try:
            data = text.encode("latin-1", errors="surrogateescape")
        except UnicodeEncodeError:
            # The stdlib could not read the parameter's charset part and substituted; keep
            # what it kept, visibly marked, and say so.
            defects.append(f"{where}: malformed RFC 2231 parameter")
            text = text.replace("\ufffd", "?")
            data = text.encode("utf-8", errors="surrogateescape")
            charset = "utf-8"
        decoded, found = decode_bytes(data, charset or None, where=where)
    else:
        decoded, found = decode_header(value, where=where)
    defects += found
    return decoded.strip()


def _addresses(raw: str | None, *, where: str, defects: list) -> list[tuple[str, str]]:
    if not raw:
        return []
    unfolded = re.sub(r"\r?\n[ \t]", " ", raw)
    result = []
    for name, address in email.utils.getaddresses([unfolded]):
        address_text, found = decode_header(address, where=where)
        defects += found
        address_text = address_text.strip().strip("<>").strip()
        if (
            "@" not in address_text
            or len(address_text) > 320
            or " " in address_text
            or not address_text.isprintable()
        ):
            continue
        name_text, found = decode_header(name, where=where)
        defects += found
        result.append((name_text.strip().strip('"').strip(), address_text.lower()))
    return result[:200]


QUOTE_MARKERS = re.compile(
    r"^(?:"
    r"-{2,}\s*(?:original message|原始邮件|原始郵件)\s*-{2,}"
    r"|on\b.{4,200}\bwrote:\s*"
    r"|在.{2,200}写道[:：]\s*"
    r"|.{2,120}于.{2,120}写道[:：]\s*"
    r"|_{10,}\s*"
    r")$",
    re.IGNORECASE,
)
FORWARD_MARKER = re.compile(r"^-{2,}\s*(?:forwarded message|转发的邮件|轉寄的郵件)\s*-{2,}$", re.I)
HEADER_BLOCK_START = re.compile(r"^\s*(?:from|发件人|寄件者)\s*[:：]", re.IGNORECASE)
HEADER_BLOCK_NEXT = re.compile(r"^\s*(?:sent|date|发送时间|日期|寄件日期|to|收件人)\s*[:：]", re.I)


def split_quoted(text: str) -> tuple[str, str]:
    """Split a reply into what is new and the quoted history below it (folded in the view)."""
    lines = text.split("\n")
    cut = None
    for index, line in enumerate(lines):
        stripped = line.strip()
        if QUOTE_MARKERS.match(stripped):
            cut = index
            break
        if (
            HEADER_BLOCK_START.match(stripped)
            and any(
                HEADER_BLOCK_NEXT.match(following) for following in lines[index + 1 : index + 4]
            )
            and not any(
                FORWARD_MARKER.match(before.strip()) for before in lines[max(index - 2, 0) : index]
            )
        ):
            cut = index
            break
        if stripped.startswith(">") and all(
            not rest.strip() or rest.lstrip().startswith(">") for rest in lines[index:]
        ):
            cut = index
            break
    if cut is None:
        return text, ""
    new = "\n".join(lines[:cut]).rstrip()
    if not new.strip():
        return text, ""
    return new, "\n".join(lines[cut:]).strip()


BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|tr|li|h[1-6]|blockquote|table)>")


def html_to_text(markup: str) -> str:
    """Return the readable text of an HTML body (line breaks kept at block ends)."""
    with_breaks = BLOCK_END.sub("\n", markup)
    stripped = nh3.clean(with_breaks, tags=set())
    text = html_lib.unescape(stripped)
    text = re.sub(r"[ \t\xa0]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitize_html(markup: str) -> str:
    """Return HTML safe to show in a sandboxed frame: nh3's allow-list, no scripts or handlers."""
    return nh3.clean(markup, link_rel="noopener noreferrer nofollow")


class _Walker:
    def __init__(self, parsed: ParsedMail, deadline: float):
        self.parsed = parsed
        self.deadline = deadline
        self.parts = 0
        self.texts: list[str] = []
        self.htmls: list[str] = []

    def check(self, depth: int) -> None:
        self.parts += 1
        if depth > MAIL_MAX_DEPTH:
            raise MailRejected("too_deep", f"MIME nesting deeper than {MAIL_MAX_DEPTH}")
        if self.parts > MAIL_MAX_PARTS:
            raise MailRejected("too_many_parts", f"more than {MAIL_MAX_PARTS} MIME parts")
        if time.monotonic() > self.deadline:
            raise MailRejected("timeout", f"parsing took over {MAIL_PARSE_SECONDS:.0f} s")

    def walk(self, part: email.message.Message, depth: int = 0) -> None:
        self.check(depth)
        ctype = part.get_content_type()
        if part.is_multipart():
            payload = part.get_payload()
            if ctype == "message/delivery-status":
                self.parsed.report = self.parsed.report or DeliveryReport()
                _read_delivery_status(payload, self.parsed.report)
                return
            if ctype == "message/rfc822":
                for inner in payload if isinstance(payload, list) else []:
                    self.forwarded(inner, depth)
                return
            for child in payload if isinstance(payload, list) else []:
                self.walk(child, depth + 1)
            return
        self.leaf(part, ctype, depth)

    def forwarded(self, inner: email.message.Message, depth: int) -> None:
        # Count the inner parts against the limits without taking their text as ours.
        for sub in inner.walk():
            self.check(depth + 1)
            del sub
        if self.parsed.report is not None and not self.parsed.report.original_message_id:
            self.parsed.report.original_message_id = normalize_message_id(
                _raw_header(inner, "message-id")
            )
        subject, found = decode_header(_raw_header(inner, "subject"), where="forwarded subject")
        self.parsed.defects.extend(found)
        try:
            data = inner.as_bytes(policy=policy.compat32)
        except (UnicodeError, LookupError, TypeError, ValueError):
            data = str(inner).encode("utf-8", errors="surrogateescape")
        name = _safe_filename(subject or "message") + ".eml"
        self.parsed.attachments.append(Attachment(name, "message/rfc822", data))

    def leaf(self, part: email.message.Message, ctype: str, depth: int) -> None:
        parsed = self.parsed
        disposition_params = _raw_params(part, "content-disposition")
        type_params = _raw_params(part, "content-type")
        disposition = (_raw_header(part, "content-disposition") or "").split(";")[0].strip()
        is_attachment = disposition.lower() == "attachment"
        raw_name = disposition_params.get("filename") or type_params.get("name")
        filename = ""
        if raw_name:
            filename = _param_text(raw_name, where="file name", defects=parsed.defects)
        try:
            data = part.get_payload(decode=True) or b""
        except (ValueError, TypeError, LookupError, AssertionError):
            data = b""
            parsed.defects.append(f"{ctype}: undecodable transfer encoding")
        if not isinstance(data, bytes):
            data = str(data).encode("utf-8", errors="surrogateescape")
        for defect in getattr(part, "defects", []):
            parsed.defects.append(f"{ctype}: {type(defect).__name__}")
        charset = type_params.get("charset")
        if isinstance(charset, tuple):
            charset = charset[2]
        if ctype == "message/delivery-status":
            parsed.report = parsed.report or DeliveryReport()
            _read_delivery_status_text(data, parsed.report)
            return
        if ctype == "text/rfc822-headers" and parsed.report is not None:
            headers = BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)
            parsed.report.original_message_id = parsed.report.original_message_id or (
                normalize_message_id(headers.get("message-id"))
            )
            return
        if ctype == "text/calendar":
            parsed.has_calendar = True
        is_body = (
            ctype in ("text/plain", "text/html")
            and not is_attachment
            and not (filename and disposition.lower() != "inline")
        )
        if is_body:
            text, found = decode_bytes(data, charset, where=ctype)
            parsed.defects.extend(found)
            (self.texts if ctype == "text/plain" else self.htmls).append(text)
            return
        content_id = normalize_message_id(_raw_header(part, "content-id"))
        if not filename:
            extension = mimetypes.guess_extension(ctype) or ".bin"
            if ctype == "text/calendar":
                filename = "invite.ics"
            else:
                filename = f"{'image' if ctype.startswith('image/') else 'attachment'}-"
                filename += f"{len(parsed.attachments) + 1}{extension}"
        parsed.attachments.append(
            Attachment(
                filename=_safe_filename(filename),
                content_type=ctype,
                data=data,
                is_inline=disposition.lower() == "inline"
                or (bool(content_id) and not is_attachment),
                content_id=content_id,
            )
        )


def _safe_filename(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".")
    return (name or "attachment")[:200]


def _block_value(block, name: str) -> str:
    try:
        value = block.get(name)
    except (ValueError, TypeError, IndexError):
        return ""
    return str(value or "").strip()


def _add_recipient(report: DeliveryReport, fields: dict[str, str]) -> None:
    recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
    address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
    if not address:
        return
    report.recipients.append(
        Recipient(
            address=address[:320],
            action=fields.get("action", "").lower(),
            status=fields.get("status", "").split(" ")[0],
            diagnostic=fields.get("diagnostic-code", "")[:500],
        )
    )


def _read_delivery_status(blocks, report: DeliveryReport) -> None:
    for block in blocks if isinstance(blocks, list) else []:
        fields = {
            name: _block_value(block, name)
            for name in ("final-recipient", "original-recipient", "action", "status")
        }
        fields["diagnostic-code"] = _block_value(block, "diagnostic-code")
        _add_recipient(report, fields)


def _read_delivery_status_text(data: bytes, report: DeliveryReport) -> None:
    text, _found = decode_bytes(data, "utf-8", where="delivery status")
    for block in re.split(r"\r?\n\s*\r?\n", text):
        fields = {}
        for line in block.splitlines():
            if ":" in line and not line.startswith((" ", "\t")):
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        _add_recipient(report, fields)


def parse_message(raw: bytes, *, time_budget: float = MAIL_PARSE_SECONDS) -> ParsedMail:
    """Parse ``raw`` into a ``ParsedMail``; raise ``MailRejected`` for what must be quarantined.

    Never returns text containing U+FFFD that was not in the mail itself: undecodable bytes are
    kept as ``\\xNN`` escapes and listed in ``defects``.
    """
    if len(raw) > MAIL_MAX_BYTES:
        raise MailRejected("too_large", f"{len(raw)} bytes")
    deadline = time.monotonic() + time_budget
    message = BytesParser(policy=MAIL_POLICY).parsebytes(raw)
    parsed = ParsedMail()
    defects = parsed.defects
    for key, value in message.raw_items():
        name = key.lower()
        if name.startswith(INTERNAL_HEADER_PREFIX) or name in parsed.headers:
            continue
        text, found = decode_header(value, where=name)
        defects.extend(found)
        parsed.headers[name] = text.strip()[:2000]
    parsed.message_id = normalize_message_id(_raw_header(message, "message-id"))
    parsed.subject = " ".join(parsed.headers.get("subject", "").split())
    senders = _addresses(_raw_header(message, "from"), where="from", defects=defects)
    if not senders:
        senders = _addresses(_raw_header(message, "sender"), where="sender", defects=defects)
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    reply_to = _addresses(_raw_header(message, "reply-to"), where="reply-to", defects=defects)
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.to = _addresses(_raw_header(message, "to"), where="to", defects=defects)
    parsed.cc = _addresses(_raw_header(message, "cc"), where="cc", defects=defects)
    parsed.in_reply_to = message_ids(_raw_header(message, "in-reply-to"))
    parsed.references = message_ids(_raw_header(message, "references"))
    parsed.date = parsed.headers.get("date", "")[:100]
    return_path = _raw_header(message, "return-path")
    if return_path is not None:
        parsed.return_path = return_path.strip().strip("<>").strip()
    walker = _Walker(parsed, deadline)
    walker.walk(message)
    texts = [t for t in walker.texts if t.strip()]
    parsed.html = sanitize_html("\n".join(walker.htmls)) if walker.htmls else ""
    if texts:
        parsed.text = "\n\n".join(t.strip("\n") for t in texts)
    elif walker.htmls:
        parsed.text = html_to_text("\n".join(walker.htmls))
    parsed.text = parsed.text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    parsed.text_new, _quoted = split_quoted(parsed.text)
    # NUL cannot be stored in PostgreSQL text; raw 8-bit left in a defect cannot go in jsonb.
    parsed.subject = parsed.subject.replace("\x00", "")
    parsed.from_name = parsed.from_name.replace("\x00", "")
    parsed.html = parsed.html.replace("\x00", "")
    parsed.to = [(name.replace("\x00", ""), address) for name, address in parsed.to]
    parsed.cc = [(name.replace("\x00", ""), address) for name, address in parsed.cc]
    for attachment in parsed.attachments:
        attachment.filename = attachment.filename.replace("\x00", "") or "attachment"
    parsed.defects = [_storable(defect)[:500] for defect in parsed.defects]
    if not parsed.from_address:
        raise MailRejected("no_sender", "no usable From address")
    return parsed
