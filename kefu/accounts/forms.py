"""Forms for log-in, two-factor, profile, tokens and the user/team administration.

Forms only parse and validate input shape; every write is a service call made by the view
(``form.save()`` methods below delegate to services for Django's password views).
"""

import datetime
import zoneinfo

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.choices import ApiTokenScope, LanguageChoices
from kefu.accounts.models import Team, User
from kefu.accounts.roles import Role

_COMMON_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
]


def _zone_choices():
    rest = sorted(zoneinfo.available_timezones() - set(_COMMON_ZONES))
    return [("", _("Site default"))] + [(z, z) for z in _COMMON_ZONES + rest]


def _language_choices():
    return [("", _("Browser default")), *LanguageChoices.choices]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zone_choices, required=False)


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Enter the digits shown in the app."))
        return token


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=ApiTokenScope.choices, initial=ApiTokenScope.READ
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional. The token works until the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The expiry must be in the future."))
        return day

    def expires_at(self):
        """The end of the chosen day in the user's time zone, or None."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        return timezone.make_aware(midnight)


def _team_queryset():
    return Team.objects.order_by("name")


def _staff_queryset():
    return User.objects.filter(is_staff=True, is_active=True).order_by("username")


class UserForm(forms.Form):
    """Create or edit a staff user (roles are role groups; teams are memberships)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email address"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=_zone_choices, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = _team_queryset()


class UserCreateForm(UserForm):
    PASSWORD_SET = "set"
    PASSWORD_MAIL = "mail"

    password_choice = forms.ChoiceField(
        label=_("First password"),
        choices=[
            (PASSWORD_MAIL, _("Mail a link to choose a password")),
            (PASSWORD_SET, _("Set a password now")),
        ],
        initial=PASSWORD_MAIL,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password_choice") == self.PASSWORD_SET and not data.get("password"):
            self.add_error("password", _("Enter a password, or choose to mail a link."))
        return data


class SetPasswordAdminForm(forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=User.objects.none(), required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = _staff_queryset()
        self.fields["members"].queryset = _staff_queryset()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending Kefu's mail (in the recipient's language) through a service.

    Users who never chose a password (invited by an administrator) may use it too, which is how
    they claim their account.
    """

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True)

    def save(self, *args, **kwargs):
        from kefu.accounts.services import password_reset_mail_send

        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_mail_send(actor=None, user=user)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """Django's set-password form (reset link) whose save goes through the password service."""

    def save(self, commit=True):
        from kefu.accounts.services import user_password_set

        return user_password_set(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's change-password form whose save goes through the password service."""

    def save(self, commit=True):
        from kefu.accounts.services import user_password_set

        return user_password_set(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
