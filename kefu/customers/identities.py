"""Normalising identities so that one person is found however their address was written.

Email: trimmed and lower-cased (the local part is case-insensitive in practice everywhere we
meet it). Phone: parsed with libphonenumber and written as E.164, with the configured default
region for numbers without a country code (``138 0013 8000`` and ``+86-138-0013-8000`` are the
same). Messaging IDs: trimmed and lower-cased.
"""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from kefu.customers.choices import IdentityKindChoices


def normalize_phone(value: str, *, region: str | None = None) -> str | None:
    """Return ``value`` as E.164, or None if it is not a possible phone number."""
    text = (value or "").strip()
    if not text:
        return None
    region = region or settings.KEFU_DEFAULT_PHONE_REGION
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_identity(kind: str, value: str) -> str:
    """Return the normalised form of an identity or raise ``ValidationError``."""
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("Enter a value."))
    if kind == IdentityKindChoices.EMAIL:
        text = text.lower()
        try:
            validate_email(text)
        except ValidationError as exc:
            raise ValidationError(_("Enter a valid email address.")) from exc
        return text
    if kind in (IdentityKindChoices.PHONE, IdentityKindChoices.WHATSAPP):
        normalized = normalize_phone(text)
        if normalized is None:
            raise ValidationError(_("Enter a valid phone number."))
        return normalized
    if kind in IdentityKindChoices.values:
        return text.lower()
    raise ValidationError(_("Unknown identity kind."))
