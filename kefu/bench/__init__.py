"""Kefu's benchmarks: ``python -m kefu.bench`` (``make bench``).

Every benchmark prints one JSON object per line with its figures and the floors it is compared
to, all measured in the same run on the same, separate database (a temporary SQLite file or the
PostgreSQL database ``kefu_bench``, never the development database):

* ``floor_insert_tx_per_s``: raw single-row INSERT transactions per second;
* ``floor_lookup_per_s``: raw indexed point lookups per second;
* ``floor_view_rps``: a minimal Django view doing one INSERT, served like Kefu (gunicorn,
  persistent database connections, Kefu's middleware), driven by :mod:`kefu.bench.loadgen`.

Benchmarks: ``contact_api`` (contact create through the API, and its ratio to the one-INSERT
view), ``organization_360`` (the 360° page of an organization with 1,000 sites and 10,000
timeline events, p50/p95), ``csv_import`` (CSV import of 100k contacts against a raw batched
insert of the same rows) and the benchmarks other apps contribute as ``kefu.bench.<name>``
modules with ``run(args) -> list[dict]`` (``search``: global search at 1M contacts; ``mail``).
"""
