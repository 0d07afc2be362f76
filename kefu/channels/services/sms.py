"""Text messages: send through the default gateway and record what happened."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.channels.choices import SmsGatewayKindChoices, SmsStateChoices
from kefu.channels.crypto import secret_encrypt
from kefu.channels.models import SmsGateway, SmsMessage
from kefu.channels.sms.gateways import SmsSendError, transport_for
from kefu.customers import facade as customers

MAX_SMS_TEXT = 1000


def sms_send(
    *, to: str, text: str, ticket_id: int | None = None, gateway: SmsGateway | None = None
) -> SmsMessage:
    """Send ``text`` to the phone number ``to`` and record the outcome (sent or failed).

    The number is normalised to E.164 first. Without ``gateway`` the default active one is
    used (the console when none is configured). Raises ``ValidationError`` for a bad number or
    empty text; a gateway failure is recorded on the row, not raised.
    """
    number = customers.normalize_phone(to or "")
    errors = {}
    if number is None:
        errors["to"] = [_("Enter a valid phone number.")]
    text = (text or "").strip()
    if not text:
        errors["text"] = [_("Write the message first.")]
    elif len(text) > MAX_SMS_TEXT:
        errors["text"] = [_("A text message has at most 1,000 characters.")]
    if errors:
        raise ValidationError(errors)
    if gateway is None:
        gateway = SmsGateway.objects.filter(is_active=True).order_by(
            "-is_default", "pk"
        ).first() or SmsGateway(name="console", kind=SmsGatewayKindChoices.CONSOLE)
    message = SmsMessage.objects.create(
        gateway=gateway if gateway.pk else None, to=number, text=text, ticket_id=ticket_id
    )
    try:
        reference = transport_for(gateway).send(number, text)
    except SmsSendError as exc:
        SmsMessage.objects.filter(pk=message.pk).update(
            state=SmsStateChoices.FAILED, error=str(exc)[:2000]
        )
    else:
        SmsMessage.objects.filter(pk=message.pk).update(
            state=SmsStateChoices.SENT, provider_ref=reference, sent_at=timezone.now()
        )
    message.refresh_from_db()
    return message


@transaction.atomic
def sms_gateway_save(
    *,
    actor,
    gateway: SmsGateway | None = None,
    name: str,
    kind: str,
    url: str = "",
    auth_header: str | None = None,
    payload_template: str | None = None,
    is_default: bool = False,
    is_active: bool = True,
) -> SmsGateway:
    """Create or change a gateway; ``auth_header=None`` keeps the stored secret.

    Making one the default clears the flag on the others.
    """
    gateway = gateway or SmsGateway()
    gateway.name = (name or "").strip()
    gateway.kind = kind
    gateway.url = url
    if payload_template is not None:
        gateway.payload_template = payload_template
    if auth_header is not None:
        gateway.auth_header_encrypted = secret_encrypt(auth_header)
    gateway.is_default = is_default
    gateway.is_active = is_active
    if kind == SmsGatewayKindChoices.HTTP and not url:
        raise ValidationError({"url": [_("An HTTP gateway needs a URL.")]})
    gateway.full_clean()
    gateway.save()
    if is_default:
        SmsGateway.objects.exclude(pk=gateway.pk).update(is_default=False)
    return gateway
