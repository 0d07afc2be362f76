"""Who is looking at the portal: the contact behind a customer login, and what they may see."""

from dataclasses import dataclass

from django.http import Http404

from kefu.accounts.policy import is_portal_user
from kefu.customers import facade as customers


@dataclass(frozen=True)
class PortalCustomer:
    contact_id: int
    admin_organization_ids: list[int]

    @property
    def scope(self) -> dict:
        """Keyword arguments of the service desk's portal reads."""
        return {
            "contact_id": self.contact_id,
            "admin_organization_ids": self.admin_organization_ids,
        }


def portal_customer(user) -> PortalCustomer | None:
    """Return the contact a customer login belongs to (None for staff, anonymous, or a login
    without a contact)."""
    if not is_portal_user(user):
        return None
    contact_id = customers.contact_for_user(user.pk)
    if contact_id is None:
        return None
    return PortalCustomer(contact_id, customers.contact_admin_organization_ids(contact_id))


def require_customer(request) -> PortalCustomer:
    """Return the request's portal customer or answer 404 (never "exists but forbidden")."""
    customer = portal_customer(request.user)
    if customer is None:
        raise Http404
    return customer
