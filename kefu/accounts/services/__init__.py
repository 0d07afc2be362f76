"""Every write to accounts data: users, teams, API tokens, two-factor devices, passwords.

Import from here (``from kefu.accounts.services import user_create``); the modules are an
implementation detail.
"""

from kefu.accounts.services.passwords import password_reset_link, password_reset_mail_send
from kefu.accounts.services.teams import team_create, team_delete, team_update
from kefu.accounts.services.tokens import api_token_create, api_token_revoke
from kefu.accounts.services.two_factor import (
    totp_device_confirm,
    totp_device_for,
    totp_device_remove,
    totp_device_start,
)
from kefu.accounts.services.users import (
    user_activate,
    user_create,
    user_deactivate,
    user_password_change,
    user_password_set,
    user_preferences_update,
    user_update,
)

__all__ = [
    "api_token_create",
    "api_token_revoke",
    "password_reset_link",
    "password_reset_mail_send",
    "team_create",
    "team_delete",
    "team_update",
    "totp_device_confirm",
    "totp_device_for",
    "totp_device_remove",
    "totp_device_start",
    "user_activate",
    "user_create",
    "user_deactivate",
    "user_password_change",
    "user_password_set",
    "user_preferences_update",
    "user_update",
]
