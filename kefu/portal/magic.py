"""One-time login links: signed, expiring, and single use.

The token signs the user id and the user's ``last_login``; logging in updates
``last_login``, so a used link no longer verifies.
"""

from django.contrib.auth import get_user_model
from django.core import signing

SALT = "kefu.portal.magic-link"
MAX_AGE = 15 * 60


def _stamp(user) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def make_token(user) -> str:
    return signing.dumps({"u": user.pk, "l": _stamp(user)}, salt=SALT, compress=True)


def user_for_token(token: str):
    """Return the customer the token logs in, or None (tampered, expired, used, staff)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.is_staff or _stamp(user) != data.get("l"):
        return None
    return user
