"""A full round trip against real servers: dovecot (IMAP) and aiosmtpd (SMTP) on loopback."""

import pytest
from imap_tools import MailBoxUnencrypted

from kefu.channels import facade
from kefu.channels.models import InboundMessage, OutboundMessage
from kefu.channels.services import mailbox_poll, mailbox_save
from kefu.channels.tests.mails import raw_mail
from kefu.channels.tests.servers import dovecot_server, smtp_server
from kefu.service import services as desk_services
from kefu.service.models import Ticket, TicketEntry

pytestmark = pytest.mark.slow


@pytest.fixture
def imap():
    with dovecot_server() as server:
        yield server


@pytest.fixture
def smtp(settings):
    with smtp_server() as (port, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        yield handler


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


def _deliver(imap, raw: bytes) -> None:
    with MailBoxUnencrypted(imap.host, imap.port).login_utf8(imap.user, imap.password) as box:
        box.append(raw, "INBOX")


def _inbox_uids(imap) -> list[str]:
    with MailBoxUnencrypted(imap.host, imap.port).login_utf8(imap.user, imap.password) as box:
        return list(box.uids("ALL"))


def _ours(handler):
    return [r for r in handler.received if "kefu." in (r.message["Message-ID"] or "")]


def test_customer_mails_agent_replies_customer_replies_and_ticket_threads(
    imap, smtp, imap_mailbox, make_user, django_capture_on_commit_callbacks
):
    agent = make_user("agent", username="li.agent", first_name="李", last_name="娜")
    first = raw_mail(
        sender="=?gb2312?B?1cXOsA==?= <zhang.wei@example.cn>",
        subject="收银机无法开机",
        body="您好，门店的收银机今天早上无法开机。",
        charset="gb2312",
        message_id="first.1@example.cn",
    )
    _deliver(imap, first)
    with django_capture_on_commit_callbacks(execute=True):
        counts = mailbox_poll(mailbox=imap_mailbox)
    assert counts == {"fetched": 1, "new": 1, "quarantined": 0}
    assert _inbox_uids(imap) == []
    ticket = Ticket.objects.get()
    assert ticket.subject == "收银机无法开机"
    (ack,) = _ours(smtp)
    assert ack.rcpt_tos == ["zhang.wei@example.cn"]
    assert ack.message["Auto-Submitted"] == "auto-replied"
    assert ack.message["Precedence"] == "bulk"
    assert ack.message["In-Reply-To"] == "<first.1@example.cn>"
    assert ticket.number in ack.message["Subject"]
    assert "我们已收到您的请求" in ack.message["Subject"]

    with django_capture_on_commit_callbacks(execute=True):
        entry = desk_services.ticket_reply_add(
            actor=agent, ticket=ticket, body="请检查电源线是否插好。"
        )
        message_id = facade.ticket_reply_mail(entry_id=entry.pk, agent_name="李娜")
    reply = next(r for r in _ours(smtp) if r.message["Message-ID"] == f"<{message_id}>")
    assert message_id.endswith("@kefu.localhost")
    assert reply.message["In-Reply-To"] == "<first.1@example.cn>"
    assert "<first.1@example.cn>" in reply.message["References"]
    assert f"[{ticket.number}]" in reply.message["Subject"]
    assert "Auto-Submitted" not in reply.message
    assert "请检查电源线是否插好。" in reply.message.get_content()
    assert OutboundMessage.objects.get(message_id=message_id).state == "sent"

    _deliver(
        imap,
        raw_mail(
            sender="Zhang Wei <zhang.wei@example.cn>",
            subject="Re: 收银机无法开机",
            body="插好了，现在可以开机了，谢谢！\n\n> 请检查电源线是否插好。",
            in_reply_to=message_id,
            message_id="second.2@example.cn",
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = mailbox_poll(mailbox=imap_mailbox)
    assert counts["new"] == 1
    assert Ticket.objects.count() == 1
    last = TicketEntry.objects.filter(ticket=ticket, kind="reply").last()
    assert last.body == "插好了，现在可以开机了，谢谢！"
    assert last.author_contact_id == ticket.requester_id
    assert InboundMessage.objects.get(message_id="second.2@example.cn").kind == "follow_up"
    assert _inbox_uids(imap) == []


def test_message_refetched_after_crash_before_delete_makes_one_entry(
    imap, imap_mailbox, monkeypatch
):
    from kefu.channels.email import imap as imap_module

    _deliver(imap, raw_mail(message_id="crash.1@example.cn"))

    def crash(self, uid):
        raise ConnectionError("worker died before the server copy was removed")

    monkeypatch.setattr(imap_module.ImapSession, "delete", crash)
    with pytest.raises(ConnectionError):
        mailbox_poll(mailbox=imap_mailbox)
    assert InboundMessage.objects.get().state == "processed"
    monkeypatch.undo()
    counts = mailbox_poll(mailbox=imap_mailbox)
    assert counts == {"fetched": 1, "new": 0, "quarantined": 0}
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1
    assert InboundMessage.objects.get().copies_seen == 2
    assert _inbox_uids(imap) == []


def test_flag_mode_keeps_message_and_does_not_fetch_it_twice(imap, imap_mailbox):
    mailbox_save(actor=None, mailbox=imap_mailbox, after_fetch="flag")
    _deliver(imap, raw_mail(message_id="keep.1@example.cn"))
    assert mailbox_poll(mailbox=imap_mailbox)["new"] == 1
    assert mailbox_poll(mailbox=imap_mailbox)["fetched"] == 0
    assert len(_inbox_uids(imap)) == 1
    assert Ticket.objects.count() == 1


def test_wrong_password_is_recorded_on_the_mailbox(imap, imap_mailbox):
    mailbox_save(actor=None, mailbox=imap_mailbox, password="wrong")
    with pytest.raises(Exception):
        mailbox_poll(mailbox=imap_mailbox)
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_error
    assert InboundMessage.objects.count() == 0
