"""The floors the benchmarks are compared to: Django views doing one INSERT and one read."""

import time

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

FLOOR_TABLE = "bench_floor"


@csrf_exempt
def one_insert(request):
    """Insert one row (its own transaction, autocommit) and answer 201 with no body."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {FLOOR_TABLE} (name, value) VALUES (%s, %s)",
            [f"view-{time.perf_counter_ns()}", 1],
        )
    return HttpResponse(status=201)


def one_read(request):
    """Read one row by its primary key and answer a small HTML page (the page floor)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, name, value FROM {FLOOR_TABLE} WHERE id = %s", [1])
        row = cursor.fetchone()
    return HttpResponse(f"<!doctype html><p>{row[1] if row else ''}</p>")
