"""Accounts API: the current user and their personal API tokens."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kefu.accounts.choices import ApiTokenScope
from kefu.accounts.models import ApiToken
from kefu.accounts.policy import require_staff
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    is_staff: bool
    language: str
    time_zone: str
    roles: list[str]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: ApiTokenScope
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class TokenCreatedOut(TokenOut):
    secret: str


class TokenIn(Schema):
    name: str
    scope: ApiTokenScope = ApiTokenScope.READ
    expires_at: datetime | None = None


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="The authenticated user")
def me(request):
    from kefu.accounts.roles import roles_of

    user = request.auth
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": user.display_name,
        "email": user.email,
        "is_staff": user.is_staff,
        "language": user.language,
        "time_zone": user.time_zone,
        "roles": roles_of(user),
    }


@router.get(
    "/tokens", response={200: list[TokenOut], **LIST_ERRORS}, summary="List your API tokens"
)
def token_list(request):
    """Your own tokens, newest first, revoked and expired ones included. Staff only."""
    from kefu.accounts.selectors import api_token_list_for_user

    require_staff(request.user)
    return list(api_token_list_for_user(request.user))


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **WRITE_ERRORS},
    summary="Create an API token (secret shown once)",
)
def token_create(request, payload: TokenIn):
    """Create a personal token. ``secret`` is in this response only; Kefu keeps just its hash."""
    from kefu.accounts.services import api_token_create

    require_staff(request.user)
    token, raw = api_token_create(
        actor=request.user,
        user=request.user,
        name=payload.name,
        scope=payload.scope,
        expires_at=payload.expires_at,
    )
    token.secret = raw
    return Status(201, token)


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, **WRITE_ERRORS},
    summary="Revoke one of your tokens",
)
def token_revoke(request, token_id: int):
    """Revoke at once (idempotent). Someone else's token is answered as not found."""
    from kefu.accounts.services import api_token_revoke

    require_staff(request.user)
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    return api_token_revoke(actor=request.user, token=token)
