"""Password-reset mail: one signed, single-use link, written in the recipient's language."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kefu.accounts.models import User


def password_reset_link(user: User) -> str:
    """Return the absolute reset link for ``user`` (valid until used or PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def password_reset_mail_send(*, actor, user: User) -> None:
    """Mail ``user`` a password-reset link, in their preferred language (else the current one).

    The link is built from ``KEFU_SITE_URL``, never from the request's Host header, so a forged
    Host cannot make the mail point elsewhere. Inactive users get nothing.
    """
    if not user.is_active or not user.email:
        return
    language = user.language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, "link": password_reset_link(user), "site_url": settings.SITE_URL}
        subject = loader.render_to_string("accounts/email/password_reset_subject.txt", context)
        body = loader.render_to_string("accounts/email/password_reset_email.txt", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email]
    )
    message.send()
