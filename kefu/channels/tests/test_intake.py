from django.core import mail

from kefu.channels.models import AutoReplyLog, InboundMessage, OutboundMessage
from kefu.channels.tests.mails import raw_mail
from kefu.customers import facade as customers
from kefu.service.models import Ticket, TicketEntry, TicketLink


def test_new_sender_mail_creates_contact_ticket_and_acknowledgement(ingest):
    row = ingest(
        raw_mail(
            sender="=?gb2312?B?1cXOsA==?= <zhang.wei@example.cn>",
            subject="打印机坏了",
            body="你好，门店的打印机坏了。",
            charset="gb2312",
        )
    )
    assert row.state == "processed" and row.kind == "new_ticket"
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert ticket.subject == "打印机坏了"
    assert ticket.channel == "email"
    contact = customers.contact_get_summary(ticket.requester_id)
    assert contact["name"] == "张伟"
    assert contact["email"] == "zhang.wei@example.cn"
    assert TicketEntry.objects.get(pk=row.entry_id).body == "你好，门店的打印机坏了。"
    ack = OutboundMessage.objects.get(ticket_id=ticket.pk, kind="acknowledgement")
    assert ack.headers["Auto-Submitted"] == "auto-replied"
    assert ack.headers["Precedence"] == "bulk"
    assert ticket.number in ack.subject
    assert ack.state == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{ack.message_id}>"


def test_same_message_twice_makes_one_entry(ingest):
    raw = raw_mail(message_id="dup-1@example.cn")
    first = ingest(raw)
    second = ingest(raw)
    assert first.pk == second.pk
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get().copies_seen == 2


def test_same_message_id_with_other_bytes_is_one_entry(ingest):
    ingest(raw_mail(message_id="dup-2@example.cn", body="first copy"))
    ingest(raw_mail(message_id="dup-2@example.cn", body="second copy, re-encoded"))
    assert InboundMessage.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_reply_with_ticket_reference_threads_into_ticket(ingest):
    first = ingest(raw_mail(message_id="orig-1@example.cn"))
    ticket = Ticket.objects.get(pk=first.ticket_id)
    reply = ingest(
        raw_mail(
            subject=f"Re: [{ticket.number}] Printer offline",
            body="It works again.\n\nOn Mon, Zhang Wei wrote:\n> old text",
        )
    )
    assert reply.kind == "follow_up" and reply.ticket_id == ticket.pk
    entry = TicketEntry.objects.get(pk=reply.entry_id)
    assert entry.body == "It works again."
    assert entry.author_contact_id == ticket.requester_id
    assert Ticket.objects.count() == 1


def test_reply_by_in_reply_to_our_acknowledgement_threads(ingest):
    first = ingest(raw_mail())
    ack = OutboundMessage.objects.get(ticket_id=first.ticket_id)
    reply = ingest(raw_mail(subject="Re: hello", in_reply_to=ack.message_id, body="More details"))
    assert reply.kind == "follow_up" and reply.ticket_id == first.ticket_id


def test_references_prefer_our_newest_mail_then_the_newest_mail_taken_in(ingest):
    first = ingest(raw_mail(message_id="thread.a@example.cn", subject="A"))
    second = ingest(raw_mail(message_id="thread.b@example.cn", subject="B"))
    third = ingest(raw_mail(message_id="thread.c@example.cn", subject="C"))
    ack_of_second = OutboundMessage.objects.get(ticket_id=second.ticket_id).message_id
    both = "<thread.a@example.cn> <thread.c@example.cn> <" + ack_of_second + ">"
    reply = ingest(raw_mail(subject="Re: all", headers={"References": both}))
    assert reply.ticket_id == second.ticket_id  # our own mail names its ticket best
    theirs = "<thread.a@example.cn> <thread.c@example.cn>"
    reply = ingest(raw_mail(subject="Re: two", headers={"References": theirs}))
    assert reply.ticket_id == third.ticket_id != first.ticket_id  # the newest of theirs


def test_forged_follow_up_from_stranger_becomes_linked_ticket_without_echo(ingest):
    victim = ingest(raw_mail(subject="Salary data", body="confidential"))
    ticket = Ticket.objects.get(pk=victim.ticket_id)
    mail.outbox.clear()
    forged = ingest(
        raw_mail(
            sender="Mallory <mallory@evil.example>",
            subject=f"Re: [{ticket.number}] anything",
            in_reply_to=victim.message_id,
            body="send me the file",
        )
    )
    assert forged.kind == "linked_ticket"
    assert forged.ticket_id != ticket.pk
    assert not TicketEntry.objects.filter(ticket=ticket, body__contains="send me").exists()
    assert TicketLink.objects.filter(from_ticket_id=forged.ticket_id, to_ticket=ticket).exists()
    (ack,) = mail.outbox
    assert ack.to == ["Mallory <mallory@evil.example>"]
    assert ticket.number not in ack.subject + ack.body
    assert "Salary" not in ack.subject + ack.body
    assert "confidential" not in ack.body


def test_cc_recipient_of_first_mail_may_follow_up(ingest):
    first = ingest(raw_mail(cc="Li Na <li.na@example.cn>"))
    ticket = Ticket.objects.get(pk=first.ticket_id)
    reply = ingest(
        raw_mail(sender="Li Na <li.na@example.cn>", subject=f"[{ticket.number}] also broken")
    )
    assert reply.kind == "follow_up" and reply.ticket_id == ticket.pk


def test_forged_internal_header_is_ignored(ingest):
    victim = ingest(raw_mail())
    forged = ingest(
        raw_mail(
            sender="mallory@evil.example",
            headers={"X-Kefu-Ticket": str(victim.ticket_id), "X-Kefu-Entry": "1"},
        )
    )
    assert forged.kind == "new_ticket" and forged.ticket_id != victim.ticket_id
    assert "x-kefu-ticket" not in forged.text_body


def test_auto_replies_limited_per_sender_per_day(ingest):
    for n in range(5):
        ingest(raw_mail(subject=f"Question {n}", message_id=f"limit-{n}@example.cn"))
    assert Ticket.objects.count() == 5
    assert AutoReplyLog.objects.filter(address="zhang.wei@example.cn").count() == 3
    assert OutboundMessage.objects.filter(kind="acknowledgement").count() == 3


def test_unparseable_message_is_quarantined_raw(ingest):
    raw = b"Subject: no sender here\r\n\r\nbody\r\n"
    row = ingest(raw)
    assert row.state == "quarantined"
    assert row.error.startswith("no_sender")
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == raw
    assert Ticket.objects.count() == 0


def test_reprocess_after_fix_turns_quarantine_into_ticket(ingest, admin_user, monkeypatch):
    from kefu.channels.services import inbound_reprocess, intake

    original = intake._process

    def broken(row, raw):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake, "_process", broken)
    row = ingest(raw_mail())
    assert row.state == "quarantined" and "database hiccup" in row.error
    assert Ticket.objects.count() == 0
    monkeypatch.setattr(intake, "_process", original)
    row = inbound_reprocess(actor=admin_user, inbound=row)
    assert row.state == "processed" and Ticket.objects.count() == 1
