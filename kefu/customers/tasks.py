"""Background jobs of the customers app (huey's consumer imports each app's ``tasks`` module)."""

from kefu.customers.importexport.tasks import import_check, import_run

__all__ = ["import_check", "import_run"]
