import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.customers.tests.factories import ContactFactory, IdentityFactory
from kefu.service.constants import ATTACHMENT_MAX_BYTES
from kefu.service.models import CannedResponse, TicketAttachment, TicketEntry
from kefu.service.selectors import ticket_conversation
from kefu.service.services import (
    canned_response_render,
    ticket_attachment_add,
    ticket_note_add,
    ticket_reply_add,
)


def test_internal_note_is_never_shown_or_mailed_to_customer(
    make_ticket, admin_user, django_capture_on_commit_callbacks
):
    identity = IdentityFactory(value="kehu@example.cn")
    ticket = make_ticket(requester_id=identity.contact_id)
    with django_capture_on_commit_callbacks(execute=True):
        note = ticket_note_add(actor=admin_user, ticket=ticket, body="客户很生气，注意语气")
    assert mail.outbox == []
    public = ticket_conversation(ticket, include_internal=False)
    assert note.pk not in [e.pk for e in public]
    assert all(e.kind == "reply" for e in public)


def test_mention_in_note_mails_the_mentioned_agent(
    make_ticket, make_agent, admin_user, django_capture_on_commit_callbacks
):
    colleague = make_agent(username="li.lei", email="lilei@kefu.example")
    ticket = make_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_note_add(actor=admin_user, ticket=ticket, body="@li.lei 请看一下")
    assert [m.to for m in mail.outbox] == [["lilei@kefu.example"]]
    assert TicketEntry.objects.get(ticket=ticket, kind="note").data["mentions"] == [colleague.pk]


def test_portal_user_cannot_write_notes(make_ticket, make_user):
    portal = make_user(None)
    with pytest.raises(ValidationError):
        ticket_note_add(actor=portal, ticket=make_ticket(), body="x")


def test_reply_records_time_spent(make_ticket, admin_user):
    entry = ticket_reply_add(
        actor=admin_user, ticket=make_ticket(), body="好的", time_spent_minutes=15
    )
    assert TicketEntry.objects.get(pk=entry.pk).time_spent_minutes == 15


def test_empty_reply_is_refused(make_ticket, admin_user):
    ticket = make_ticket()
    count = TicketEntry.objects.count()
    with pytest.raises(ValidationError):
        ticket_reply_add(actor=admin_user, ticket=ticket, body="   ")
    assert TicketEntry.objects.count() == count


def test_attachment_is_stored_under_unguessable_token(make_ticket, admin_user):
    upload = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    attachment = ticket_attachment_add(actor=admin_user, ticket=make_ticket(), upload=upload)
    assert attachment.filename == "发票.pdf"
    assert attachment.content_type == "application/pdf"
    assert len(attachment.token) >= 32
    assert attachment.token in attachment.file.name
    assert "发票" not in attachment.file.name


def test_oversize_and_executable_attachments_are_refused(make_ticket, admin_user):
    ticket = make_ticket()
    big = SimpleUploadedFile("big.bin", b"x")
    big.size = ATTACHMENT_MAX_BYTES + 1
    with pytest.raises(ValidationError) as caught:
        ticket_attachment_add(actor=admin_user, ticket=ticket, upload=big)
    assert "file" in caught.value.message_dict
    with pytest.raises(ValidationError):
        ticket_attachment_add(
            actor=admin_user, ticket=ticket, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
    assert TicketAttachment.objects.count() == 0


def test_reply_with_bad_attachment_saves_nothing(make_ticket, admin_user):
    ticket = make_ticket()
    count = TicketEntry.objects.count()
    with pytest.raises(ValidationError):
        ticket_reply_add(
            actor=admin_user,
            ticket=ticket,
            body="见附件",
            attachments=[SimpleUploadedFile("x.sh", b"#!/bin/sh")],
        )
    assert TicketEntry.objects.count() == count


def test_canned_response_fills_placeholders_in_requester_language(make_ticket, admin_user):
    contact = ContactFactory(name="王芳", preferred_language="zh-hans")
    ticket = make_ticket(requester_id=contact.pk)
    canned = CannedResponse.objects.create(
        title="ack",
        body="Dear {contact_name}, ticket {ticket_number} received. {unknown}",
        body_zh_hans="{contact_name}您好，工单 {ticket_number} 已收到。",
    )
    text = canned_response_render(canned=canned, ticket=ticket, agent=admin_user)
    assert text == f"王芳您好，工单 {ticket.number} 已收到。"
    ticket.language = "en"
    text = canned_response_render(canned=canned, ticket=ticket)
    assert text == f"Dear 王芳, ticket {ticket.number} received. {{unknown}}"
