import json

import pytest

from kefu.bench.runner import SCALES, run_benchmarks
from kefu.customers.models import Contact


@pytest.mark.django_db
def test_csv_import_benchmark_runs_at_tiny_scale_and_reports_its_floor():
    records = list(
        run_benchmarks(["csv_import"], SCALES["tiny"], floors={"floor_insert_tx_per_s": 1.0})
    )
    assert len(records) == 1
    record = records[0]
    json.dumps(record)
    assert "error" not in record, record
    assert record["benchmark"] == "csv_import"
    assert record["cache"] in {"db", "locmem", "redis"}  # which cache the figures ran with
    assert record["created"] == SCALES["tiny"].import_rows
    assert record["rows_per_s"] > 0
    assert record["floor_batched_insert_rows_per_s"] > 0
    assert record["floor_insert_tx_per_s"] == 1.0
    # The import's contacts and the floor's raw rows are both there.
    assert Contact.objects.count() == 2 * SCALES["tiny"].import_rows


@pytest.mark.django_db
def test_floors_measure_inserts_and_lookups():
    from kefu.bench.runner import measure_floors

    floors = measure_floors(SCALES["tiny"], None)
    assert floors["floor_insert_tx_per_s"] > 0
    assert floors["floor_lookup_per_s"] > 0
