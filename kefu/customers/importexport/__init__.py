"""CSV import and CSV/XLSX export of the customer master.

``importer`` checks a file row by row with the services' rules (a dry run reports every bad row
with its line and column) and then writes it in one transaction; ``exporter`` streams lists out
as CSV or XLSX with spreadsheet-formula escaping. ``views`` and ``tasks`` put both behind the
import page; the ``import_csv`` and ``export_csv`` commands use them from the shell.
"""
