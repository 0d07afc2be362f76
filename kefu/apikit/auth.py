"""API authentication: personal tokens (``Authorization: Bearer kefu_...``) or the web session.

Both put the user on ``request.user`` (the audit log and the policy read it there) and return it
as ``request.auth``. A read-only token is refused on any unsafe method.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Writing last_used_at on every request would turn each read into a write; once a minute is
# enough to tell a user which tokens are alive.
_LAST_USED_RESOLUTION_SECONDS = 60


def _token_user(raw: str):
    """Return the active user owning the usable token ``raw`` (None if none) in one query.

    The user comes with the token's ``token_id``, ``token_scope`` and ``token_stale`` (last use
    older than the resolution). A raw query: the ORM spent longer building the joined SQL than
    the database took to answer it, on every API request.
    """
    from django.contrib.auth import get_user_model

    from kefu.accounts.models import ApiToken

    user_model = get_user_model()
    token = ApiToken._meta
    user = user_model._meta
    now = timezone.now()
    sql = (
        f"SELECT u.*, t.{_col(token, 'id')} AS token_id, "  # noqa: S608
        f"t.{_col(token, 'scope')} AS token_scope, "
        f"CASE WHEN t.{_col(token, 'last_used_at')} IS NULL "
        f"OR t.{_col(token, 'last_used_at')} < %s THEN 1 ELSE 0 END AS token_stale "
        f"FROM {token.db_table} t JOIN {user.db_table} u "
        f"ON u.{_col(user, 'id')} = t.{_col(token, 'user')} "
        f"WHERE t.{_col(token, 'key_hash')} = %s AND t.{_col(token, 'revoked_at')} IS NULL "
        f"AND (t.{_col(token, 'expires_at')} IS NULL OR t.{_col(token, 'expires_at')} > %s)"
    )
    stale_before = now - timedelta(seconds=_LAST_USED_RESOLUTION_SECONDS)
    queryset = user_model.objects.db_manager(router.db_for_read(ApiToken))
    adapt = connections[queryset.db].ops.adapt_datetimefield_value
    params = [adapt(stale_before), ApiToken.hash_key(raw), adapt(now)]
    found = list(queryset.raw(sql, params))
    return found[0] if found else None


def _col(opts, name: str) -> str:
    return opts.get_field(name).column


def user_for_token(raw: str, method: str):
    """Return the active user owning token ``raw``, or None. Raises 403 for read-only misuse."""
    from kefu.accounts.choices import ApiTokenScope
    from kefu.accounts.models import ApiToken

    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    user = _token_user(raw)
    if user is None or not user.is_active:
        return None
    if method not in SAFE_METHODS and user.token_scope != ApiTokenScope.READ_WRITE:
        raise PermissionDenied(_("This API token is read-only."))
    if user.token_stale:
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=timezone.now())
    return user


def request_token_user(request, raw: str):
    """:func:`user_for_token` once per request (the idempotency middleware asks first)."""
    cached = getattr(request, "_kefu_token_user", None)
    if cached is not None and cached[0] == raw:
        return cached[1]
    user = user_for_token(raw, request.method)
    request._kefu_token_user = (raw, user)
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = request_token_user(request, token)
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
