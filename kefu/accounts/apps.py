from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from kefu.accounts import roles, roster
        from kefu.accounts.models import ApiToken, Team, User
        from kefu.core.settings_registry import register_link

        # Role changes are group changes: log the groups relation with the user.
        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
        auditlog.register(Team, m2m_fields={"members"})
        auditlog.register(ApiToken, exclude_fields=["key_hash", "last_used_at"])
        # Only turning two-factor on or off matters; never the secret or the per-login counters.
        auditlog.register(TOTPDevice, include_fields=["user", "name", "confirmed"])
        roles.grant(roles.Role.ADMIN, ["accounts.*", "core.*", "auditlog.view_logentry"])
        roles.grant(
            roles.Role.SUPERVISOR,
            ["accounts.view_user", "accounts.view_team", "auditlog.view_logentry"],
        )
        roles.grant(roles.Role.AGENT, ["accounts.view_user", "accounts.view_team"])
        roles.grant(roles.Role.SALES, ["accounts.view_user", "accounts.view_team"])
        roles.grant(roles.Role.MARKETER, ["accounts.view_user"])
        roles.grant(roles.Role.TECHNICIAN, ["accounts.view_user"])
        post_migrate.connect(roles.sync_role_groups, dispatch_uid="kefu_sync_role_groups")
        roster.connect()
        register_link(
            "accounts.change_user",
            _("Users"),
            "accounts:user_list",
            _("Staff accounts, roles, passwords and two-factor."),
        )
        register_link(
            "accounts.change_team",
            _("Teams"),
            "accounts:team_list",
            _("Teams, their members and leads."),
        )
