"""Personal API tokens: create (the secret is returned once) and revoke."""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.choices import ApiTokenScope
from kefu.accounts.models import ApiToken
from kefu.accounts.services._audit import audited


@audited
@transaction.atomic
def api_token_create(
    *, actor, user, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token and return ``(token, raw_secret)``; the secret is shown once.

    Only the SHA-256 of the secret is stored. Raises ``ValidationError`` for an empty name, an
    unknown scope or an expiry in the past.
    """
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name.")]
    elif len(name) > 100:
        errors["name"] = [_("Use at most 100 characters.")]
    if scope not in ApiTokenScope.values:
        errors["scope"] = [_("Choose read or read-write.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry must be in the future.")]
    if errors:
        raise ValidationError(errors)
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(ApiToken.PREFIX) + 6],
        key_hash=ApiToken.hash_key(raw),
        scope=scope,
        expires_at=expires_at,
    )
    return token, raw


@audited
@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; it stays listed (revoked) for the record. Idempotent.

    Locks the row so two revocations do not both write.
    """
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
