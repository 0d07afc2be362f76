from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kefu.accounts.roles import Role, grant
        from kefu.core import audit  # noqa: F401  (connects the audit-log receiver)
        from kefu.core.configstamp import register_models
        from kefu.core.models import CustomFieldDefinition, Tag

        auditlog.register(CustomFieldDefinition)
        register_models(CustomFieldDefinition)
        auditlog.register(Tag)
        grant(Role.ADMIN, ["core.*"])
        for role in (Role.SUPERVISOR, Role.AGENT, Role.SALES, Role.MARKETER, Role.TECHNICIAN):
            grant(role, ["core.view_tag", "core.add_tag", "core.view_customfielddefinition"])
