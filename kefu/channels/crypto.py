"""Secrets at rest (mailbox passwords, gateway credentials): Fernet under a key from SECRET_KEY.

A database dump alone does not reveal them; rotating ``SECRET_KEY`` means re-entering them
(decryption then fails and the value reads as empty, which the mailbox page reports).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"kefu.channels.secret:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(value: str) -> str:
    """Return ``value`` encrypted (an empty string stays empty)."""
    if not value:
        return ""
    return _fernet().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str:
    """Return the clear value of ``token``, or "" if it was made under another key."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
