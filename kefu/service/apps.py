from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "kefu.service"
    label = "service"
    verbose_name = _("Service desk")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kefu.core.customfields import register_target
        from kefu.service import models as m
        from kefu.service import policy, search, tasks  # noqa: F401  (rules, index, jobs)

        # "survey" is the reverse one-to-one: diffing it would SELECT the survey on every save.
        auditlog.register(
            m.Ticket, m2m_fields={"followers", "tags"}, exclude_fields=["version", "survey"]
        )
        auditlog.register(m.Queue)
        auditlog.register(m.QueueMembership)
        auditlog.register(m.Lifecycle)
        auditlog.register(m.Status)
        auditlog.register(m.StatusTransition)
        auditlog.register(m.Category)
        auditlog.register(m.PriorityMatrixEntry)
        auditlog.register(m.CannedResponse)
        auditlog.register(m.AgentProfile)
        auditlog.register(m.AgentSkill)
        auditlog.register(m.RoutingRule)
        auditlog.register(m.CallRecord)
        auditlog.register(m.SavedView)
        auditlog.register(m.Survey, exclude_fields=["nonce"])
        register_target("service.ticket", _("Ticket"))
        policy.register()

        from kefu.core.search.providers import register_provider
        from kefu.customers.panels import register_panel_provider
        from kefu.service.panels import tickets_panel, tickets_search

        register_panel_provider(tickets_panel)
        register_provider(tickets_search)

        from kefu.core.dashboard import register_tiles
        from kefu.service.tiles import home_tiles

        register_tiles(home_tiles)

        from kefu.service import entitlements

        entitlements.register()  # contracts and vendors

        from kefu.service.services.surveys import on_ticket_changed
        from kefu.service.signals import ticket_changed

        ticket_changed.connect(on_ticket_changed, dispatch_uid="service.surveys")
        from kefu.service.panels import satisfaction_panel

        register_panel_provider(satisfaction_panel)

        from kefu.service.sla import receivers as sla_receivers

        for model in (m.BusinessCalendar, m.SlaPolicy, m.SlaTarget, m.SlaEscalationLevel):
            auditlog.register(model)
        auditlog.register(m.BusinessCalendarInterval)
        auditlog.register(m.BusinessCalendarException)
        sla_receivers.connect()
        from kefu.service import configuration

        configuration.register()
        from kefu.service.workspace import register_side_panel

        register_side_panel("service/sla/_ticket_clocks.html", order=20)

        from django.contrib.auth.signals import user_logged_out

        from kefu.service.services.config import agent_signed_out

        user_logged_out.connect(agent_signed_out, dispatch_uid="service.agent_signed_out")

        from kefu.core.demo import register_demo_loader
        from kefu.service.demo import load_demo

        register_demo_loader(load_demo, order=50)
