"""Administering mailboxes and mail templates."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.channels.choices import MailTemplateKeyChoices
from kefu.channels.crypto import secret_encrypt
from kefu.channels.models import Mailbox, MailTemplate

MAILBOX_FIELDS = {
    "name",
    "from_address",
    "from_name",
    "queue_id",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_user",
    "imap_folder",
    "after_fetch",
    "send_acknowledgement",
    "is_active",
}


@transaction.atomic
def mailbox_save(
    *, actor, mailbox: Mailbox | None = None, password: str | None = None, **fields: Any
) -> Mailbox:
    """Create or change a mailbox. The password is stored encrypted; ``None`` keeps the old one.

    Raises ``ValidationError`` for unknown fields and invalid values (nothing is saved).
    """
    unknown = set(fields) - MAILBOX_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    mailbox = mailbox or Mailbox()
    for name, value in fields.items():
        setattr(mailbox, name, value)
    if "from_address" in fields:
        mailbox.from_address = (mailbox.from_address or "").strip().lower()
    if password is not None:
        mailbox.password_encrypted = secret_encrypt(password)
    mailbox.full_clean()
    mailbox.save()
    return mailbox


@transaction.atomic
def mail_template_save(*, actor, key: str, language: str, subject: str, body: str) -> MailTemplate:
    """Set the wording of template ``key`` in ``language`` (create or replace)."""
    row = MailTemplate.objects.filter(key=key, language=language).first() or MailTemplate(
        key=key, language=language
    )
    row.subject = " ".join((subject or "").split())
    row.body = body or ""
    if key == MailTemplateKeyChoices.SMS:
        row.subject = ""
        if not row.body.strip():
            raise ValidationError({"body": [_("Write the text of the message.")]})
    elif not row.subject or not row.body.strip():
        raise ValidationError({"subject": [_("Give the template a subject and a text.")]})
    row.full_clean()
    row.save()
    return row
