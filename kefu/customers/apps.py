from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kefu.accounts.roles import Role, grant
        from kefu.core.customfields import register_target
        from kefu.customers import models as m
        from kefu.customers import search  # noqa: F401  (search indexers, signals, providers)

        auditlog.register(m.Organization, m2m_fields={"tags"})
        auditlog.register(m.OrganizationTier)
        auditlog.register(m.Site)
        auditlog.register(m.Contact)
        auditlog.register(m.ContactIdentity, exclude_fields=["normalized"])
        auditlog.register(m.ContactMembership)
        auditlog.register(m.Product)
        auditlog.register(m.Asset)

        from kefu.core.configstamp import register_models

        register_models(m.OrganizationTier)  # the tier snapshot of the facade's summaries

        register_target("customers.organization", _("Organization"))
        register_target("customers.site", _("Site"))
        register_target("customers.contact", _("Contact"))
        register_target("customers.asset", _("Asset"))

        everything = ["customers.*"]
        read = [
            f"customers.view_{name}"
            for name in (
                "organization",
                "organizationtier",
                "site",
                "contact",
                "contactidentity",
                "contactmembership",
                "product",
                "asset",
                "timelineevent",
                "consentrecord",
            )
        ]
        work = [
            *read,
            "customers.add_timelineevent",
            "customers.add_contact",
            "customers.change_contact",
            "customers.add_contactidentity",
            "customers.change_contactidentity",
            "customers.add_consentrecord",
        ]
        grant(Role.ADMIN, everything)
        grant(Role.SUPERVISOR, everything)
        grant(
            Role.AGENT,
            [
                *work,
                "customers.change_organization",
                "customers.add_site",
                "customers.change_site",
                "customers.add_asset",
                "customers.change_asset",
            ],
        )
        grant(
            Role.SALES,
            [
                *work,
                "customers.add_organization",
                "customers.change_organization",
                "customers.add_site",
                "customers.change_site",
            ],
        )
        grant(Role.MARKETER, [*read, "customers.add_consentrecord"])
        grant(Role.TECHNICIAN, [*read, "customers.add_timelineevent", "customers.change_asset"])

        from kefu.core.dashboard import register_tiles
        from kefu.core.settings_registry import register_link
        from kefu.customers.tiles import home_tiles

        register_tiles(home_tiles)
        register_link(
            "core.change_customfielddefinition",
            _("Custom fields"),
            "core:customfield_list",
            _("Extra fields on organizations, sites, contacts and assets."),
        )
        register_link(
            "customers.change_organizationtier",
            _("Organization tiers"),
            "customers:tier_list",
            _("The customer tiers (strategic, gold, silver...) and their order."),
        )
        register_link(
            "customers.add_importjob",
            _("Import customers"),
            "customers:importexport:import",
            _("Organizations, sites, contacts and assets from CSV files, checked before writing."),
        )
