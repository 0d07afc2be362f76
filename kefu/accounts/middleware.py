import functools
import zoneinfo

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject


def _unverified_user():
    user = AnonymousUser()
    user.otp_device = None
    user.is_verified = lambda: False
    return user


class TwoFactorRequiredMiddleware:
    """Treat a session whose user has two-factor on but never passed the code step as anonymous.

    Kefu's own log-in only logs a user in after the code, but any other door that calls
    ``django.contrib.auth.login`` (the Django admin's log-in form, a test's ``force_login``)
    would otherwise give a full session on the password alone. Runs right after django-otp's
    ``OTPMiddleware`` (which sets ``request.user.is_verified``); the check is lazy, so requests
    that never look at the user cost nothing, and a verified session costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            request.user = SimpleLazyObject(functools.partial(self._enforce, user))
        return self.get_response(request)

    @staticmethod
    def _enforce(user):
        if not user.is_authenticated:
            return user
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return user
        from kefu.accounts.services import totp_device_for

        if totp_device_for(user) is not None:
            return _unverified_user()
        return user


class UserPreferencesMiddleware:
    """Activate the logged-in user's language and time zone for this request.

    Runs after LocaleMiddleware: a saved preference beats the browser's Accept-Language; with no
    preference the cookie or browser decides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language:
                translation.activate(user.language)
                request.LANGUAGE_CODE = translation.get_language()
            if user.time_zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
            else:
                timezone.deactivate()
        response = self.get_response(request)
        return response
