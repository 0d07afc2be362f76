from django.db import models
from django.utils.translation import gettext_lazy as _


class MailboxSecurityChoices(models.TextChoices):
    SSL = "ssl", _("TLS (IMAPS)")
    STARTTLS = "starttls", _("STARTTLS")
    PLAIN = "plain", _("Plain (testing only)")


class MailboxAfterFetchChoices(models.TextChoices):
    DELETE = "delete", _("Delete from the server")
    FLAG = "flag", _("Mark as read and keep")


class InboundStateChoices(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundKindChoices(models.TextChoices):
    NEW_TICKET = "new_ticket", _("New ticket")
    FOLLOW_UP = "follow_up", _("Follow-up")
    LINKED_TICKET = "linked_ticket", _("New ticket linked to another")
    BOUNCE = "bounce", _("Delivery report")
    LOOP = "loop", _("Our own mail came back")
    UNKNOWN = "", _("Not processed yet")


class InboundSourceChoices(models.TextChoices):
    IMAP = "imap", _("IMAP poll")
    PIPE = "pipe", _("Mail server pipe")
    API = "api", _("API")


class OutboundStateChoices(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundKindChoices(models.TextChoices):
    REPLY = "reply", _("Agent reply")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    NOTIFICATION = "notification", _("Notification")


class MailTemplateKeyChoices(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of a new request")
    REPLY = "reply", _("Agent reply")
    NOTIFICATION = "notification", _("Ticket notification")
    RESOLVED = "resolved", _("Request resolved")
    SURVEY = "survey", _("Satisfaction survey")
    SMS = "sms", _("Text message (SMS)")


class SmsGatewayKindChoices(models.TextChoices):
    CONSOLE = "console", _("Console (development)")
    HTTP = "http", _("Generic HTTP")


class SmsStateChoices(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
