"""Every write of the channels app goes through these functions."""

from kefu.channels.services.intake import (
    inbound_process,
    inbound_receive,
    inbound_reprocess,
    mail_ingest,
)
from kefu.channels.services.mailboxes import mail_template_save, mailbox_save
from kefu.channels.services.outbound import (
    outbound_enqueue,
    outbox_send,
    outbox_send_due,
    ticket_event_mail,
    ticket_notification_mail,
    ticket_reply_mail,
)
from kefu.channels.services.polling import inbound_process_pending, mailbox_poll, mailboxes_poll
from kefu.channels.services.sms import (
    sms_deliver,
    sms_enqueue,
    sms_gateway_save,
    sms_send,
    sms_send_due,
)

__all__ = [
    "inbound_process",
    "inbound_process_pending",
    "inbound_receive",
    "inbound_reprocess",
    "mail_ingest",
    "mail_template_save",
    "mailbox_poll",
    "mailbox_save",
    "mailboxes_poll",
    "outbound_enqueue",
    "outbox_send",
    "outbox_send_due",
    "sms_deliver",
    "sms_enqueue",
    "sms_gateway_save",
    "sms_send",
    "sms_send_due",
    "ticket_event_mail",
    "ticket_notification_mail",
    "ticket_reply_mail",
]
