"""SLA screens: countdowns in the list and on the ticket page, "breaching soon", admin forms."""

import pytest
from django.urls import reverse

from kefu.service.models import BusinessCalendar, SlaClock, SlaPolicy
from kefu.service.tests.factories import QueueFactory
from kefu.service.tests.test_sla_clocks import policy  # noqa: F401  (fixture)


def test_list_and_ticket_page_show_countdowns(client, policy, make_ticket, make_agent):  # noqa: F811
    agent = make_agent()
    ticket = make_ticket(priority=3, assignee_id=agent.pk)
    client.force_login(agent)
    listing = client.get(reverse("service:ticket_list"))
    assert listing.status_code == 200
    assert 'class="badge ok sla-green"' in listing.content.decode()
    page = client.get(ticket.get_absolute_url())
    assert page.status_code == 200
    assert 'id="sla-clocks"' in page.content.decode()
    assert 'id="sla-first_response"' in page.content.decode()


def test_breaching_soon_shows_only_visible_tickets(client, policy, make_ticket, make_agent):  # noqa: F811
    agent = make_agent()
    mine = make_ticket(priority=3)
    other_queue = QueueFactory()
    hidden = make_ticket(priority=3, queue_id=other_queue.pk)
    client.force_login(agent)
    response = client.get(reverse("service:sla_breaching"), {"within": 1})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="breaching-{mine.pk}-first_response"' in body
    assert f"breaching-{hidden.pk}-" not in body
    SlaClock.objects.filter(ticket=mine).update(due_at=None)
    assert (
        f"breaching-{mine.pk}-" not in client.get(reverse("service:sla_breaching")).content.decode()
    )


def test_calendar_form_refuses_overlap_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    count = BusinessCalendar.objects.count()
    response = client.post(
        reverse("service:sla_calendar_new"),
        {
            "key": "shop",
            "name": "Shop",
            "time_zone": "Asia/Shanghai",
            "monday": "09:00-12:00, 11:00-18:00",
            "tuesday": "18:00-09:00",
            "exceptions": "2026-10-01 holiday 国庆节\nnot-a-date",
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "monday" in form.errors and "tuesday" in form.errors and "exceptions" in form.errors
    assert BusinessCalendar.objects.count() == count


def test_calendar_without_working_time_is_a_form_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("service:sla_calendar_new"),
        {"key": "none", "name": "None", "time_zone": "Asia/Shanghai"},
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert not BusinessCalendar.objects.filter(key="none").exists()


def test_admin_creates_calendar_and_policy(client, admin_user, desk):
    client.force_login(admin_user)
    response = client.post(
        reverse("service:sla_calendar_new"),
        {
            "key": "shop",
            "name": "Shop",
            "name_zh_hans": "门店",
            "time_zone": "Asia/Shanghai",
            "monday": "09:00-12:00, 13:30-18:00",
            "exceptions": "2026-10-10 workday 调休",
        },
    )
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(key="shop")
    assert calendar.intervals.count() == 2 and calendar.exceptions.get().kind == "workday"
    response = client.post(
        reverse("service:sla_policy_new"),
        {
            "name": "Shop",
            "calendar": calendar.pk,
            "order": 5,
            "is_active": "on",
            "pause_categories": ["waiting"],
            "target_1_first_response_minutes": 30,
            "target_1_resolution_minutes": 240,
            "levels": '[{"metric": "resolution", "level": 1, "recipients": ["queue_supervisors"]}]',
        },
    )
    assert response.status_code == 302
    saved = SlaPolicy.objects.get(name="Shop")
    assert saved.targets.get().first_response_minutes == 30
    assert saved.levels.get().recipients == ["queue_supervisors"]


def test_policy_form_refuses_zero_target(client, admin_user, desk):
    client.force_login(admin_user)
    calendar = BusinessCalendar.objects.first()
    count = SlaPolicy.objects.count()
    response = client.post(
        reverse("service:sla_policy_new"),
        {"name": "Zero", "calendar": calendar.pk, "order": 1, "target_3_resolution_minutes": 0},
    )
    assert response.status_code == 422
    assert "target_3_resolution_minutes" in response.context["form"].errors
    assert SlaPolicy.objects.count() == count


@pytest.mark.parametrize("name", ["service:sla_calendar_new", "service:sla_policy_new"])
def test_agents_cannot_edit_sla_configuration(client, make_agent, name):
    client.force_login(make_agent())
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {"key": "x", "name": "x"}).status_code == 403
