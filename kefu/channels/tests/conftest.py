import pytest


@pytest.fixture
def desk(db):
    """The service desk's default lifecycle, queue and priority matrix."""
    from kefu.service.defaults import install_defaults_live
    from kefu.service.models import Queue

    install_defaults_live()
    return Queue.objects.get(is_default=True)


@pytest.fixture
def mailbox(desk):
    from kefu.channels.services import mailbox_save

    return mailbox_save(
        actor=None,
        name="Support",
        from_address="support@kefu.localhost",
        from_name="Kefu 客服",
        queue_id=desk.pk,
        imap_host="",
        imap_security="plain",
        password="s3cret-imap",
    )


@pytest.fixture
def ingest(mailbox, django_capture_on_commit_callbacks):
    """``ingest(raw_bytes)`` -> the InboundMessage row after processing (pipe source).

    Callbacks registered on commit (the outbox sends) run as they would in production.
    """
    from kefu.channels.services import mail_ingest

    def run(raw: bytes, *, box=mailbox, uid: str = ""):
        with django_capture_on_commit_callbacks(execute=True):
            return mail_ingest(raw=raw, mailbox=box, uid=uid, source="pipe")

    return run
