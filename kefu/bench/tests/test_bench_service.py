import argparse
import json

import pytest
from django.core.management import call_command

from kefu.customers.models import Contact
from kefu.service.models import AgentProfile, QueueMembership, Ticket, TicketEntry


@pytest.mark.django_db
def test_seed_tickets_writes_tickets_with_conversations_for_existing_customers():
    call_command("seed", organizations=5, sites=10, contacts=50, seed=1, verbosity=0)
    call_command("seed_tickets", tickets=120, agents=4, long=2, seed=2, verbosity=0)

    assert Ticket.objects.count() == 120
    assert Ticket.objects.filter(number__startswith="T-").count() == 120
    # Every ticket has its first message; two have 200 entries.
    assert Ticket.objects.filter(entries__isnull=True).count() == 0
    assert TicketEntry.objects.filter(ticket__subject__isnull=False).count() >= 120 + 2 * 199
    long_ids = [
        t.pk for t in Ticket.objects.all() if TicketEntry.objects.filter(ticket=t).count() == 200
    ]
    assert len(long_ids) == 2
    # Requesters, organizations and assignees are rows that exist.
    contact_ids = set(Contact.objects.values_list("pk", flat=True))
    assert set(Ticket.objects.values_list("requester_id", flat=True)) <= contact_ids
    assert Ticket.objects.filter(organization__isnull=True).count() == 0
    assert AgentProfile.objects.filter(user__username__startswith="seed-agent-").count() == 4
    assignees = set(Ticket.objects.exclude(assignee=None).values_list("assignee_id", flat=True))
    assert assignees <= set(QueueMembership.objects.values_list("user_id", flat=True))
    # Chinese and English subjects, several queues and statuses.
    subjects = list(Ticket.objects.values_list("subject", flat=True))
    assert any(not s.isascii() for s in subjects)
    assert Ticket.objects.values("queue").distinct().count() > 1
    assert Ticket.objects.values("status_category").distinct().count() > 2


@pytest.mark.django_db
def test_seed_tickets_refuses_negative_sizes_and_writes_nothing():
    with pytest.raises(Exception, match="negative"):
        call_command("seed_tickets", tickets=-1, verbosity=0)
    assert Ticket.objects.count() == 0


@pytest.mark.django_db
def test_service_benchmark_runs_at_tiny_scale_in_process():
    from kefu.bench import service

    args = argparse.Namespace(scale="tiny", server=None, floors={}, tickets=300)
    records = {r["benchmark"]: r for r in service.run(args)}
    json.dumps(records)
    assert set(records) == {
        "service.queue_view",
        "service.tiles",
        "service.ticket_page",
        "service.ticket_create",
        "service.team_board",
        "service.assignment",
        "service.scaling",
    }
    view = records["service.queue_view"]
    assert view["tickets"] >= 300 and view["statuses"] == {200: 20}
    # The list's query count does not grow with the page size.
    assert view["queries_page_25"] == view["queries_page_50"] <= 10
    assert records["service.ticket_page"]["entries"] >= 200
    create = records["service.ticket_create"]
    assert create["tickets_created"] == 20 and create["errors"] == 0
    assert create["entries_written"] >= 20
    board = records["service.team_board"]
    assert board["agents"] >= 500 and board["statuses"] == {200: 20}
    assert records["service.assignment"]["agents"] == 500
    assert records["service.assignment"]["picked_someone"]
    assert records["service.scaling"]["tickets_tenth"] == 30
