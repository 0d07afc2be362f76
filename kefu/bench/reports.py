"""Benchmark: the service reports at scale (issue #4): CSAT aggregates and time percentiles.

``run(args) -> list[dict]`` runs on the database Django is set up with (``python -m kefu.bench
--only reports``); standalone, ``python -m kefu.bench.reports [--tickets N]`` uses a throw-away
SQLite file. It seeds customers and tickets with conversations like the service benchmark
(``kefu.bench.service.grow_to``: tiny 2k, small 20k, full 100k tickets over two years), gives
every resolved ticket a survey (one ``INSERT … SELECT``, four in five answered), then times,
for the last 365 days (median of 5 runs each):

* ``duration_stats`` for first response and resolution (count, median, p90, histogram), per
  call, against the floor of the same run: one raw ``COUNT(*)`` over the same rows (for first
  response: with the same correlated "first staff reply" subquery the report uses);
* on PostgreSQL, the database's own ``percentile_cont`` over the same durations — the figures
  must be equal (``percentiles_match``) and the time is reported as a second floor;
* ``csat_by`` (agent, queue, organization) and ``csat_trend`` (week) against a raw
  ``GROUP BY`` of the same surveys;
* the reports page (CSAT and times tabs) in-process.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

SCALE_TICKETS = {"tiny": 2_000, "small": 20_000, "full": 100_000}
RUNS = 5


def _median_ms(fn) -> float:
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def seed_surveys() -> int:
    """One survey per resolved ticket without one; ratings 1–5 spread by id, 4 in 5 answered."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO service_survey (ticket_id, contact_id, organization_id, queue_id,
                agent_id, language, nonce, rating, comment, created_at, mailed_at, answered_at)
            SELECT t.id, t.requester_id, t.organization_id, t.queue_id, t.assignee_id, 'zh-hans',
                CAST(t.id AS varchar(32)),
                CASE WHEN t.id % 5 = 0 THEN NULL ELSE 1 + (t.id * 7) % 5 END, '',
                t.resolved_at, t.resolved_at,
                CASE WHEN t.id % 5 = 0 THEN NULL ELSE t.resolved_at END
            FROM service_ticket t
            WHERE t.resolved_at IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM service_survey s WHERE s.ticket_id = t.id)
            """
        )
        return cursor.rowcount


def _raw_count(sql: str, params: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


FIRST_REPLY = (
    "(SELECT e.created_at FROM service_ticketentry e WHERE e.ticket_id = t.id AND e.kind = "
    "'reply' AND e.author_id IS NOT NULL ORDER BY e.created_at LIMIT 1)"
)


def _pg_percentiles(period) -> dict:
    """PostgreSQL's own percentile_cont over the same durations, in hours."""
    from django.db import connection

    queries = {
        "first_response": f"SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY "
        f"EXTRACT(EPOCH FROM ({FIRST_REPLY} - t.created_at))) FROM service_ticket t WHERE "
        f"t.created_at >= %s AND t.created_at < %s AND {FIRST_REPLY} IS NOT NULL",
        "resolution": "SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY "
        "EXTRACT(EPOCH FROM (t.resolved_at - t.created_at))) FROM service_ticket t WHERE "
        "t.resolved_at >= %s AND t.resolved_at < %s",
    }
    found = {}
    with connection.cursor() as cursor:
        for metric, sql in queries.items():
            cursor.execute(sql, [period.start, period.end])
            median, p90 = cursor.fetchone()[0] or (None, None)
            found[metric] = (
                round(median / 3600, 2) if median is not None else None,
                round(p90 / 3600, 2) if p90 is not None else None,
            )
    return found


