"""Reads of the channels app that views and the API share."""

from django.db.models import QuerySet

from kefu.channels.email.templates import DEFAULTS
from kefu.channels.models import InboundMessage, Mailbox, MailTemplate


def inbound_list(*, state: str = "") -> QuerySet:
    """Inbound messages, newest first, without their raw bytes (``state`` filters)."""
    rows = InboundMessage.objects.select_related("mailbox").defer("raw", "html_body", "text_body")
    return rows.filter(state=state) if state else rows


def mailbox_list() -> QuerySet:
    return Mailbox.objects.order_by("name")


def mail_template_rows() -> list[dict]:
    """Every (template, language) pair with its current wording and whether an admin set it."""
    custom = {(t.key, t.language): t for t in MailTemplate.objects.all()}
    rows = []
    for (key, language), (subject, body) in DEFAULTS.items():
        row = custom.get((key, language))
        rows.append(
            {
                "key": key,
                "language": language,
                "subject": row.subject if row else subject,
                "body": row.body if row else body,
                "is_custom": row is not None,
            }
        )
    return rows
