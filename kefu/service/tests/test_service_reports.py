"""Service reports against a hand-computed fixture: CSAT, time percentiles, SLA compliance,
permissions and CSV export. Times are local (Asia/Shanghai); the period is October 2026."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from kefu.service.models import SlaClock, Survey, Ticket, TicketEntry
from kefu.service.reporting import Period, csat, sla, times

OCTOBER = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def local(day: str, hour: float = 10) -> dt.datetime:
    base = dt.datetime.fromisoformat(day) + dt.timedelta(hours=hour)
    return timezone.make_aware(base)


@pytest.fixture
def world(make_ticket, make_agent, desk, supervisor):
    from kefu.customers.tests.factories import ContactFactory, OrganizationFactory
    from kefu.service.tests.factories import QueueFactory

    queue_b = QueueFactory(name="Network", name_zh_hans="网络")
    agent1 = make_agent(desk, username="agent1", first_name="Ann", last_name="Lee")
    agent2 = make_agent(queue_b, username="agent2", first_name="Bo", last_name="Chen")
    org_x = OrganizationFactory(name="星巴克（上海）")
    org_y = OrganizationFactory(name="Acme Ltd")
    customer = ContactFactory(primary_organization=org_x)

    # name: (queue, agent, org, created, first staff reply after h, resolved after h)
    plan = {
        "t1": (desk, agent1, org_x, local("2026-10-05"), 1, 2),
        "t2": (desk, agent1, org_x, local("2026-10-06"), 3, 10),
        "t3": (queue_b, agent2, org_y, local("2026-10-19"), 5, 30),
        "t4": (queue_b, agent2, org_y, local("2026-10-20"), 0.5, None),
        "t5": (desk, agent1, org_x, local("2026-09-01"), 100, 39 * 24),
    }
    tickets = {}
    for name, (queue, agent, org, created, reply_h, resolved_h) in plan.items():
        ticket = make_ticket(subject=f"Ticket {name}")
        TicketEntry.objects.filter(ticket=ticket).delete()
        resolved = created + dt.timedelta(hours=resolved_h) if resolved_h else None
        Ticket.objects.filter(pk=ticket.pk).update(
            queue=queue,
            assignee=agent,
            organization=org,
            created_at=created,
            resolved_at=resolved,
            status_category="resolved" if resolved else "open",
        )
        # The customer's message, an internal note, then the first and a later staff reply:
        # only the first public staff reply counts.
        entries = [
            ("reply", None, customer, created),
            ("note", agent, None, created + dt.timedelta(minutes=6)),
            ("reply", agent, None, created + dt.timedelta(hours=reply_h)),
            ("reply", agent, None, created + dt.timedelta(hours=reply_h + 1)),
        ]
        for kind, author, contact, at in entries:
            entry = TicketEntry.objects.create(
                ticket=ticket, kind=kind, author=author, author_contact=contact, body="x"
            )
            TicketEntry.objects.filter(pk=entry.pk).update(created_at=at)
        tickets[name] = Ticket.objects.get(pk=ticket.pk)

    surveys = [
        ("t1", 5, local("2026-10-05", 12)),
        ("t2", 3, local("2026-10-06", 20)),
        ("t3", 2, local("2026-10-20", 16)),
        ("t4", None, local("2026-10-21")),
        ("t5", 1, local("2026-09-20")),
    ]
    for name, rating, sent in surveys:
        ticket = tickets[name]
        Survey.objects.create(
            ticket=ticket,
            contact=customer,
            organization_id=ticket.organization_id,
            queue_id=ticket.queue_id,
            agent_id=ticket.assignee_id,
            rating=rating,
            created_at=sent,
            answered_at=sent if rating else None,
        )

    clocks = [
        ("t1", "first_response", "met", None),
        ("t2", "first_response", "breached", local("2026-10-06", 14)),
        ("t3", "resolution", "met", local("2026-10-20", 9)),  # breached, then stopped
        ("t4", "resolution", "running", None),
        ("t1", "resolution", "met", None),
        ("t5", "resolution", "breached", local("2026-09-03")),  # started before October
    ]
    SlaClock.objects.all().delete()  # whatever the SLA engine started: this fixture sets its own
    for name, metric, state, breached_at in clocks:
        ticket = tickets[name]
        SlaClock.objects.create(
            ticket=ticket,
            metric=metric,
            state=state,
            target_seconds=3600,
            started_at=ticket.created_at,
            breached_at=breached_at,
        )
    return SimpleNamespace(
        tickets=tickets,
        agent1=agent1,
        agent2=agent2,
        queue_a=desk,
        queue_b=queue_b,
        org_x=org_x,
        org_y=org_y,
        supervisor=supervisor,
    )


def test_csat_per_agent_queue_organization_and_overall(world):
    user = world.supervisor
    assert csat.csat_summary(user=user, period=OCTOBER) == {
        "sent": 4,
        "answered": 3,
        "average": 3.33,
        "response_rate": 75.0,
        "csat": 33.3,
    }
    by_agent = {
        row["id"]: row for row in csat.csat_by(user=user, period=OCTOBER, dimension="agent")
    }
    assert by_agent[world.agent1.pk] == {
        "id": world.agent1.pk,
        "label": "Ann Lee",
        "sent": 2,
        "answered": 2,
        "average": 4.0,
        "response_rate": 100.0,
        "csat": 50.0,
    }
    assert by_agent[world.agent2.pk]["average"] == 2.0
    assert by_agent[world.agent2.pk]["response_rate"] == 50.0
    assert by_agent[world.agent2.pk]["csat"] == 0.0
    by_queue = {
        row["id"]: row for row in csat.csat_by(user=user, period=OCTOBER, dimension="queue")
    }
    assert by_queue[world.queue_b.pk]["label"] in ("Network", "网络")
    assert by_queue[world.queue_a.pk]["sent"] == 2
    by_org = csat.csat_by(user=user, period=OCTOBER, dimension="organization")
    assert [(row["label"], row["sent"], row["csat"]) for row in by_org] == [
        ("Acme Ltd", 2, 0.0),
        ("星巴克（上海）", 2, 50.0),
    ] or [(row["label"], row["sent"], row["csat"]) for row in by_org] == [
        ("星巴克（上海）", 2, 50.0),
        ("Acme Ltd", 2, 0.0),
    ]


def test_csat_trend_by_week_and_month(world):
    weeks = csat.csat_trend(user=world.supervisor, period=OCTOBER, unit="week")
    assert [(w["period"], w["sent"], w["answered"], w["csat"]) for w in weeks] == [
        ("2026-10-05", 2, 2, 50.0),
        ("2026-10-19", 2, 1, 0.0),
    ]
    months = csat.csat_trend(
        user=world.supervisor, period=Period(dt.date(2026, 9, 1), OCTOBER.last), unit="month"
    )
    assert [(m["period"], m["sent"], m["average"]) for m in months] == [
        ("2026-09-01", 1, 1.0),
        ("2026-10-01", 4, 3.33),
    ]


def test_first_response_median_p90_and_histogram(world):
    stats = times.duration_stats(user=world.supervisor, period=OCTOBER, metric="first_response")
    # Replies after 1, 3, 5 and 0.5 hours (t5 was created in September).
    assert stats["count"] == 4
    assert stats["median_hours"] == 2.0  # between 1 and 3
    assert stats["p90_hours"] == 4.4  # 3 + 0.7 * (5 - 3)
    assert [b["count"] for b in stats["histogram"]] == [1, 2, 1, 0, 0, 0, 0]


def test_resolution_median_p90_by_resolution_date(world):
    stats = times.duration_stats(user=world.supervisor, period=OCTOBER, metric="resolution")
    # Resolved in October: 2, 10, 30 and 936 hours (t5, opened in September).
    assert stats["count"] == 4
    assert stats["median_hours"] == 20.0
    assert stats["p90_hours"] == 664.2  # 30 + 0.7 * (936 - 30)
    assert [b["count"] for b in stats["histogram"]] == [0, 1, 0, 1, 1, 0, 1]
    by_queue = {
        row["id"]: row
        for row in times.duration_stats_by(
            user=world.supervisor, period=OCTOBER, metric="resolution", dimension="queue"
        )
    }
    assert by_queue[world.queue_a.pk]["count"] == 3
    assert by_queue[world.queue_a.pk]["median_hours"] == 10.0
    assert by_queue[world.queue_b.pk] | {} == by_queue[world.queue_b.pk]
    assert (by_queue[world.queue_b.pk]["count"], by_queue[world.queue_b.pk]["p90_hours"]) == (
        1,
        30.0,
    )


def test_sla_compliance_by_queue_priority_and_week(world):
    user = world.supervisor
    by_queue = {
        row["id"]: row
        for row in sla.sla_compliance_by(user=user, period=OCTOBER, dimension="queue")
    }
    assert {
        k: by_queue[world.queue_a.pk][k]
        for k in ("total", "met", "breached", "running", "compliance")
    } == {
        "total": 3,
        "met": 2,
        "breached": 1,
        "running": 0,
        "compliance": 66.7,
    }
    assert (by_queue[world.queue_b.pk]["breached"], by_queue[world.queue_b.pk]["running"]) == (1, 1)
    assert by_queue[world.queue_b.pk]["compliance"] == 0.0
    (priority,) = sla.sla_compliance_by(user=user, period=OCTOBER, dimension="priority")
    assert (priority["total"], priority["met"], priority["breached"], priority["compliance"]) == (
        5,
        2,
        2,
        50.0,
    )
    weeks = sla.sla_compliance_by(user=user, period=OCTOBER, dimension="week")
    assert [(w["label"], w["met"], w["breached"]) for w in weeks] == [
        ("2026-10-05", 2, 1),
        ("2026-10-19", 0, 1),
    ]
    first = sla.sla_compliance_summary(user=user, period=OCTOBER, metric="first_response")
    assert (first["met"], first["breached"], first["compliance"]) == (1, 1, 50.0)


def test_reports_page_for_supervisor_and_denied_to_agent(world, client, agent):
    url = "/service/reports/?start=2026-10-01&end=2026-10-31"
    client.force_login(agent)
    assert client.get(url).status_code == 403
    assert (
        client.get("/service/reports/csat_agent.csv?start=2026-10-01&end=2026-10-31").status_code
        == 403
    )
    client.force_login(world.supervisor)
    for tab in ("csat", "times", "sla", "contracts"):
        response = client.get(f"{url}&tab={tab}")
        assert response.status_code == 200, tab
    page = client.get(f"{url}&tab=csat").content.decode()
    assert 'id="csat-percent">33.3%' in page and "Ann Lee" in page
    assert 'id="chart-csat-trend"' in page


def test_anonymous_is_sent_to_login(client):
    response = client.get("/service/reports/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_bad_period_shows_an_error_not_a_500(world, client):
    client.force_login(world.supervisor)
    response = client.get("/service/reports/?start=2026-10-31&end=2026-10-01")
    assert response.status_code == 200
    assert 'id="filter-errors"' in response.content.decode()
    assert client.get("/service/reports/?start=nonsense").status_code == 200
    csv_bad = client.get("/service/reports/csat_agent.csv?start=2026-10-31&end=2026-10-01")
    assert csv_bad.status_code == 400
    assert client.get("/service/reports/nope.csv").status_code == 404


def test_csv_export_is_utf8_with_bom(world, client):
    client.force_login(world.supervisor)
    response = client.get("/service/reports/csat_organization.csv?start=2026-10-01&end=2026-10-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith("\ufeff".encode())
    lines = body.decode("utf-8-sig").splitlines()
    assert len(lines) == 3
    assert "星巴克（上海）,2,2,100.0,4.0,50.0" in lines
    assert "attachment" in response["Content-Disposition"]


def test_portal_customer_is_denied_the_reports(world, client, make_user):
    customer = make_user(None, username="portal-user")
    client.force_login(customer)
    assert client.get("/service/reports/").status_code == 403
    assert client.get("/service/reports/csat_agent.csv").status_code == 403


def test_organization_page_shows_its_satisfaction(world, client):
    from kefu.service.models import Survey

    # Move the fixture's October surveys into the last year, as the panel looks back 365 days.
    Survey.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    client.force_login(world.supervisor)
    page = client.get(world.org_x.get_absolute_url()).content.decode()
    assert "satisfaction-panel" in page
    # org X: ratings 5, 3 and 1 (t5) -> 1 of 3 satisfied
    panel = page[page.index("satisfaction-panel") :][:600]
    assert '<span class="stat">33.3%</span>' in panel, panel


def test_contract_usage_lists_contracts_in_force_with_the_periods_use(world):
    from kefu.service.models import Contract, ContractConsumption
    from kefu.service.reporting.contracts import contract_usage

    contract = Contract.objects.create(
        organization=world.org_x,
        number="C-2026-01",
        name="维护合同",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        allowance_unit="tickets",
        allowance_units=10,
        used_units=8,
    )
    Contract.objects.create(
        organization=world.org_y,
        number="C-2025-09",
        name="Old",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2025, 12, 31),
        allowance_unit="tickets",
        allowance_units=5,
    )
    for name, at in (
        ("t1", local("2026-10-05")),
        ("t2", local("2026-10-06")),
        ("t5", local("2026-09-01")),
    ):
        ContractConsumption.objects.create(
            contract=contract, ticket=world.tickets[name], kind="ticket", units=1, created_at=at
        )
    (row,) = contract_usage(period=OCTOBER)
    assert (row["number"], row["organization"], row["allowance"], row["used"]) == (
        "C-2026-01",
        "星巴克（上海）",
        "10",
        "8",
    )
    assert (row["remaining"], row["used_percent"], row["period_used"]) == ("2", 80, "2")
