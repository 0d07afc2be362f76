"""`kefu seed --demo` gives the desk and the knowledge base something to show."""

import io

import pytest
from django.core.management import call_command

from kefu.knowledge.models import Article
from kefu.service.models import Contract, SlaClock, Survey, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_demo_has_tickets_on_a_contract_with_clocks_a_survey_and_articles():
    out = io.StringIO()
    call_command("seed", "--demo", stdout=out, stderr=io.StringIO())

    assert "3 tickets" in out.getvalue()
    tickets = Ticket.objects.order_by("pk")
    assert [t.status_category for t in tickets] == ["open", "new", "resolved"]
    contract = Contract.objects.get(number="DEMO-2026-001")
    assert set(tickets.values_list("contract_id", flat=True)) == {contract.pk}
    assert contract.used_units == 3 and contract.allowance_units == 4
    assert not tickets.filter(billable=True).exists()
    assert Survey.objects.filter(ticket=tickets[2]).count() == 1
    assert SlaClock.objects.filter(ticket__in=tickets).exists()
    published = Article.objects.filter(status="published", visibility="public")
    assert set(published.values_list("language", flat=True)) == {"zh-hans", "en"}
    assert published.count() == 3

    call_command("seed", "--demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert Ticket.objects.count() == 3 and Contract.objects.count() == 1
