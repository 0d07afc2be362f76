"""Settings for the benchmark server: Kefu's own, plus the one-INSERT floor view's URL."""

from kefu.settings import *  # noqa: F403
from kefu.settings.env import env

# The PostgreSQL leg runs as production does (README, "Production"): Redis as the shared cache
# and in front of the sessions. Jobs stay as configured: a Redis queue would need a consumer.
BENCH_CACHE_URL = env("KEFU_BENCH_CACHE_URL")
if BENCH_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BENCH_CACHE_URL,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

ROOT_URLCONF = "kefu.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"handlers": [], "level": "WARNING"},
}
