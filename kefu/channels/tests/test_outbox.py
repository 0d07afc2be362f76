"""The outbox against a real SMTP server (aiosmtpd): once, retries, permanent failures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.channels.models import OutboundMessage
from kefu.channels.services import outbound
from kefu.channels.tests.servers import smtp_server
from kefu.service.models import TicketEntry

pytestmark = pytest.mark.slow


@pytest.fixture
def smtp(settings):
    with smtp_server() as (port, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        yield handler


@pytest.fixture
def queued(desk, make_user):
    """An outbox row for a ticket, left queued (nothing sends it on commit in a test)."""
    from kefu.service.services import ticket_create

    ticket = ticket_create(
        actor=make_user("agent"), subject="空调漏水", requester_email="li@example.cn"
    )
    row = outbound.outbound_enqueue(
        kind="notification",
        to=["li@example.cn"],
        subject="通知",
        body="您的工单已更新。",
        ticket_id=ticket.pk,
    )
    return row


def test_queued_mail_is_sent_once_with_automatic_headers(smtp, queued):
    assert outbound.outbox_send(outbound_id=queued.pk) == "sent"
    assert outbound.outbox_send(outbound_id=queued.pk) is None
    assert outbound.outbox_send_due() == 0
    (received,) = smtp.received
    message = received.message
    assert message["Message-ID"] == f"<{queued.message_id}>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Precedence"] == "bulk"
    assert message["Subject"] == "通知"
    assert OutboundMessage.objects.get().state == "sent"


def test_temporary_failure_is_retried_with_backoff(smtp, queued):
    smtp.rcpt_reply = "451 4.3.0 try again later"
    assert outbound.outbox_send(outbound_id=queued.pk) == "queued"
    row = OutboundMessage.objects.get()
    assert row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert outbound.outbox_send_due() == 0
    smtp.rcpt_reply = None
    OutboundMessage.objects.update(next_attempt_at=timezone.now())
    assert outbound.outbox_send_due() == 1
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 2 and len(smtp.received) == 1


def test_permanent_failure_is_recorded_on_the_ticket(smtp, queued):
    smtp.rcpt_reply = "550 5.1.1 no such user"
    assert outbound.outbox_send(outbound_id=queued.pk) == "failed"
    row = OutboundMessage.objects.get()
    assert row.state == "failed" and "550" in row.last_error
    event = TicketEntry.objects.filter(ticket_id=row.ticket_id, kind="event").last()
    assert event.data["event"] == "mail_failed" and "li@example.cn" in event.body
    assert smtp.received == []


def test_unreachable_server_is_a_temporary_failure(settings, queued):
    from kefu.channels.tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    assert outbound.outbox_send(outbound_id=queued.pk) == "queued"
    assert OutboundMessage.objects.get().state == "queued"


def test_a_claimed_row_cannot_be_claimed_again_until_its_lease_expires(queued):
    token = outbound.outbox_claim(outbound_id=queued.pk)
    assert token is not None
    assert outbound.outbox_claim(outbound_id=queued.pk) is None
    OutboundMessage.objects.update(claimed_at=timezone.now() - timedelta(hours=1))
    assert outbound.outbox_claim(outbound_id=queued.pk) not in (None, token)


def test_worker_dying_mid_send_is_resent_with_the_same_message_id(smtp, queued):
    # The first worker claimed the row and died (no state change after the claim).
    assert outbound.outbox_claim(outbound_id=queued.pk)
    assert outbound.outbox_send_due() == 0
    OutboundMessage.objects.update(claimed_at=timezone.now() - timedelta(hours=1))
    assert outbound.outbox_send_due() == 1
    (received,) = smtp.received
    assert received.message["Message-ID"] == f"<{queued.message_id}>"
    assert OutboundMessage.objects.get().attempts == 2
