"""Background jobs of contracts and vendors: thin wrappers that load by id and call a service."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=3, retry_delay=30)
def contract_threshold_mail(contract_id: int, threshold: int) -> None:
    """Mail the account owner that a contract reached ``threshold`` percent of its allowance."""
    from kefu.service.services.contracts_mail import contract_threshold_notify_owner

    contract_threshold_notify_owner(contract_id=contract_id, threshold=threshold)


@db_periodic_task(crontab(minute="*"))
def vendor_clocks_sweep() -> None:
    """Mark vendor clocks whose due time passed as breached (a conditional UPDATE)."""
    from kefu.service.services.vendors import vendor_clocks_sweep as sweep

    sweep()
