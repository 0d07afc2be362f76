from django.urls import reverse

from kefu.channels.models import InboundMessage, Mailbox
from kefu.channels.tests.mails import raw_mail
from kefu.service.models import Ticket


def _post_raw(client, raw: bytes, mailbox_id=None):
    url = "/api/v1/mail/inbound" + (f"?mailbox_id={mailbox_id}" if mailbox_id else "")
    return client.post(url, data=raw, content_type="message/rfc822")


def test_api_accepts_raw_mail_and_creates_ticket(api, admin_user, mailbox):
    response = _post_raw(api(admin_user), raw_mail(subject="API 测试"), mailbox.pk)
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "processed" and body["kind"] == "new_ticket"
    assert Ticket.objects.get(pk=body["ticket_id"]).subject == "API 测试"


def test_api_same_mail_twice_answers_200_with_first_result(api, admin_user, mailbox):
    raw = raw_mail(message_id="api-dup@example.cn")
    first = _post_raw(api(admin_user), raw, mailbox.pk).json()
    second = _post_raw(api(admin_user), raw, mailbox.pk)
    assert second.status_code == 200 and second.json()["id"] == first["id"]
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


def test_api_agent_cannot_post_raw_mail(api, agent, mailbox):
    response = _post_raw(api(agent), raw_mail(), mailbox.pk)
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0 and Ticket.objects.count() == 0


def test_api_anonymous_cannot_post_raw_mail(client, mailbox):
    response = _post_raw(client, raw_mail(), mailbox.pk)
    assert response.status_code == 401
    assert InboundMessage.objects.count() == 0


def test_api_quarantine_list_download_and_reprocess(api, admin_user, mailbox):
    raw = b"Subject: broken\r\n\r\nno sender\r\n"
    row = _post_raw(api(admin_user), raw, mailbox.pk).json()
    assert row["state"] == "quarantined"
    listing = api(admin_user).get("/api/v1/mail/inbound?state=quarantined").json()
    assert [item["id"] for item in listing["items"]] == [row["id"]]
    download = api(admin_user).get(f"/api/v1/mail/inbound/{row['id']}/raw")
    assert download.status_code == 200 and download.content == raw
    again = api(admin_user).post(f"/api/v1/mail/inbound/{row['id']}/reprocess")
    assert again.status_code == 200 and again.json()["state"] == "quarantined"


def test_api_agent_cannot_download_quarantined_mail(api, agent, ingest):
    row = ingest(b"Subject: broken\r\n\r\nsecret\r\n")
    response = api(agent).get(f"/api/v1/mail/inbound/{row.pk}/raw")
    assert response.status_code == 403


def test_mailbox_page_never_shows_password(client, admin_user, mailbox):
    client.force_login(admin_user)
    response = client.get(reverse("channels:mailbox_edit", args=[mailbox.pk]))
    assert response.status_code == 200
    assert b"s3cret-imap" not in response.content
    assert "s3cret-imap" not in Mailbox.objects.get().password_encrypted


def test_mailbox_edit_keeps_password_when_left_empty(client, admin_user, mailbox, desk):
    from kefu.channels.crypto import secret_decrypt

    client.force_login(admin_user)
    response = client.post(
        reverse("channels:mailbox_edit", args=[mailbox.pk]),
        {
            "name": "Support CN",
            "from_address": "support@kefu.localhost",
            "queue_id": desk.pk,
            "imap_port": 993,
            "imap_security": "ssl",
            "imap_folder": "INBOX",
            "after_fetch": "delete",
            "password": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Support CN"
    assert secret_decrypt(mailbox.password_encrypted) == "s3cret-imap"


def test_agent_cannot_open_mailbox_settings(client, agent, mailbox):
    client.force_login(agent)
    response = client.get(reverse("channels:mailbox_edit", args=[mailbox.pk]))
    assert response.status_code == 403


def test_quarantine_pages_and_reprocess_button(client, admin_user, ingest):
    row = ingest(b"Subject: broken\r\n\r\nno sender\r\n")
    client.force_login(admin_user)
    listing = client.get(reverse("channels:inbound_list") + "?state=quarantined")
    assert listing.status_code == 200 and b"no_sender" in listing.content
    detail = client.get(reverse("channels:inbound_detail", args=[row.pk]))
    assert detail.status_code == 200 and b"reprocess" in detail.content
    raw = client.get(reverse("channels:inbound_raw", args=[row.pk]))
    assert raw.content == b"Subject: broken\r\n\r\nno sender\r\n"
    again = client.post(reverse("channels:inbound_reprocess", args=[row.pk]))
    assert again.status_code == 302


def test_html_body_served_sandboxed(client, admin_user, ingest):
    raw = (
        b"From: a@example.cn\r\nTo: support@kefu.localhost\r\nSubject: html\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p onclick='x()'>Hello<script>alert(1)</script></p>"
    )
    row = ingest(raw)
    client.force_login(admin_user)
    response = client.get(reverse("channels:inbound_html", args=[row.pk]))
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"script" not in response.content and b"onclick" not in response.content


def test_template_edit_saves_admin_wording(client, admin_user, db):
    from kefu.channels.models import MailTemplate

    client.force_login(admin_user)
    url = reverse("channels:template_edit", args=["acknowledgement", "zh-hans"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"subject": "已收到 $ticket_number", "body": "您好 $contact_name"})
    assert response.status_code == 302
    assert MailTemplate.objects.get(key="acknowledgement", language="zh-hans").subject == (
        "已收到 $ticket_number"
    )


def test_sms_template_has_no_subject_and_refuses_an_empty_text(client, admin_user, db):
    from kefu.channels.models import MailTemplate

    client.force_login(admin_user)
    url = reverse("channels:template_edit", args=["sms", "en"])
    page = client.get(url)
    assert page.status_code == 200 and b'name="subject"' not in page.content
    assert b"Kefu: $ticket_number $body" in page.content
    refused = client.post(url, {"body": "  "})
    assert refused.status_code == 200 and refused.context["form"].errors["body"]
    assert not MailTemplate.objects.exists()
    assert client.post(url, {"body": "Kefu $body"}).status_code == 302
    row = MailTemplate.objects.get(key="sms", language="en")
    assert row.subject == "" and row.body == "Kefu $body"
    listing = client.get(reverse("channels:template_list"))
    assert b"Kefu $body" in listing.content


def test_template_pages_are_for_administrators_only(client, make_user, db):
    client.force_login(make_user("agent"))
    url = reverse("channels:template_edit", args=["resolved", "zh-hans"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"subject": "x", "body": "y"}).status_code == 403


def test_sms_gateway_page_saves_secret_encrypted_and_never_shows_it(client, admin_user):
    from kefu.channels.crypto import secret_decrypt
    from kefu.channels.models import SmsGateway

    client.force_login(admin_user)
    response = client.post(
        reverse("channels:sms_gateway_create"),
        {
            "name": "网关",
            "kind": "http",
            "url": "https://sms.example.cn/send",
            "auth_header": "Bearer very-secret",
            "payload_template": '{"to": "$to", "text": "$text"}',
            "is_default": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    gateway = SmsGateway.objects.get()
    assert secret_decrypt(gateway.auth_header_encrypted) == "Bearer very-secret"
    page = client.get(reverse("channels:sms_gateway_edit", args=[gateway.pk]))
    assert page.status_code == 200 and b"very-secret" not in page.content
    assert client.get(reverse("channels:sms_gateway_list")).status_code == 200


def test_agent_cannot_open_sms_gateways(client, agent):
    client.force_login(agent)
    assert client.get(reverse("channels:sms_gateway_list")).status_code == 403
