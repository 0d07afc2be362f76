"""Log-in in two steps (password, then a TOTP code when two-factor is on), log-out, language,
password change and reset."""

import time

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kefu.accounts import forms
from kefu.accounts.choices import LanguageChoices
from kefu.accounts.models import User
from kefu.accounts.policy import staff_required

# The password step leaves only this in the session: who passed it, with which backend, when,
# and where to go afterwards. Nobody is logged in until the code step succeeds.
PENDING_SESSION_KEY = "kefu_2fa_pending"
PENDING_MAX_AGE_SECONDS = 300
PENDING_MAX_ATTEMPTS = 5


class LoginView(auth_views.LoginView):
    """Password step. With a confirmed TOTP device the user goes on to the code step."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        from kefu.accounts.services import totp_device_for

        user = form.get_user()
        if totp_device_for(user) is None:
            return super().form_valid(form)
        # A new session key before anything is stored: the pre-login key may be known to an
        # attacker (session fixation).
        self.request.session.cycle_key()
        self.request.session[PENDING_SESSION_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_redirect_url(),
            "attempts": 0,
        }
        return redirect("accounts:login_code")


def _pending(request):
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None
    if time.time() - pending.get("at", 0) > PENDING_MAX_AGE_SECONDS:
        del request.session[PENDING_SESSION_KEY]
        return None
    return pending


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def login_code(request):
    """Code step: verify the TOTP code, then log the user in and mark the session verified."""
    from kefu.accounts.services import totp_device_for

    pending = _pending(request)
    user = None
    if pending:
        user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    device = totp_device_for(user) if user is not None else None
    if device is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.warning(request, _("Your log-in expired. Please log in again."))
        return redirect("accounts:login")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = django_otp.verify_token(user, device.persistent_id, form.cleaned_data["token"])
        if verified is not None:
            del request.session[PENDING_SESSION_KEY]
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, verified)
            return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
        pending["attempts"] = pending.get("attempts", 0) + 1
        if pending["attempts"] >= PENDING_MAX_ATTEMPTS:
            del request.session[PENDING_SESSION_KEY]
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("accounts:login")
        request.session[PENDING_SESSION_KEY] = pending
        form.add_error("token", _("That code is not right. Try the current one."))
    return render(request, "accounts/login_code.html", {"form": form})


@require_POST
def set_language(request):
    """Switch the interface language; a logged-in user's choice is saved as their preference."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    if language not in LanguageChoices.values:
        return response
    if request.user.is_authenticated and request.user.language != language:
        from kefu.accounts.services import user_preferences_update

        user_preferences_update(actor=request.user, user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=request.is_secure(),
        httponly=False,
    )
    return response


@method_decorator(staff_required(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the session stays logged in and verified)."""

    template_name = "accounts/password_change.html"
    form_class = forms.PasswordChangeForm
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


# Reset mails go to whatever address is typed in: cap them so the form cannot be used to flood
# a mailbox (per address) or to probe many addresses (per client IP).
RESET_RATE_PER_EMAIL = "5/h"
RESET_RATE_PER_IP = "30/h"


def _email_key(group, request) -> str:
    # Case and spaces do not make a different mailbox.
    return (request.POST.get("email") or "").strip().lower()


def _client_ip_key(group, request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email. The answer is the same whether the address is known."""

    template_name = "accounts/password_reset_form.html"
    form_class = forms.PasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        from django_ratelimit.core import is_ratelimited

        from kefu.core.views import ratelimited

        limits = ((_client_ip_key, RESET_RATE_PER_IP), (_email_key, RESET_RATE_PER_EMAIL))
        for key, rate in limits:
            if is_ratelimited(
                request, group="accounts:password_reset", key=key, rate=rate, increment=True
            ):
                return ratelimited(request)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = forms.SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
