"""SLA screens: countdowns in the list and on the ticket page, "breaching soon", admin forms."""

import pytest
from django.urls import reverse

from kefu.service.models import BusinessCalendar, SlaClock, SlaPolicy
from kefu.service.tests.factories import QueueFactory
from kefu.service.tests.test_sla_clocks import policy  # noqa: F401  (fixture)

NO_LEVELS = {"levels-TOTAL_FORMS": "0", "levels-INITIAL_FORMS": "0"}


def levels_data(*rows: dict, initial: int = 0) -> dict:
    """POST data of the escalation-levels formset with ``rows`` filled in."""
    data = {"levels-TOTAL_FORMS": str(len(rows)), "levels-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"levels-{index}-{key}"] = value
    return data


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
            **levels_data(
                {
                    "metric": "resolution",
                    "level": 1,
                    "offset_minutes": 0,
                    "notify_email": "on",
                    "recipients": ["queue_supervisors"],
                },
                {"metric": "", "level": "", "offset_minutes": 0, "notify_email": "on"},  # blank
            ),
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
        {
            "name": "Zero",
            "calendar": calendar.pk,
            "order": 1,
            "target_3_resolution_minutes": 0,
            **NO_LEVELS,
        },
    )
    assert response.status_code == 422
    assert "target_3_resolution_minutes" in response.context["form"].errors
    assert SlaPolicy.objects.count() == count


def test_policy_levels_are_edited_row_by_row(client, policy, admin_user, make_user):  # noqa: F811
    """The chain shows as rows; a row can be changed, one removed and one added."""
    client.force_login(admin_user)
    url = reverse("service:sla_policy_edit", args=[policy.pk])
    page = client.get(url)
    assert page.status_code == 200
    levels = page.context["levels"]
    assert [f.initial["level"] for f in levels.initial_forms] == [1, 2]
    assert 'data-formset="levels"' in page.content.decode()
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [], "")}
    data["calendar"] = policy.calendar_id
    data["is_active"] = "on"
    data["priorities"] = []
    supervisor = make_user("supervisor", username="sla-boss")
    rows = [
        {  # level 1: now by SMS too, to the queue supervisors and a named user
            "metric": "first_response",
            "level": 1,
            "offset_minutes": 15,
            "notify_email": "on",
            "notify_sms": "on",
            "recipients": ["queue_supervisors"],
            "users": [supervisor.pk],
        },
        {"metric": "first_response", "level": 2, "offset_minutes": 30, "DELETE": "on"},
        {
            "metric": "resolution",
            "level": 1,
            "offset_minutes": 0,
            "notify_email": "on",
            "reassign_queue": policy.levels.first().reassign_queue_id or "",
            "raise_priority": "on",
        },
    ]
    response = client.post(url, {**data, **levels_data(*rows, initial=2)})
    assert response.status_code == 302, response.context and response.context["levels"].errors
    saved = {(lv.metric, lv.level): lv for lv in SlaPolicy.objects.get(pk=policy.pk).levels.all()}
    assert set(saved) == {("first_response", 1), ("resolution", 1)}
    first = saved[("first_response", 1)]
    assert (first.offset_minutes, first.notify_sms) == (15, True)
    assert first.recipients == ["queue_supervisors"]
    assert list(first.users.values_list("pk", flat=True)) == [supervisor.pk]
    assert saved[("resolution", 1)].raise_priority is True


def test_a_level_defined_twice_is_shown_on_its_row(client, policy, admin_user):  # noqa: F811
    client.force_login(admin_user)
    url = reverse("service:sla_policy_edit", args=[policy.pk])
    before = list(SlaPolicy.objects.get(pk=policy.pk).levels.values_list("metric", "level"))
    row = {"metric": "resolution", "level": 1, "offset_minutes": 0, "notify_email": "on"}
    response = client.post(
        url,
        {
            "name": policy.name,
            "calendar": policy.calendar_id,
            "order": 1,
            "target_3_resolution_minutes": 240,
            **levels_data(row, dict(row)),
        },
    )
    assert response.status_code == 422
    rows = response.context["levels"].forms
    assert not rows[0].non_field_errors()
    assert "This level is defined twice." in rows[1].non_field_errors()
    assert "This level is defined twice." in response.content.decode()
    after = list(SlaPolicy.objects.get(pk=policy.pk).levels.values_list("metric", "level"))
    assert after == before


@pytest.mark.parametrize("name", ["service:sla_calendar_new", "service:sla_policy_new"])
def test_agents_cannot_edit_sla_configuration(client, make_agent, name):
    client.force_login(make_agent())
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {"key": "x", "name": "x"}).status_code == 403
