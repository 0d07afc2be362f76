"""Background jobs of the core app."""

import socket

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from kefu.core.models import Heartbeat


def heartbeat_record(name: str = "worker") -> None:
    """Record that a consumer of kind ``name`` is alive (one row, updated in place)."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(
        beat_at=now, host=socket.gethostname()[:200], count=F("count") + 1
    )
    if not updated:
        Heartbeat.objects.get_or_create(
            name=name, defaults={"beat_at": now, "host": socket.gethostname()[:200], "count": 1}
        )


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    heartbeat_record("worker")


@HUEY.on_startup()
def heartbeat_on_startup() -> None:
    """Beat as soon as a consumer that runs the periodic schedule starts, so the status page is
    green at once instead of after the first full minute."""
    if not settings.HUEY.get("consumer", {}).get("periodic", True):
        return
    heartbeat_record("worker")
