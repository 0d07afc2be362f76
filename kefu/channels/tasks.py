"""Background jobs of the channels: thin wrappers that call one service each."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task


@db_task(retries=2, retry_delay=60)
def outbox_send(outbound_id: int) -> None:
    """Send one outbox row (a no-op if another worker has it or it is already sent)."""
    from kefu.channels.services import outbound

    outbound.outbox_send(outbound_id=outbound_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-outbox-sweep")
def outbox_sweep() -> None:
    """Retry due rows and rows abandoned by a worker that died mid-send."""
    from kefu.channels.services import outbound

    outbound.outbox_send_due()


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-mail-poll")
def mail_poll() -> None:
    """Poll every active mailbox, then finish any message stored but not processed."""
    from kefu.channels.services import polling

    polling.mailboxes_poll()
    polling.inbound_process_pending()


@db_task(retries=2, retry_delay=30)
def sms_deliver(sms_id: int) -> None:
    """Send one queued text message (a no-op if another worker has it or it is done)."""
    from kefu.channels.services import sms

    sms.sms_deliver(sms_id=sms_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("channels-sms-sweep")
def sms_sweep() -> None:
    """Retry due text messages and those abandoned by a worker that died mid-send."""
    from kefu.channels.services import sms

    sms.sms_send_due()
