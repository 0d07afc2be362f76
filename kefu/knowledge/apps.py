from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "kefu.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kefu.accounts.roles import Role, grant
        from kefu.knowledge import models as m
        from kefu.knowledge import search, tasks  # noqa: F401  (index, signals, provider, jobs)
        from kefu.service.workspace import register_side_panel

        # The ticket page's knowledge panel: suggestions, insert into the reply, new article.
        register_side_panel("knowledge/_ticket_panel.html", order=40)

        auditlog.register(m.Category)
        auditlog.register(m.Article, exclude_fields=["body_html", "view_count", "quality"])
        auditlog.register(m.ArticleTicketLink)
        auditlog.register(m.ArticleAttachment)

        grant(Role.ADMIN, ["knowledge.*"])
        grant(Role.SUPERVISOR, ["knowledge.*"])
        grant(
            Role.AGENT,
            [
                "knowledge.view_article",
                "knowledge.add_article",
                "knowledge.change_article",
                "knowledge.view_category",
                "knowledge.add_articleticketlink",
                "knowledge.view_articleticketlink",
            ],
        )
        grant(Role.TECHNICIAN, ["knowledge.view_article", "knowledge.view_category"])

        from kefu.core.demo import register_demo_loader
        from kefu.knowledge.demo import load_demo

        register_demo_loader(load_demo, order=60)
