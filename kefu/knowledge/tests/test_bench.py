import pytest

pytestmark = pytest.mark.django_db


def test_knowledge_benchmark_runs_small_and_finds_every_needle():
    from kefu.bench.knowledge import measure

    records = {r["figure"]: r for r in measure(200, per_type=3)}
    assert records["recall_two_character_chinese"]["recall"] == 1.0
    assert records["search"]["n"] == 12
    assert records["suggestions"]["p95_ms"] > 0
