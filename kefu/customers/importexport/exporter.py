"""Export of organizations, sites, contacts and assets as CSV or XLSX.

The columns are the import columns, so an exported file can be edited and imported back (rows
with an ``external_id`` then update their records). Both formats are produced row by row from a
server-side iterator, so an export of a million contacts never holds them all in memory; CSV is
streamed to the client as it is produced.

Spreadsheet-formula injection (OWASP "CSV injection"): a cell starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return is run as a formula by Excel and LibreOffice, so such cells are
written with a leading apostrophe. The importer strips that apostrophe again.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet

from kefu.core.customfields import definitions_for
from kefu.customers.importexport.importer import IMPORTERS
from kefu.customers.models import Asset, Contact, ContactIdentity, Organization, Site

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def escape_cell(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet cell (text starting like a formula is quoted)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = "|".join(str(v) for v in value)
    if not isinstance(value, str):
        value = str(value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _custom_columns(target: str) -> list[str]:
    return [d.key for d in definitions_for(target)]


def _custom_values(custom: dict, keys: list[str]) -> list[Any]:
    return [(custom or {}).get(key) for key in keys]


def organization_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    keys = _custom_columns("customers.organization")
    yield [*IMPORTERS["organizations"].columns, *(f"cf_{k}" for k in keys)]
    queryset = queryset.select_related("parent", "tier", "owner").prefetch_related("tags")
    for o in queryset.iterator(chunk_size=CHUNK):
        yield [
            o.external_id,
            o.name,
            o.alt_name,
            o.parent.external_id if o.parent_id else "",
            o.tier.key if o.tier_id else "",
            o.industry,
            o.owner.username if o.owner_id else "",
            o.status,
            o.is_vendor,
            o.website,
            o.email_domains,
            o.phone,
            o.notes,
            [tag.name for tag in o.tags.all()],
            *_custom_values(o.custom_fields, keys),
        ]


def site_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    keys = _custom_columns("customers.site")
    yield [*IMPORTERS["sites"].columns, *(f"cf_{k}" for k in keys)]
    for s in queryset.select_related("organization").iterator(chunk_size=CHUNK):
        yield [
            s.external_id,
            s.organization.external_id,
            s.name,
            s.code,
            s.address,
            s.city,
            s.region,
            s.postal_code,
            s.country,
            s.time_zone,
            s.is_active,
            *_custom_values(s.custom_fields, keys),
        ]


def contact_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    from kefu.customers.importexport.importer import IDENTITY_COLUMNS

    keys = _custom_columns("customers.contact")
    yield [*IMPORTERS["contacts"].columns, *(f"cf_{k}" for k in keys)]
    identities = ContactIdentity.objects.order_by("kind", "-is_primary", "id")
    queryset = queryset.select_related("primary_organization").prefetch_related(
        Prefetch("identities", queryset=identities, to_attr="export_identities")
    )
    for c in queryset.iterator(chunk_size=CHUNK):
        by_kind: dict[str, list[str]] = {kind: [] for kind in IDENTITY_COLUMNS}
        for identity in c.export_identities:
            by_kind.setdefault(identity.kind, []).append(identity.value)
        yield [
            c.external_id,
            c.name,
            c.alt_name,
            c.title,
            c.preferred_language,
            c.preferred_channel,
            c.is_active,
            c.notes,
            c.primary_organization.external_id if c.primary_organization_id else "",
            *(by_kind[kind] for kind in IDENTITY_COLUMNS),
            *_custom_values(c.custom_fields, keys),
        ]


def asset_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    keys = _custom_columns("customers.asset")
    yield [*IMPORTERS["assets"].columns, *(f"cf_{k}" for k in keys)]
    queryset = queryset.select_related("product", "organization", "site", "vendor")
    for a in queryset.iterator(chunk_size=CHUNK):
        yield [
            a.external_id,
            a.product.sku,
            a.serial_number,
            a.organization.external_id,
            a.site.external_id if a.site_id else "",
            a.install_date.isoformat() if a.install_date else "",
            a.warranty_end.isoformat() if a.warranty_end else "",
            a.status,
            a.vendor.external_id if a.vendor_id else "",
            a.notes,
            *_custom_values(a.custom_fields, keys),
        ]


EXPORTERS = {
    "organizations": (Organization, organization_rows),
    "sites": (Site, site_rows),
    "contacts": (Contact, contact_rows),
    "assets": (Asset, asset_rows),
}


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[Any]], *, bom: bool = True) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 bytes (with a BOM, so Excel reads the Chinese right)."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff".encode()
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([escape_cell(value) for value in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def write_xlsx(rows: Iterable[list[Any]], *, title: str) -> tempfile.SpooledTemporaryFile:
    """Write rows to an XLSX workbook (write-only mode) and return the file, rewound."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        cells = []
        for value in row:
            # Control characters are not allowed in XLSX XML; drop them rather than fail.
            text = ILLEGAL_CHARACTERS_RE.sub("", escape_cell(value))
            cell = WriteOnlyCell(sheet, value=text)
            # Even escaped, keep every cell a string: openpyxl would otherwise store text
            # starting with "=" as a formula.
            cell.data_type = "s"
            if index == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    # Returned open: the caller streams it out and closes it.
    output = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def export_csv_bytes(kind: str, queryset: QuerySet) -> bytes:
    """The whole CSV at once (for the command line and tests)."""
    rows = EXPORTERS[kind][1](queryset)
    return b"".join(csv_chunks(rows))


def export_xlsx_bytes(kind: str, queryset: QuerySet) -> bytes:
    rows = EXPORTERS[kind][1](queryset)
    handle = write_xlsx(rows, title=kind)
    data = handle.read()
    handle.close()
    return data


__all__ = [
    "EXPORTERS",
    "csv_chunks",
    "escape_cell",
    "export_csv_bytes",
    "export_xlsx_bytes",
    "write_xlsx",
]
