"""Settings for the benchmark server: Kefu's own, plus the one-INSERT floor view's URL."""

from kefu.settings import *  # noqa: F403

ROOT_URLCONF = "kefu.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
