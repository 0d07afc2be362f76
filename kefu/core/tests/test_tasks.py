import pytest
from django.test import override_settings

from kefu.core.models import Heartbeat
from kefu.core.tasks import heartbeat, heartbeat_on_startup, heartbeat_record


@pytest.mark.django_db
def test_heartbeat_record_creates_one_row_then_updates_it_in_place():
    heartbeat_record("worker")
    first = Heartbeat.objects.get(name="worker")
    heartbeat_record("worker")
    second = Heartbeat.objects.get(name="worker")
    assert Heartbeat.objects.count() == 1
    assert first.count == 1
    assert second.count == 2
    assert second.beat_at >= first.beat_at
    assert second.host


@pytest.mark.django_db
def test_heartbeat_job_writes_the_worker_row():
    heartbeat()  # immediate mode in tests: runs now
    assert Heartbeat.objects.get(name="worker").count == 1


@pytest.mark.django_db
def test_consumer_start_up_beats_when_it_runs_the_periodic_schedule(settings):
    settings.HUEY = {**settings.HUEY, "consumer": {"periodic": True}}
    heartbeat_on_startup()
    assert Heartbeat.objects.get(name="worker").count == 1


@pytest.mark.django_db
def test_consumer_start_up_does_not_beat_without_the_periodic_schedule():
    from django.conf import settings

    with override_settings(HUEY={**settings.HUEY, "consumer": {"periodic": False}}):
        heartbeat_on_startup()
    assert not Heartbeat.objects.exists()
