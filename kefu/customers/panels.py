"""Panels other apps add to the 360° pages, without editing the customer templates.

An app registers a provider in its ``AppConfig.ready``::

    from kefu.customers.panels import register_panel_provider

    def tickets_panel(request, *, organization=None, contact=None):
        if not can(request.user, "service.view_ticket"):
            return None
        return {"key": "tickets", "title": _("Tickets"), "template": "service/_tickets_panel.html",
                "context": {"tickets": ...}, "order": 10}

    register_panel_provider(tickets_panel)

The provider is called with either ``organization`` or ``contact`` set and returns a panel dict or
None (nothing to show, or not allowed). Panels render in ``order``, inside the page's
``{% block extra_panels %}``.
"""

from collections.abc import Callable

_PROVIDERS: list[Callable] = []


def register_panel_provider(provider: Callable) -> None:
    """Add ``provider(request, *, organization=None, contact=None) -> dict | None``."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def extra_panels(request, *, organization=None, contact=None) -> list[dict]:
    """Collect the registered panels for one 360° page, in their ``order``."""
    panels = []
    for provider in _PROVIDERS:
        panel = provider(request, organization=organization, contact=contact)
        if panel:
            panel.setdefault("context", {})
            panel.setdefault("order", 100)
            panels.append(panel)
    return sorted(panels, key=lambda p: p["order"])
