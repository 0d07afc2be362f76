from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "kefu.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from kefu.accounts.roles import Role, grant
        from kefu.channels import receivers
        from kefu.core.settings_registry import register_link
        from kefu.service import facade as service

        # The desk's ticket events become mail here; its requester notices go through our
        # outbox and templates instead of its plain mail (see receivers.py).
        service.ticket_changed.connect(
            receivers.on_ticket_changed, dispatch_uid="channels.on_ticket_changed"
        )
        service.requester_notifier_register(receivers.requester_notify)

        from kefu.channels.models import Mailbox, MailTemplate
        from kefu.core.configstamp import register_models

        # Templates and mailboxes are read from a per-process snapshot (services/outbound.py).
        register_models(Mailbox, MailTemplate)

        grant(Role.ADMIN, ["channels.*"])
        grant(Role.SUPERVISOR, ["channels.view_inboundmessage", "channels.view_mailbox"])
        register_link(
            "channels.change_mailbox",
            _("Mailboxes"),
            "channels:mailbox_list",
            _("Mail accounts polled for requests, their queues and the quarantine."),
        )
        register_link(
            "channels.change_smsgateway",
            _("SMS gateways"),
            "channels:sms_gateway_list",
            _("How text messages are sent, and the latest ones sent."),
        )
        register_link(
            "channels.change_mailtemplate",
            _("Mail templates"),
            "channels:template_list",
            _("Acknowledgement and notification mails in Chinese and English."),
        )
