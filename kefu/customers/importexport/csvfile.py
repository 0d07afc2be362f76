"""Reading uploaded CSV files: encoding detection and line-numbered rows.

Excel in mainland China saves "CSV" as GBK; other tools write UTF-8 with or without a byte-order
mark. GBK, GB2312 and CP936 are all decoded as GB18030 (their superset): decoding GBK-labelled
text with a narrower codec turns rarer Chinese names into U+FFFD without any error.
"""

import codecs
import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

AUTO = "auto"
ENCODING_CHOICES = [AUTO, "utf-8", "gb18030"]
_GB_ALIASES = {"gbk", "gb2312", "cp936", "gb18030", "936", "ms936", "euc-cn", "euc_cn"}


class CsvFileError(ValueError):
    """The file cannot be read as CSV in the chosen encoding."""


def canonical_encoding(name: str | None) -> str:
    """Return the codec to decode with for a user's choice (``auto`` for detection)."""
    text = (name or AUTO).strip().lower()
    if text in ("", AUTO):
        return AUTO
    if text.replace("_", "-") in _GB_ALIASES or text in _GB_ALIASES:
        return "gb18030"
    try:
        codec = codecs.lookup(text).name
    except LookupError as exc:
        raise CsvFileError(_("Unknown encoding: %(name)s.") % {"name": name}) from exc
    return "utf-8" if codec in ("utf-8", "utf-8-sig") else codec


def decode(data: bytes, encoding: str | None = AUTO) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding used)``.

    ``auto``: a UTF-8 byte-order mark means UTF-8; otherwise UTF-8 if the bytes are valid UTF-8,
    else GB18030 (valid UTF-8 is very unlikely to be meant as GBK: its multi-byte patterns are
    rare in GBK text).
    """
    encoding = canonical_encoding(encoding)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        if encoding == AUTO:
            encoding = "utf-8"
    candidates = ["utf-8", "gb18030"] if encoding == AUTO else [encoding]
    for candidate in candidates:
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise CsvFileError(
        _("The file is not valid %(encoding)s text. Choose the encoding it was saved in.")
        % {"encoding": " / ".join(candidates)}
    )


def unescape_cell(value: str) -> str:
    """Trim a cell and undo the exporter's formula escaping (``'=x`` -> ``=x``)."""
    text = value.strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def read_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Return the normalised header and an iterator of ``(line number, {column: value})``.

    Header names are trimmed and lower-cased. The line number is where the record starts in the
    file (line 1 is the header), so quoted cells spanning several lines still point at the row.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        raw_header = next(reader)
    except StopIteration:
        raise CsvFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise CsvFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from None
    header = [name.strip().lower() for name in raw_header]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CsvFileError(
                    _("Line %(line)d is not valid CSV: %(error)s") % {"line": start, "error": exc}
                ) from None
            line, start = start, reader.line_num + 1
            if not any(value.strip() for value in values):
                continue
            row = {
                name: (values[i].strip() if i < len(values) else "")
                for i, name in enumerate(header)
            }
            if len(values) > len(header):
                row[""] = ",".join(values[len(header) :])
            yield line, row

    return header, rows()
