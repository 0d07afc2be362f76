"""``kefu export_csv <kind> [--format csv|xlsx] [-o file]``: the list export from the shell."""

import sys

from django.core.management.base import BaseCommand

from kefu.customers.importexport.exporter import EXPORTERS, csv_chunks, write_xlsx


class Command(BaseCommand):
    help = "Export organizations, sites, contacts or assets (the import columns) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(EXPORTERS))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, kind, format, output, **options):
        model, rows = EXPORTERS[kind]
        queryset = model.objects.order_by("pk")
        if format == "xlsx":
            handle = write_xlsx(rows(queryset), title=kind)
            chunks = iter(lambda: handle.read(1 << 20), b"")
        else:
            chunks = csv_chunks(rows(queryset))
        target = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        try:
            for chunk in chunks:
                target.write(chunk)
        finally:
            if output:
                target.close()
