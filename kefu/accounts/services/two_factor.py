"""TOTP two-factor devices: start a set-up, confirm it with a code, remove it.

A user has at most one TOTP device. A set-up creates an *unconfirmed* device (it does not count
for log-in) and only a correct code from the authenticator app confirms it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kefu.accounts.models import User
from kefu.accounts.services._audit import audited

DEVICE_NAME = "Authenticator app"


def totp_device_for(user: User, *, confirmed: bool | None = True) -> TOTPDevice | None:
    """Return the user's TOTP device (confirmed, unconfirmed, or either with ``None``)."""
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-pk").first()


@audited
@transaction.atomic
def totp_device_start(*, actor, user: User) -> TOTPDevice:
    """Begin setting up two-factor: a fresh unconfirmed device with a new random secret.

    Any earlier unfinished set-up is dropped. Raises ``ValidationError`` if two-factor is already
    on (remove it first).
    """
    User.objects.select_for_update().get(pk=user.pk)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError({"__all__": [_("Two-factor authentication is already on.")]})
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@audited
@transaction.atomic
def totp_device_confirm(*, actor, user: User, token: str) -> TOTPDevice:
    """Confirm the pending set-up with a code from the app; from now on log-in asks for a code.

    The device row is locked while the code is checked (django-otp's throttling and replay guard
    rely on it). Raises ``ValidationError({"token": [...]})`` for a wrong code or no set-up.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        raise ValidationError({"token": [_("Start the set-up again.")]})
    if not device.verify_token((token or "").strip()):
        raise ValidationError({"token": [_("That code is not right. Try the current one.")]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@audited
@transaction.atomic
def totp_device_remove(*, actor, user: User, token: str | None = None) -> int:
    """Turn two-factor off for ``user``; returns how many devices were removed.

    The user themself must prove possession with a current ``token``; an administrator resetting
    someone else's lost device passes ``token=None`` (the view checks their permission).
    Raises ``ValidationError({"token": [...]})`` for a wrong code.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        raise ValidationError({"__all__": [_("Two-factor authentication is off.")]})
    must_prove = token is not None or actor.pk == user.pk
    if must_prove and not device.verify_token((token or "").strip()):
        raise ValidationError({"token": [_("That code is not right. Try the current one.")]})
    deleted, _detail = TOTPDevice.objects.filter(user=user).delete()
    return deleted
