"""The mail an account owner gets when a customer's contract reaches a usage threshold."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.customers import facade as customers
from kefu.service.models import Contract


def contract_threshold_notify_owner(*, contract_id: int, threshold: int) -> int:
    """Mail the organization's account owner (in their language); return mails sent (0 or 1).

    Runs from the job queue after the consumption committed; an organization without an owner,
    or an owner without an email address, gets nothing (the timeline follow-up is still there).
    """
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None:
        return 0
    org = customers.organization_get_summary(contract.organization_id)
    if not org or not org["owner_id"]:
        return 0
    owner = get_user_model().objects.filter(pk=org["owner_id"], is_active=True).first()
    if owner is None or not owner.email:
        return 0
    with translation.override(getattr(owner, "language", "") or settings.LANGUAGE_CODE):
        subject = _("%(org)s: contract %(number)s is %(threshold)s%% used") % {
            "org": org["name"],
            "number": contract.number,
            "threshold": threshold,
        }
        body = "\n\n".join(
            [
                _(
                    "The contract %(number)s (%(name)s) of %(org)s has used %(used)s of "
                    "%(allowance)s (%(unit)s); %(remaining)s left, ending on %(end)s."
                )
                % {
                    "number": contract.number,
                    "name": contract.name,
                    "org": org["name"],
                    "used": contract.used_display,
                    "allowance": contract.allowance_display,
                    "unit": contract.get_allowance_unit_display(),
                    "remaining": contract.remaining_display,
                    "end": contract.end_date.isoformat(),
                },
                _("This is a renewal or upsell opportunity."),
                f"{settings.SITE_URL}{contract.get_absolute_url()}",
            ]
        )
        return send_mail(subject[:200], body, None, [owner.email])
