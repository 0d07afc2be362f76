"""CSV export of a report table: UTF-8 with a byte-order mark, so Excel shows Chinese."""

import csv

from django.http import HttpResponse

BOM = "\ufeff"


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell starting with = + - @ is a formula to spreadsheets: neutralise it (CSV injection).
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_response(
    *, filename: str, columns: list[tuple[str, str]], rows: list[dict]
) -> HttpResponse:
    """Answer ``rows`` as a CSV download; ``columns`` are ``(key, header)`` pairs."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([str(header) for _key, header in columns])
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key, _header in columns])
    return response
