import io
import sys

import pytest
from django.core.management import CommandError, call_command

from kefu.channels.models import InboundMessage
from kefu.channels.tests.mails import raw_mail
from kefu.service.models import Ticket


def _stdin(monkeypatch, data: bytes):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_mail_ingest_reads_one_message_from_stdin(monkeypatch, mailbox):
    _stdin(monkeypatch, raw_mail(subject="管道投递"))
    out = io.StringIO()
    call_command("mail_ingest", "--mailbox", "Support", stdout=out)
    row = InboundMessage.objects.get()
    assert row.source == "pipe" and row.state == "processed"
    assert Ticket.objects.get().subject == "管道投递"
    assert f"{row.pk} processed new_ticket" in out.getvalue()


def test_mail_ingest_unknown_mailbox_stores_nothing(monkeypatch, mailbox):
    _stdin(monkeypatch, raw_mail())
    with pytest.raises(CommandError):
        call_command("mail_ingest", "--mailbox", "nope")
    assert InboundMessage.objects.count() == 0


def test_mail_ingest_quarantines_garbage_but_keeps_it(monkeypatch, mailbox):
    _stdin(monkeypatch, b"\x00\x01 not mail at all")
    err = io.StringIO()
    call_command("mail_ingest", stderr=err)
    assert InboundMessage.objects.get().state == "quarantined"
    assert "quarantined" in err.getvalue()
