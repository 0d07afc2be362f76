from datetime import timedelta

from django.utils import timezone

from kefu.customers.tests.factories import ContactFactory, OrganizationFactory, SiteFactory
from kefu.service import reports
from kefu.service.models import Ticket


def _tickets(make_ticket, site, count, contact):
    for _ in range(count):
        make_ticket(requester_id=contact.pk, site_id=site.pk)


def test_site_far_above_both_norms_is_flagged(make_ticket, supervisor):
    busy_org = OrganizationFactory()
    contact = ContactFactory(primary_organization=busy_org)
    busy, calm = SiteFactory(organization=busy_org), SiteFactory(organization=busy_org)
    other_org = OrganizationFactory()
    other_contact = ContactFactory(primary_organization=other_org)
    others = [SiteFactory(organization=other_org) for _ in range(3)]
    _tickets(make_ticket, busy, 8, contact)
    _tickets(make_ticket, calm, 2, contact)
    for site in others:
        _tickets(make_ticket, site, 2, other_contact)

    flagged = reports.sites_needing_attention(user=supervisor, days=30)

    assert [row["site_id"] for row in flagged] == [busy.pk]
    assert flagged[0]["tickets"] == 8
    assert flagged[0]["organization_norm"] == 2
    assert flagged[0]["overall_norm"] == 2


def test_old_tickets_fall_out_of_the_30_day_window(make_ticket, supervisor):
    org = OrganizationFactory()
    contact = ContactFactory(primary_organization=org)
    busy, calm = SiteFactory(organization=org), SiteFactory(organization=org)
    _tickets(make_ticket, busy, 6, contact)
    _tickets(make_ticket, calm, 1, contact)
    Ticket.objects.filter(site=busy).update(created_at=timezone.now() - timedelta(days=60))
    assert reports.sites_needing_attention(user=supervisor, days=30) == []
    assert [r["site_id"] for r in reports.sites_needing_attention(user=supervisor, days=90)] == [
        busy.pk
    ]


def test_backlog_buckets_and_daily_volume(make_ticket, supervisor):
    make_ticket()
    old = make_ticket()
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    backlog = {b["low"]: b["count"] for b in reports.backlog_by_age(user=supervisor)}
    assert backlog[0] == 1
    assert backlog[7] == 1
    days = reports.volume_by_day(user=supervisor, days=30)
    assert len(days) == 30
    assert sum(d["count"] for d in days) == 2


def test_dashboard_is_for_supervisors_only(client, supervisor, make_agent, make_ticket):
    make_ticket()
    client.force_login(make_agent())
    assert client.get("/service/dashboard/").status_code == 403
    client.force_login(supervisor)
    response = client.get("/service/dashboard/")
    assert response.status_code == 200
    assert 'id="dashboard-data"' in response.content.decode()
