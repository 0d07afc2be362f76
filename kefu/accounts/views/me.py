"""One's own account: preferences, personal API tokens, two-factor set-up."""

import base64

import django_otp
import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kefu.accounts import forms, selectors, services
from kefu.accounts.models import ApiToken
from kefu.accounts.policy import staff_required


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form, field by field."""
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@staff_required()
def profile(request):
    """The user's preferences (language, time zone) and links to security settings."""
    user = request.user
    form = forms.PreferencesForm(
        request.POST or None, initial={"language": user.language, "time_zone": user.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_preferences_update(
                actor=user,
                user=user,
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your preferences were saved."))
            return redirect("accounts:profile")
    context = {
        "form": form,
        "two_factor_on": services.totp_device_for(user) is not None,
        "token_count": ApiToken.objects.filter(user=user).usable().count(),
    }
    return render(request, "accounts/profile.html", context)


@staff_required()
@never_cache
def token_list(request):
    """List one's tokens and create a new one; a new secret is shown on this response only."""
    form = forms.ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                actor=request.user,
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            created = {"token": token, "secret": raw}
            form = forms.ApiTokenForm()
    context = {
        "form": form,
        "created": created,
        "tokens": selectors.api_token_list_for_user(request.user),
    }
    # never_cache: the secret must not linger in a shared or back-button cache.
    return render(request, "accounts/tokens.html", context)


@staff_required()
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:token_list")


def _qr_data_uri(text: str) -> str:
    # Rendered on the server as SVG and embedded as a data: URI: no script, and the CSP allows
    # data: images.
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _base32_secret(device) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@staff_required()
@never_cache
def two_factor(request):
    """Two-factor status: turn it on (set-up with a QR code) or off (with a current code)."""
    user = request.user
    device = services.totp_device_for(user)
    pending = None if device else services.totp_device_for(user, confirmed=False)
    context = {"device": device, "pending": pending, "form": forms.CodeForm()}
    if pending is not None:
        context["qr_data_uri"] = _qr_data_uri(pending.config_url)
        context["secret"] = _base32_secret(pending)
    return render(request, "accounts/two_factor.html", context)


@staff_required()
@require_POST
def two_factor_start(request):
    try:
        services.totp_device_start(actor=request.user, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:two_factor")


@staff_required()
@require_POST
def two_factor_confirm(request):
    form = forms.CodeForm(request.POST)
    if form.is_valid():
        try:
            device = services.totp_device_confirm(
                actor=request.user, user=request.user, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            # This session proved the code just now: keep it logged in as verified.
            django_otp.login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
    else:
        messages.error(request, " ".join(form.errors["token"]))
    return redirect("accounts:two_factor")


@staff_required()
@require_POST
def two_factor_disable(request):
    form = forms.CodeForm(request.POST)
    if form.is_valid():
        try:
            services.totp_device_remove(
                actor=request.user, user=request.user, token=form.cleaned_data["token"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Two-factor authentication is off."))
    else:
        messages.error(request, " ".join(form.errors["token"]))
    return redirect("accounts:two_factor")
