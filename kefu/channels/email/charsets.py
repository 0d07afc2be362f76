"""Decoding mail text without ever turning a Chinese name into U+FFFD.

Charset labels in mail lie: "gb2312" mail is really GBK (so decoded as GB18030, its superset),
"big5" carries HKSCS characters, and headers arrive with raw 8-bit bytes and no label at all.
Every function here returns text plus a list of defects; bytes that no candidate charset can
decode are kept visible as ``\\xNN`` escapes and reported, never replaced silently.
"""

import base64
import binascii
import codecs
import re

# Labels decoded as a superset: what senders mean, not what they wrote.
SUPERSETS = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}
# Tried, in order, when the label is missing, unknown or wrong.
FALLBACKS = ("utf-8", "gb18030", "big5hkscs")


def codec_for(label: str | None) -> str | None:
    """Return the Python codec to decode a charset ``label`` with (a superset where one exists)."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    name = SUPERSETS.get(label, label)
    try:
        return codecs.lookup(name).name
    except (LookupError, UnicodeError, ValueError, TypeError):
        # Unknown names, and garbage (NUL bytes, raw 8-bit) where a charset name should be.
        return None


def _literal_codec(label: str | None) -> str | None:
    """The codec the label names literally (iso-8859-1 itself when cp1252 fails)."""
    try:
        name = codecs.lookup((label or "").strip().strip('"').lower()).name
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return None if name == "ascii" else name


def decode_bytes(data: bytes, label: str | None = None, *, where: str = "") -> tuple[str, list]:
    """Decode ``data`` labelled ``label``: the label's codec, else UTF-8, GB18030, Big5-HKSCS.

    Returns ``(text, defects)``. If nothing decodes strictly the label's codec (or UTF-8) is used
    with ``\\xNN`` escapes for the bad bytes, and a defect says where.
    """
    defects: list[str] = []
    if not data:
        return "", defects
    codec = codec_for(label)
    if label and codec is None:
        defects.append(f"{where}: unknown charset {label!r}")
    candidates = [codec] if codec else []
    literal = _literal_codec(label)
    if literal and literal not in candidates:
        candidates.append(literal)
    candidates += [c for c in FALLBACKS if c not in candidates]
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if "\ufffd" in text and "\ufffd".encode() not in data:
            continue
        if codec and name != codec:
            defects.append(f"{where}: labelled {label!r} but decoded as {name}")
        return text, defects
    name = codec or "utf-8"
    defects.append(f"{where}: undecodable bytes in {label or 'unlabelled'} text, kept as escapes")
    return data.decode(name, errors="backslashreplace"), defects


def _surrogates_to_bytes(text: str) -> bytes:
    """Undo the email parser's surrogateescape: the header's original bytes."""
    return text.encode("utf-8", errors="surrogateescape")


ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")


def _decode_word(encoding: str, payload: str) -> bytes | None:
    if encoding.lower() == "b":
        cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            return base64.b64decode(cleaned)
        except (binascii.Error, ValueError):
            return None
    out = bytearray()
    raw = payload.encode("ascii", errors="surrogateescape").replace(b"_", b" ")
    index = 0
    while index < len(raw):
        char = raw[index : index + 1]
        if char == b"=" and re.fullmatch(rb"[0-9A-Fa-f]{2}", raw[index + 1 : index + 3]):
            out += bytes([int(raw[index + 1 : index + 3], 16)])
            index += 3
            continue
        out += char
        index += 1
    return bytes(out)


def decode_header(value: str | None, *, where: str = "header") -> tuple[str, list]:
    """Decode a raw header value: RFC 2047 words (joined across words) and raw 8-bit bytes.

    Adjacent encoded words in the same charset are joined as *bytes* before decoding, so a
    multibyte character split between two words comes out whole. Unlabelled 8-bit text is tried
    as UTF-8, then GB18030.
    """
    defects: list[str] = []
    if not value:
        return "", defects
    value = re.sub(r"\r?\n[ \t]", " ", str(value)).replace("\r", "").replace("\n", "")
    pieces: list[tuple[str | None, bytes | str]] = []
    position = 0
    for match in ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        decoded = _decode_word(match.group(2), match.group(3))
        if decoded is None:
            defects.append(f"{where}: broken encoded word")
            pieces.append((None, between + match.group(0)))
            position = match.end()
            continue
        # Whitespace between two encoded words is not part of the text (RFC 2047 section 6.2).
        if between and not (between.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, between))
        charset = match.group(1).lower()
        if pieces and pieces[-1][0] == charset:
            pieces[-1] = (charset, pieces[-1][1] + decoded)
        else:
            pieces.append((charset, decoded))
        position = match.end()
    if position < len(value):
        pieces.append((None, value[position:]))
    parts = []
    for charset, data in pieces:
        if charset is None:
            raw = _surrogates_to_bytes(data) if isinstance(data, str) else data
            if raw.isascii():
                parts.append(raw.decode("ascii"))
                continue
            text, found = decode_bytes(raw, None, where=where)
        else:
            text, found = decode_bytes(data, charset, where=where)
        defects += found
        parts.append(text)
    return "".join(parts), defects


def has_replacement(text: str) -> bool:
    return "\ufffd" in text
