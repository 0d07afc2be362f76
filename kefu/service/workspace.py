"""The agent workspace's composition: the ticket page's side panels and the lists' change mark.

Side panels are templates included in the ticket page's right column, in ``order``, with the
page's context (``ticket``, ``can_change``, the forms, ...). Another part of the desk adds one
with :func:`register_side_panel` from its ``AppConfig.ready``; every panel is swapped together
with the rest of the workspace when an htmx action answers.
"""

from kefu.accounts.policy import scope

_SIDE_PANELS: dict[str, int] = {
    "service/_panel_properties.html": 10,
    "service/_panel_status.html": 20,
    "service/_panel_assignment.html": 30,
}


def register_side_panel(template_name: str, *, order: int = 100) -> None:
    """Show ``template_name`` in the ticket page's side column (lower ``order`` first)."""
    _SIDE_PANELS[template_name] = order


def side_panels() -> list[str]:
    return sorted(_SIDE_PANELS, key=lambda name: (_SIDE_PANELS[name], name))


def tickets_changed_mark(user) -> str:
    """A mark that changes whenever a ticket ``user`` may see changes (one indexed read).

    Every write to a ticket moves its ``updated_at`` (see ``services._common``), so the latest
    ``updated_at`` in the user's scope is enough; the ``-updated_at`` index answers it.
    """
    from kefu.service.models import Ticket

    latest = (
        scope(user, Ticket.objects.all())
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return f"{latest.timestamp():.6f}" if latest else "0"