def measure(admin) -> dict:
    from django.db import connection
    from django.test import Client

    from kefu.service.reporting import Period, csat, times

    period = Period.last_days(365)
    figures: dict = {}
    stats = {}
    for metric in ("first_response", "resolution"):

        def call(metric=metric):
            stats[metric] = times.duration_stats(user=admin, period=period, metric=metric)

        figures[f"{metric}_ms"] = _median_ms(call)
        figures[f"{metric}_rows"] = stats[metric]["count"]
        figures[f"{metric}_median_h"] = stats[metric]["median_hours"]
        figures[f"{metric}_p90_h"] = stats[metric]["p90_hours"]
    figures["floor_first_response_count_ms"] = _median_ms(
        lambda: _raw_count(
            f"SELECT COUNT(*) FROM service_ticket t WHERE t.created_at >= %s AND "
            f"t.created_at < %s AND {FIRST_REPLY} IS NOT NULL",
            [period.start, period.end],
        )
    )
    figures["floor_resolution_count_ms"] = _median_ms(
        lambda: _raw_count(
            "SELECT COUNT(*) FROM service_ticket t WHERE t.resolved_at >= %s AND t.resolved_at < %s",
            [period.start, period.end],
        )
    )
    if connection.vendor == "postgresql":
        native = {}

        def call_native():
            native.update(_pg_percentiles(period))

        figures["floor_pg_percentile_cont_ms"] = _median_ms(call_native)
        figures["percentiles_match"] = all(
            native[m] == (stats[m]["median_hours"], stats[m]["p90_hours"]) for m in native
        )
    for dimension in ("agent", "queue", "organization"):
        figures[f"csat_by_{dimension}_ms"] = _median_ms(
            lambda dimension=dimension: csat.csat_by(user=admin, period=period, dimension=dimension)
        )
    figures["csat_trend_week_ms"] = _median_ms(
        lambda: csat.csat_trend(user=admin, period=period, unit="week")
    )
    figures["floor_survey_group_by_ms"] = _median_ms(
        lambda: _raw_count(
            "SELECT agent_id, COUNT(*), COUNT(rating), SUM(rating) FROM service_survey "
            "WHERE created_at >= %s AND created_at < %s GROUP BY agent_id",
            [period.start, period.end],
        )
    )
    figures["surveys"] = csat.csat_summary(user=admin, period=period)["sent"]
    client = Client()
    client.force_login(admin)
    for tab in ("csat", "times"):

        def page(tab=tab):
            assert client.get(f"/service/reports/?tab={tab}").status_code == 200

        figures[f"page_{tab}_ms"] = _median_ms(page)
    return figures


def run(args=None) -> list[dict]:
    from django.db import connection

    from kefu.bench.runner import bench_admin
    from kefu.bench.service import grow_to

    scale_name = getattr(args, "scale", None) or "full"
    tickets = int(getattr(args, "tickets", None) or SCALE_TICKETS[scale_name])
    admin = bench_admin()
    seed_seconds = round(grow_to(tickets, seed=11), 1)
    started = time.perf_counter()
    inserted = seed_surveys()
    survey_seconds = round(time.perf_counter() - started, 2)
    figures = measure(admin)
    return [
        {
            "benchmark": "reports",
            "database": connection.vendor,
            "tickets": tickets,
            "seed_seconds": seed_seconds,
            "surveys_inserted": inserted,
            "survey_seed_seconds": survey_seconds,
            **figures,
        }
    ]


def main(argv: list[str] | None = None) -> None:
    """``python -m kefu.bench.reports [--tickets N]``: on a temporary SQLite file of its own."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=None)
    parser.add_argument("--scale", choices=sorted(SCALE_TICKETS), default="tiny")
    args = parser.parse_args(argv)
    directory = tempfile.mkdtemp(prefix="kefu-bench-reports-")
    os.environ.pop("KEFU_DATABASE_URL", None)
    os.environ["KEFU_SQLITE_PATH"] = os.path.join(directory, "bench.sqlite3")
    os.environ["KEFU_VAR_DIR"] = os.path.join(directory, "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "kefu.bench.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    for record in run(args):
        print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
