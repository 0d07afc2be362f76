"""API authentication: personal tokens (``Authorization: Bearer kefu_...``) or the web session.

Both put the user on ``request.user`` (the audit log and the policy read it there) and return it
as ``request.auth``. A read-only token is refused on any unsafe method.
"""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Writing last_used_at on every request would turn each read into a write; once a minute is
# enough to tell a user which tokens are alive.
_LAST_USED_RESOLUTION_SECONDS = 60


def user_for_token(raw: str, method: str):
    """Return the active user owning token ``raw``, or None. Raises 403 for read-only misuse."""
    from kefu.accounts.models import ApiToken

    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user")
        .filter(key_hash=ApiToken.hash_key(raw))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if method not in SAFE_METHODS and not token.can_write:
        raise PermissionDenied(_("This API token is read-only."))
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() > _LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token, request.method)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def api_auth() -> list:
    return [TokenAuth(), SessionAuth(csrf=True)]
