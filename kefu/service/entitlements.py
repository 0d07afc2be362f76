"""Wiring of contracts and vendors into the desk, called once from ``ServiceConfig.ready``.

Connects the contract receiver to ``ticket_changed``, grants the roles their permissions
(agents read contracts and dispatch to vendors; supervisors and administrators hold
``service.*``), registers the models with the audit log, the organization 360° panel, the
jobs, and the contract service level with the SLA engine (when it offers a hook).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kefu.accounts import roles
from kefu.accounts.policy import can

AGENT_PERMISSIONS = [
    "service.view_contract",
    "service.view_contractconsumption",
    "service.view_underpinningcontract",
    "service.view_vendordispatch",
    "service.add_vendordispatch",
    "service.change_vendordispatch",
]


def contracts_panel(request, *, organization=None, contact=None):
    """The contracts of an organization on its 360° page (staff with ``view_contract``)."""
    if organization is None or not can(request.user, "service.view_contract"):
        return None
    from kefu.service.selectors_contracts import organization_contracts

    return {
        "key": "contracts",
        "title": _("Contracts"),
        "template": "service/contracts/_organization_panel.html",
        "context": {
            "contracts": organization_contracts(organization_id=organization.pk),
            "new_url": reverse("service:contract_new") + f"?organization={organization.pk}"
            if can(request.user, "service.add_contract")
            else None,
        },
        "order": 20,
    }


def register() -> None:
    from auditlog.registry import auditlog

    from kefu.customers.panels import register_panel_provider
    from kefu.service import models as m
    from kefu.service import tasks_contracts  # noqa: F401  (registers the jobs)
    from kefu.service.services.contracts import (
        contract_service_level_for_ticket,
        on_ticket_changed,
    )
    from kefu.service.signals import ticket_changed

    ticket_changed.connect(on_ticket_changed, dispatch_uid="service.contracts")
    roles.grant(roles.Role.AGENT, AGENT_PERMISSIONS)
    auditlog.register(m.Contract, m2m_fields={"sites", "assets"})
    auditlog.register(m.ContractConsumption)
    auditlog.register(m.UnderpinningContract)
    auditlog.register(m.VendorDispatch)
    register_panel_provider(contracts_panel)
    _register_service_level(contract_service_level_for_ticket)


def _register_service_level(fn) -> None:
    """Give the SLA engine the contract's service level (if the engine is installed)."""
    try:
        from kefu.service.sla.policies import register_service_level_provider
    except ImportError:
        return
    register_service_level_provider(fn)
