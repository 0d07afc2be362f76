from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.channels.choices import (
    InboundKindChoices,
    InboundSourceChoices,
    InboundStateChoices,
    MailboxAfterFetchChoices,
    MailboxSecurityChoices,
    MailTemplateKeyChoices,
    OutboundKindChoices,
    OutboundStateChoices,
)
from kefu.core.models import TimeStampedModel


class Mailbox(TimeStampedModel):
    """A mail account Kefu reads requests from (IMAP) and answers from (``from_address``).

    Every message fetched from it becomes an ``InboundMessage``; new tickets land in ``queue``.
    ``password_encrypted`` holds the IMAP password encrypted (``kefu.channels.crypto``) and is
    never shown back. ``last_polled_at``/``last_error`` report the latest poll.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    from_address = models.EmailField(_("address"), unique=True)
    from_name = models.CharField(_("sender name"), max_length=100, blank=True)
    queue = models.ForeignKey(
        "service.Queue", verbose_name=_("queue"), on_delete=models.PROTECT, related_name="+"
    )
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("connection security"),
        max_length=10,
        choices=MailboxSecurityChoices.choices,
        default=MailboxSecurityChoices.SSL,
    )
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    after_fetch = models.CharField(
        _("after fetching"),
        max_length=10,
        choices=MailboxAfterFetchChoices.choices,
        default=MailboxAfterFetchChoices.DELETE,
    )
    send_acknowledgement = models.BooleanField(_("acknowledge new requests"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.name} <{self.from_address}>"

    def get_absolute_url(self) -> str:
        return reverse("channels:mailbox_edit", args=[self.pk])

    @property
    def has_password(self) -> bool:
        return bool(self.password_encrypted)


class InboundMessage(models.Model):
    """One mail received, stored raw (with its sha256) before anything else is done with it.

    Processing parses it and turns it into a ticket or a reply (``ticket_id``/``entry_id``), a
    bounce or a recognised loop; a message that cannot be handled is ``quarantined`` with the
    ``error`` and stays downloadable and reprocessable. The same message fetched twice is one row:
    unique by (mailbox, uid), by Message-ID and by sha256; a later copy bumps ``copies_seen``.
    """

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    source = models.CharField(
        _("source"), max_length=10, choices=InboundSourceChoices.choices, blank=True
    )
    uid = models.CharField(_("IMAP UID"), max_length=64, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=InboundStateChoices.choices,
        default=InboundStateChoices.RECEIVED,
    )
    kind = models.CharField(
        _("outcome"), max_length=20, choices=InboundKindChoices.choices, blank=True
    )
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    cc_addresses = models.JSONField(_("other recipients"), default=list, blank=True)
    references = models.JSONField(_("referenced Message-IDs"), default=list, blank=True)
    html_body = models.TextField(_("HTML (sanitized)"), blank=True)
    text_body = models.TextField(_("text"), blank=True)
    robot_reasons = models.JSONField(_("robot signs"), default=list, blank=True)
    defects = models.JSONField(_("decoding defects"), default=list, blank=True)
    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True, db_index=True)
    entry_id = models.BigIntegerField(_("conversation entry"), null=True, blank=True)
    contact_id = models.BigIntegerField(_("sender contact"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    copies_seen = models.PositiveIntegerField(_("copies received"), default=1)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uid"],
                condition=~models.Q(uid=""),
                name="channels_inbound_uid_unique",
            ),
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(message_id=""),
                name="channels_inbound_msgid_unique",
            ),
        ]
        indexes = [models.Index(fields=["state", "received_at"], name="channels_inbound_state")]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        return f"{self.message_id or self.sha256[:12]} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("channels:inbound_detail", args=[self.pk])


class OutboundMessage(models.Model):
    """A mail in the outbox, keyed by its Message-ID in Kefu's own domain.

    Workers claim a row with a conditional ``UPDATE`` (``queued`` -> ``sending``); a claim older
    than the lease belongs to a dead worker and is taken again with the same Message-ID, so the
    receiving side can drop the copy. Temporary SMTP failures retry at ``next_attempt_at`` with
    back-off; permanent ones end ``failed`` and are recorded on the ticket.
    """

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OutboundKindChoices.choices)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(_("from"), max_length=320)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=400)
    body = models.TextField(_("text"))
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    attachment_entry_ids = models.JSONField(
        _("entries whose attachments go along"), default=list, blank=True
    )
    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True, db_index=True)
    entry_id = models.BigIntegerField(_("conversation entry"), null=True, blank=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=OutboundStateChoices.choices,
        default=OutboundStateChoices.QUEUED,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), db_index=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # An agent's reply is mailed once, however often its mail is asked for.
            models.UniqueConstraint(
                fields=["entry_id"],
                condition=models.Q(kind="reply", entry_id__isnull=False),
                name="channels_outbox_reply_once",
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="channels_outbox_due")]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self) -> str:
        return f"{self.message_id} ({self.state})"


class AutoReplyLog(models.Model):
    """One automatic reply sent to an address: the per-sender daily limit counts these rows."""

    address = models.CharField(_("address"), max_length=320)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    ticket_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["address", "sent_at"], name="channels_autoreply_addr")]
        verbose_name = _("automatic reply")
        verbose_name_plural = _("automatic replies")

    def __str__(self) -> str:
        return f"{self.address} {self.sent_at:%Y-%m-%d}"


class MailTemplate(TimeStampedModel):
    """An administrator's wording of an automatic or reply mail in one language.

    Rendered with ``string.Template`` over the values the sender passes (``$ticket_number``,
    ``$ticket_subject``, ``$contact_name``, ``$body``...): no attribute access, no code. Without a
    row, the built-in wording of ``kefu.channels.email.templates`` is used. The ``sms`` key is
    the wording of text messages (its subject is unused and may be empty).
    """

    key = models.CharField(_("template"), max_length=20, choices=MailTemplateKeyChoices.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["key", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language"], name="channels_template_unique")
        ]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"
