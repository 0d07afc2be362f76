"""The desk's replies and notices leave by mail through the channel (real aiosmtpd and dovecot).

The desk never calls the channel: replies and resolutions reach it through the
``ticket_changed`` signal, and the desk's own requester job through the registered notifier.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from imap_tools import MailBoxUnencrypted

from kefu.channels import facade
from kefu.channels.models import InboundMessage, OutboundMessage
from kefu.channels.services import mail_template_save, mailbox_poll, mailbox_save
from kefu.channels.tests.mails import raw_mail
from kefu.channels.tests.servers import dovecot_server, smtp_server
from kefu.customers.models import Contact, ContactIdentity
from kefu.service import services as desk_services
from kefu.service.models import Ticket, TicketEntry

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp(settings):
    with smtp_server() as (port, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        yield handler


@pytest.fixture
def imap():
    with dovecot_server() as server:
        yield server


@pytest.fixture
def imap_mailbox(desk, imap):
    return mailbox_save(
        actor=None,
        name="Support IMAP",
        from_address="support@kefu.localhost",
        from_name="客服中心",
        queue_id=desk.pk,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="plain",
        imap_user=imap.user,
        password=imap.password,
    )


@pytest.fixture
def ticket(desk, make_user):
    return desk_ticket(make_user, email="li.na@example.cn")


def desk_ticket(make_user, *, email: str, language: str = "zh-hans", channel: str = "phone"):
    ticket = desk_services.ticket_create(
        actor=make_user("agent"),
        subject="空调漏水",
        description="三楼会议室空调漏水。",
        requester_email=email,
        channel=channel,
    )
    Contact.objects.filter(pk=ticket.requester_id).update(preferred_language=language)
    return ticket


def _deliver(imap, raw: bytes) -> None:
    with MailBoxUnencrypted(imap.host, imap.port).login_utf8(imap.user, imap.password) as box:
        box.append(raw, "INBOX")


def _poll(mailbox, capture):
    with capture(execute=True):
        return mailbox_poll(mailbox=mailbox)


def test_workspace_reply_is_mailed_once_and_the_answer_threads_into_the_ticket(
    imap, smtp, imap_mailbox, make_user, client, django_capture_on_commit_callbacks
):
    agent = make_user("admin", username="li.agent", first_name="娜", last_name="李")
    _deliver(
        imap,
        raw_mail(
            sender="Zhang Wei <zhang.wei@example.cn>",
            subject="收银机无法开机",
            body="您好，门店的收银机今天早上无法开机。",
            message_id="first.1@example.cn",
        ),
    )
    assert _poll(imap_mailbox, django_capture_on_commit_callbacks)["new"] == 1
    ticket = Ticket.objects.get()
    smtp.received.clear()  # the acknowledgement (tested in test_roundtrip)

    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/service/tickets/{ticket.pk}/entries/",
            {
                "kind": "reply",
                "body": "请检查电源线是否插好。",
                "attachment": SimpleUploadedFile("接线图.pdf", b"%PDF-1.4 wiring"),
            },
        )
    assert response.status_code in (200, 302), response.content
    (reply,) = smtp.received  # one mail: not also the desk's plain notice
    message = reply.message
    row = OutboundMessage.objects.get(kind="reply")
    assert row.state == "sent" and row.ticket_id == ticket.pk
    assert message["Message-ID"] == f"<{row.message_id}>"
    assert row.message_id.endswith("@kefu.localhost")
    assert message["In-Reply-To"] == "<first.1@example.cn>"
    assert "<first.1@example.cn>" in message["References"]
    assert f"[{ticket.number}]" in message["Subject"]
    assert "Auto-Submitted" not in message and "Precedence" not in message
    assert reply.rcpt_tos == ["zhang.wei@example.cn"]
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "请检查电源线是否插好。" in text.get_content() and "李娜" in text.get_content()
    assert [p.get_filename() for p in message.iter_attachments()] == ["接线图.pdf"]
    # Asking again for the same entry's mail queues nothing new.
    assert facade.ticket_reply_mail(entry_id=row.entry_id) == row.message_id

    _deliver(
        imap,
        raw_mail(
            sender="Zhang Wei <zhang.wei@example.cn>",
            subject="Re: 收银机无法开机",
            body="插好了，现在可以开机了，谢谢！\n\n> 请检查电源线是否插好。",
            in_reply_to=row.message_id,
            message_id="second.2@example.cn",
        ),
    )
    assert _poll(imap_mailbox, django_capture_on_commit_callbacks)["new"] == 1
    assert Ticket.objects.count() == 1
    last = TicketEntry.objects.filter(ticket=ticket, kind="reply").last()
    assert last.body == "插好了，现在可以开机了，谢谢！"
    assert last.author_contact_id == ticket.requester_id
    assert InboundMessage.objects.get(message_id="second.2@example.cn").kind == "follow_up"
    assert len(smtp.received) == 1  # the customer's reply is not mailed back to them


def test_api_reply_is_mailed_with_the_ticket_reference(
    smtp, ticket, make_user, api, django_capture_on_commit_callbacks
):
    agent = make_user("admin", username="api.agent")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(agent).post(
            f"/api/v1/tickets/{ticket.pk}/replies",
            {"body": "We sent a technician."},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    (reply,) = smtp.received
    assert reply.rcpt_tos == ["li.na@example.cn"]
    assert reply.message["Subject"] == f"[{ticket.number}] 回复：空调漏水"
    assert reply.message["Message-ID"].endswith("@kefu.localhost>")
    entry_id = response.json()["id"]
    assert OutboundMessage.objects.get(entry_id=entry_id).state == "sent"


def test_notes_customer_replies_and_rolled_back_replies_are_not_mailed(
    smtp, ticket, make_user, django_capture_on_commit_callbacks
):
    agent = make_user("admin")
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.ticket_note_add(actor=agent, ticket=ticket, body="内部备注")
        desk_services.ticket_reply_add(
            actor=None, ticket=ticket, body="客户补充", author_contact_id=ticket.requester_id
        )
    with pytest.raises(RuntimeError), transaction.atomic():
        desk_services.ticket_reply_add(actor=agent, ticket=ticket, body="撤回的回复")
        raise RuntimeError
    assert OutboundMessage.objects.count() == 0 and smtp.received == []


def test_resolution_is_one_automatic_notice_in_the_requesters_language(
    smtp, desk, make_user, django_capture_on_commit_callbacks
):
    agent = make_user("admin")
    chinese = desk_ticket(make_user, email="wang@example.cn")
    english = desk_ticket(make_user, email="ann@example.com", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        for ticket in (chinese, english):
            desk_services.ticket_transition(
                actor=agent, ticket=ticket, status_key="resolved", resolution_code="fixed"
            )
    # (The satisfaction survey, another notice, may go along: only the resolution counts here.)
    resolved = {
        r.rcpt_tos[0]: r.message
        for r in smtp.received
        if "已解决" in r.message["Subject"] or "resolved" in r.message["Subject"]
    }
    assert sorted(resolved) == ["ann@example.com", "wang@example.cn"]
    zh, en = resolved["wang@example.cn"], resolved["ann@example.com"]
    assert zh["Subject"].strip() == f"[{chinese.number}] 您的请求已解决：空调漏水"
    assert en["Subject"].strip() == f"[{english.number}] Your request was resolved: 空调漏水"
    for message in (zh, en):
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Precedence"] == "bulk"
    subjects = [r.message["Subject"] for r in smtp.received]
    assert len([s for s in subjects if "已解决" in s or "resolved" in s]) == 2


def test_administrators_wording_is_used_and_cannot_reach_anything_else(
    smtp, ticket, make_user, django_capture_on_commit_callbacks
):
    mail_template_save(
        actor=None,
        key="resolved",
        language="zh-hans",
        subject="已解决 $ticket_number ${settings} {{ request }}",
        body="$contact_name：$ticket_subject 已解决。$__class__",
    )
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.ticket_transition(
            actor=make_user("admin"), ticket=ticket, status_key="resolved", resolution_code="fixed"
        )
    (sent,) = [r for r in smtp.received if "已解决" in r.message["Subject"]]
    assert (
        sent.message["Subject"].strip() == f"已解决 {ticket.number} ${{settings}} {{{{ request }}}}"
    )
    assert "空调漏水 已解决。$__class__" in sent.message.get_content()


def test_ticket_opened_in_the_portal_or_api_is_acknowledged(
    smtp, desk, make_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal = desk_ticket(make_user, email="zhao@example.cn", channel="portal")
        desk_ticket(make_user, email="qian@example.cn", channel="phone")
    (ack,) = smtp.received
    assert ack.rcpt_tos == ["zhao@example.cn"]
    assert ack.message["Subject"].strip() == f"[{portal.number}] 我们已收到您的请求：空调漏水"
    assert ack.message["Auto-Submitted"] == "auto-generated"
    assert ack.message["Precedence"] == "bulk"


def test_undeliverable_requester_gets_nothing_and_the_ticket_says_so(
    smtp, ticket, make_user, django_capture_on_commit_callbacks
):
    ContactIdentity.objects.filter(contact_id=ticket.requester_id).update(is_undeliverable=True)
    with django_capture_on_commit_callbacks(execute=True):
        entry = desk_services.ticket_reply_add(
            actor=make_user("admin"), ticket=ticket, body="已处理"
        )
    assert smtp.received == [] and OutboundMessage.objects.count() == 0
    event = TicketEntry.objects.get(ticket=ticket, data__event="mail_not_sent")
    assert "li.na@example.cn" in event.body
    assert facade.ticket_reply_mail(entry_id=entry.pk) is None


def test_permanent_smtp_failure_of_a_reply_is_recorded_on_the_ticket(
    smtp, ticket, make_user, django_capture_on_commit_callbacks
):
    smtp.rcpt_reply = "550 5.1.1 mailbox unavailable"
    with django_capture_on_commit_callbacks(execute=True):
        desk_services.ticket_reply_add(actor=make_user("admin"), ticket=ticket, body="已处理")
    assert OutboundMessage.objects.get().state == "failed"
    event = TicketEntry.objects.get(ticket=ticket, data__event="mail_failed")
    assert "li.na@example.cn" in event.body and "550" in event.body


def test_agent_answering_by_mail_is_forwarded_unless_the_customer_was_copied(
    smtp, mailbox, make_user, django_capture_on_commit_callbacks
):
    from kefu.channels.services import mail_ingest

    make_user("agent", email="wu.agent@kefu.localhost")
    ticket = desk_ticket(make_user, email="li.na@example.cn")
    for number, cc in ((1, None), (2, "li.na@example.cn")):
        with django_capture_on_commit_callbacks(execute=True):
            mail_ingest(
                raw=raw_mail(
                    sender="Wu <wu.agent@kefu.localhost>",
                    subject=f"Re: [{ticket.number}] 空调漏水",
                    body=f"第{number}次答复",
                    cc=cc,
                ),
                mailbox=mailbox,
                source="pipe",
            )
    (forwarded,) = smtp.received
    assert forwarded.rcpt_tos == ["li.na@example.cn"]
    assert "第1次答复" in forwarded.message.get_content()
    answers = TicketEntry.objects.filter(ticket=ticket, kind="reply", body__endswith="次答复")
    assert answers.filter(author__isnull=False).count() == 2
