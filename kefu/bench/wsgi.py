"""The benchmark server: Kefu with the floor view added (``gunicorn kefu.bench.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.bench.settings")
application = get_wsgi_application()
