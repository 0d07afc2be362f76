"""The loop matrix (RFC 3834): mail from robots never gets an automatic reply; bounces."""

import pytest
from django.core import mail

from kefu.channels.models import InboundMessage, OutboundMessage
from kefu.channels.tests.mails import raw_mail
from kefu.customers.models import ContactIdentity
from kefu.customers.tests.factories import ContactFactory
from kefu.service.models import Ticket, TicketEntry

ROBOT_HEADERS = [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"Auto-Submitted": "auto-notified; owner-email=x@example.cn"},
    {"Precedence": "bulk"},
    {"Precedence": "list"},
    {"Precedence": "junk"},
    {"X-Auto-Response-Suppress": "OOF, AutoReply"},
    {"List-Id": "<users.lists.example.cn>"},
    {"List-Unsubscribe": "<mailto:leave@lists.example.cn>"},
    {"Return-Path": "<>"},
    {"X-Autoreply": "yes"},
]


@pytest.mark.parametrize("header", ROBOT_HEADERS, ids=lambda h: next(iter(h)))
def test_robot_mail_makes_ticket_but_gets_no_automatic_reply(ingest, header):
    row = ingest(raw_mail(headers=header))
    assert row.kind == "new_ticket" and Ticket.objects.count() == 1
    assert row.robot_reasons
    assert OutboundMessage.objects.count() == 0
    assert mail.outbox == []


def test_auto_submitted_no_is_a_person(ingest):
    row = ingest(raw_mail(headers={"Auto-Submitted": "no"}))
    assert row.robot_reasons == []
    assert OutboundMessage.objects.filter(kind="acknowledgement").count() == 1


def test_our_own_message_id_coming_back_is_a_loop(ingest):
    row = ingest(raw_mail(message_id="kefu.00ff@kefu.localhost"))
    assert row.kind == "loop" and row.ticket_id is None
    assert Ticket.objects.count() == 0 and OutboundMessage.objects.count() == 0


def test_mail_from_our_own_address_is_a_loop(ingest):
    row = ingest(raw_mail(sender="Kefu <support@kefu.localhost>"))
    assert row.kind == "loop" and Ticket.objects.count() == 0


def test_two_helpdesks_answering_each_other_stop_after_the_daily_limit(ingest):
    # The other side's auto-replies lack every robot header (a badly configured system).
    for n in range(10):
        ingest(raw_mail(sender="helpdesk@other.example", message_id=f"pingpong-{n}@other.example"))
    assert OutboundMessage.objects.filter(kind="acknowledgement").count() == 3


def _dsn(recipient: str, status: str, original_id: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.cn>\r\n"
        "To: support@kefu.localhost\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.cn>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.cn\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: {status}\r\n\r\n"
        "--B\r\nContent-Type: message/rfc822\r\n\r\n"
        f"From: support@kefu.localhost\r\nTo: {recipient}\r\nMessage-ID: <{original_id}>\r\n"
        "Subject: x\r\n\r\nbody\r\n--B--\r\n"
    ).encode()


def test_hard_bounce_marks_address_undeliverable_and_notes_ticket(ingest):
    first = ingest(raw_mail(sender="gone@example.cn"))
    ack = OutboundMessage.objects.get(ticket_id=first.ticket_id)
    mail.outbox.clear()
    row = ingest(_dsn("gone@example.cn", "5.1.1", ack.message_id))
    assert row.kind == "bounce" and row.ticket_id == first.ticket_id
    assert ContactIdentity.objects.get(normalized="gone@example.cn").is_undeliverable
    event = TicketEntry.objects.filter(ticket_id=first.ticket_id, kind="event").last()
    assert "gone@example.cn" in event.body and event.data["status"] == "5.1.1"
    assert Ticket.objects.count() == 1 and mail.outbox == []


def test_delayed_report_changes_nothing(ingest):
    ContactFactory()
    row = ingest(
        _dsn("slow@example.cn", "4.4.7", "kefu.1@kefu.localhost").replace(
            b"Action: failed", b"Action: delayed"
        )
    )
    assert row.kind == "bounce" and row.ticket_id is None
    assert not ContactIdentity.objects.filter(is_undeliverable=True).exists()


def test_every_robot_case_of_the_corpus_gets_no_acknowledgement(ingest):
    import json
    from pathlib import Path

    corpus = Path(__file__).resolve().parent / "corpus"
    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    robots = [name for name, expect in expected.items() if expect.get("robot")]
    for name in robots:
        ingest((corpus / f"{name}.eml").read_bytes())
    assert InboundMessage.objects.filter(state="processed").count() == len(robots)
    assert OutboundMessage.objects.count() == 0
