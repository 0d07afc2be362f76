"""Domain errors of the service desk; the API answers them as problem+json."""

from django.utils.translation import gettext_lazy as _

from kefu.core.errors import Conflict, ServiceError


class StaleTicket(Conflict):
    """The ticket changed since the caller read it: nothing was saved."""

    def __init__(self, *, number: str, current_version: int):
        super().__init__(
            _(
                "Ticket %(number)s was changed by someone else while you were editing it "
                "(it is now at version %(version)s). Nothing was saved: reload the ticket and "
                "apply your change again."
            )
            % {"number": number, "version": current_version},
            code="stale_version",
        )
        self.field = "version"
        self.current_version = current_version


class InvalidTransition(ServiceError):
    """The lifecycle does not allow moving the ticket to that status."""

    status_code = 409
    title = _("Status change not allowed")

    def __init__(self, detail: str):
        super().__init__(detail, code="invalid_transition")
        self.field = "status"


class MergeRefused(ServiceError):
    """Two tickets cannot be merged (the same ticket, already merged, other organization)."""

    status_code = 409
    title = _("Merge refused")

    def __init__(self, detail: str):
        super().__init__(detail, code="merge_refused")
