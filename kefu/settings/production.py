"""Production hardening on top of the environment-driven base settings.

Used by ``check --deploy`` in CI and by the gunicorn deployment in README.md. The secret key must
come from the environment here: a generated development key is refused.
"""

from django.core.exceptions import ImproperlyConfigured

from kefu.settings import *  # noqa: F403
from kefu.settings.env import env, envbool, envint

if not env("KEFU_SECRET_KEY"):
    raise ImproperlyConfigured("KEFU_SECRET_KEY must be set in production")
SECRET_KEY = env("KEFU_SECRET_KEY")
DEBUG = False
SECURE_SSL_REDIRECT = envbool("KEFU_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("KEFU_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("KEFU_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to preload HSTS for the whole domain is the operator's decision (it is
    # hard to undo), so it is opt-in through KEFU_HSTS_PRELOAD rather than a deploy warning.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if not REDIS_URL:  # noqa: F405
    # Without Redis the rate limits count in the database cache, which every process shares.
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]
