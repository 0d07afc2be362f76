"""The floor every API benchmark is compared to: a Django view that does one INSERT."""

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
