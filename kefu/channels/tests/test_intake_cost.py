"""What taking in a mail costs: the statements of a new ticket and of a follow-up, and the
search index written inside the processing transaction (not in a second one after it)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.channels.models import InboundMessage
from kefu.channels.tests.mails import raw_mail
from kefu.core.models import SearchDocument
from kefu.core.search import get_backend
from kefu.service.models import SlaClock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quiet_mailbox(desk, standard_sla):
    """A mailbox without acknowledgements, as in the benchmark (sending is the outbox's)."""
    from kefu.channels.services import mailbox_save

    return mailbox_save(
        actor=None,
        name="Quiet",
        from_address="quiet@kefu.localhost",
        queue_id=desk.pk,
        send_acknowledgement=False,
    )


@pytest.fixture
def standard_sla(db):
    """The Standard SLA policy and the China calendar, installed by the migration that
    installs them (an earlier transactional test's flush may have removed them): the tickets
    get their clocks."""
    import importlib

    from django.apps import apps

    from kefu.service.models import SlaPolicy

    if not SlaPolicy.objects.exists():
        importlib.import_module("kefu.service.migrations.0008_sla_defaults").install(apps, None)


def _ingest(mailbox, raw):
    from kefu.channels.services import mail_ingest

    return mail_ingest(raw=raw, mailbox=mailbox, source="api")


def _commits(queries) -> int:
    return sum(q["sql"].strip().upper() == "COMMIT" for q in queries)


def test_follow_up_is_two_transactions_and_indexed_in_the_second(quiet_mailbox):
    mailbox = quiet_mailbox
    first = _ingest(mailbox, raw_mail(message_id="cost.1@example.cn", subject="打印机坏了"))
    _ingest(mailbox, raw_mail(message_id="cost.warm@example.cn", subject="Warm up"))
    with CaptureQueriesContext(connection) as queries:
        row = _ingest(
            mailbox,
            raw_mail(
                message_id="cost.2@example.cn",
                in_reply_to="cost.1@example.cn",
                subject="Re: 打印机坏了",
                body="Still broken: paper jam in tray zebraword.",
            ),
        )
    assert row.kind == "follow_up" and row.ticket_id == first.ticket_id
    assert SlaClock.objects.filter(ticket_id=first.ticket_id).exists()
    # The stored raw message (its own transaction: kept whatever happens next), then the
    # parse, the threading look-up (one statement for our mails and theirs), the reply, its
    # SLA clocks, events and the ticket's search row together: 27 statements with BEGIN and
    # COMMIT (33 in three transactions before).
    assert len(queries) <= 27, "\n".join(q["sql"][:120] for q in queries)
    if connection.vendor == "sqlite":  # (PostgreSQL's COMMIT is not logged as a query)
        assert _commits(queries) == 2
    hits = get_backend().search("service.ticket", "zebraword")
    assert [h.object_id for h in hits] == [first.ticket_id]


def test_new_ticket_from_a_known_sender_statement_budget(quiet_mailbox):
    mailbox = quiet_mailbox
    _ingest(mailbox, raw_mail(message_id="known.1@example.cn"))
    with CaptureQueriesContext(connection) as queries:
        row = _ingest(mailbox, raw_mail(message_id="known.2@example.cn", subject="POS frozen"))
    assert row.kind == "new_ticket"
    # The stored raw message; then the ticket with its audit row, entries, SLA clocks (one
    # INSERT), timeline and search rows: 26 statements (31 before: the staff look-up, the
    # calendar's revision, a second stamp read, the timeline's organization look-up and an
    # INSERT are gone).
    assert len(queries) <= 26, "\n".join(q["sql"][:120] for q in queries)
    if connection.vendor == "sqlite":
        assert _commits(queries) == 2
    assert SearchDocument.objects.filter(kind="service.ticket", object_id=row.ticket_id).exists()
    assert InboundMessage.objects.filter(state="processed").count() == 2
