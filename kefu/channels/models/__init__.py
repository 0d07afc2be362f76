from kefu.channels.models.mail import (
    AutoReplyLog,
    InboundMessage,
    Mailbox,
    MailTemplate,
    OutboundMessage,
)
from kefu.channels.models.sms import SmsGateway, SmsMessage

__all__ = [
    "AutoReplyLog",
    "InboundMessage",
    "MailTemplate",
    "Mailbox",
    "OutboundMessage",
    "SmsGateway",
    "SmsMessage",
]
