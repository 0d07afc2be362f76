import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_ticket_search_benchmark_runs_small(admin_user):
    from kefu.bench.tickets import measure

    records = {r["figure"]: r for r in measure(300, per_type=3)}
    assert records["rebuild"]["indexed"] >= 300
    assert records["freshness"]["recall_rare_two_character_words"] == 1.0
    assert records["freshness"]["changes"] == 50
    assert records["search_supervisor"]["n"] == 12
    assert records["search_queue_agent"]["p95_ms"] > 0
