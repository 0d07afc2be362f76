"""The mail benchmark runs (tiny) and reports its figures with the floor measured in the run."""

import pytest

pytestmark = pytest.mark.slow


def test_mail_benchmark_reports_rate_parse_times_and_floor(db):
    from kefu.bench.mail import measure
    from kefu.bench.runner import BENCHMARKS, PLUGINS

    assert "mail" in BENCHMARKS and "mail" in PLUGINS
    (record,) = measure(30)
    assert record["benchmark"] == "mail_intake"
    assert record["processed"] == 30 and record["quarantined"] == 0
    assert record["follow_ups"] > 0
    assert record["messages_per_s"] > 0 and record["floor_insert_tx_per_s"] > 0
    assert record["parse_p95_ms"] >= record["parse_p50_ms"] > 0
