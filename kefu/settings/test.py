"""Settings for the test suite: the base settings, with jobs run immediately and fast hashing.

Which database the suite runs on is still chosen by ``KEFU_DATABASE_URL`` (CI runs it twice).
"""

from kefu.settings import *  # noqa: F403
from kefu.settings import HUEY

HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher"
]  # speed; argon2 is tested apart
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
