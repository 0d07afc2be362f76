from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.channels.choices import (
    InboundStateChoices,
    MailboxAfterFetchChoices,
    MailboxSecurityChoices,
    SmsGatewayKindChoices,
)


class MailboxForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    from_address = forms.EmailField(label=_("Address"))
    from_name = forms.CharField(label=_("Sender name"), max_length=100, required=False)
    queue_id = forms.TypedChoiceField(label=_("Queue"), coerce=int)
    imap_host = forms.CharField(label=_("IMAP host"), max_length=255, required=False)
    imap_port = forms.IntegerField(label=_("IMAP port"), min_value=1, max_value=65535)
    imap_security = forms.ChoiceField(
        label=_("Connection security"), choices=MailboxSecurityChoices.choices
    )
    imap_user = forms.CharField(label=_("IMAP user"), max_length=255, required=False)
    password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )
    imap_folder = forms.CharField(label=_("Folder"), max_length=255, initial="INBOX")
    after_fetch = forms.ChoiceField(
        label=_("After fetching"), choices=MailboxAfterFetchChoices.choices
    )
    send_acknowledgement = forms.BooleanField(label=_("Acknowledge new requests"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, queues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["queue_id"].choices = list(queues)


class MailTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, is_sms: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if is_sms:
            # A text message has no subject.
            del self.fields["subject"]


class InboundFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), *InboundStateChoices.choices],
    )


class SmsGatewayForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=SmsGatewayKindChoices.choices)
    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")
    auth_header = forms.CharField(
        label=_("Authorization header"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown. Leave empty to keep the current one."),
    )
    payload_template = forms.CharField(
        label=_("Payload template"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("JSON; $to and $text are replaced (JSON-escaped)."),
    )
    is_default = forms.BooleanField(label=_("Default gateway"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
