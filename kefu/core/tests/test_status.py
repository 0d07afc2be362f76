from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kefu.core.models import Heartbeat
from kefu.core.tasks import heartbeat_record


@pytest.mark.django_db
def test_status_page_shows_a_recent_heartbeat_as_running(client, admin_user):
    heartbeat_record("worker")
    client.force_login(admin_user)
    response = client.get(reverse("core:status"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="heartbeat-worker"' in html
    assert 'class="badge ok"' in html
    assert Heartbeat.objects.get(name="worker").host in html


@pytest.mark.django_db
def test_status_page_shows_a_stale_heartbeat_as_not_running(client, admin_user):
    Heartbeat.objects.create(
        name="worker", beat_at=timezone.now() - timedelta(minutes=10), host="old", count=3
    )
    client.force_login(admin_user)
    html = client.get(reverse("core:status")).content.decode()
    assert 'id="heartbeat-worker"' in html
    assert 'class="badge danger"' in html
    assert 'class="badge ok"' not in html


@pytest.mark.django_db
def test_status_page_without_any_heartbeat_says_no_consumer_reported(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("core:status"))
    assert response.status_code == 200
    assert 'id="heartbeat-none"' in response.content.decode()


@pytest.mark.django_db
def test_status_page_names_the_database_and_queue_backends(client, admin_user):
    from django.db import connection

    client.force_login(admin_user)
    html = client.get(reverse("core:status")).content.decode()
    assert connection.vendor in html
    assert "Huey" in html


@pytest.mark.django_db
def test_status_page_is_forbidden_to_agents(client, agent):
    heartbeat_record("worker")
    client.force_login(agent)
    response = client.get(reverse("core:status"))
    assert response.status_code == 403
    assert b"heartbeat-worker" not in response.content


@pytest.mark.django_db
def test_status_page_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("core:status"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
