"""Plain batched INSERTs for the paths that write hundreds of thousands of rows (seed, import).

``QuerySet.bulk_create`` spends most of its time preparing each value through the field
machinery (about 150 µs per row here); rows the caller has already validated and converted to
database-ready values can skip that. Primary keys are reserved up front so that child rows
(identities, memberships) can point at their contact in the same pass:

* PostgreSQL: ``nextval`` of the table's sequence, so concurrent writers never collide;
* SQLite: the next numbers after the highest id ever used. This is safe only inside a
  transaction, because Kefu opens SQLite transactions with ``BEGIN IMMEDIATE``: the write lock is
  held from the first statement, so no other writer can take the same numbers.

Callers must pass values the database accepts as they are (str, int, bool, None) or converted
with :func:`db_value`; nothing here validates.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return ``count`` fresh primary keys for ``model`` (inside a transaction)."""
    if count <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ids must run inside transaction.atomic()")
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name
        # Table and column names come from model metadata, never from input.
        cursor.execute(f"SELECT MAX({quoted(pk_column)}) FROM {quoted(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        # AUTOINCREMENT tables remember deleted ids too: never hand one out again.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        if row and row[0]:
            highest = max(highest, row[0])
    return list(range(highest + 1, highest + 1 + count))


def db_value(model: type[models.Model], field_name: str, value: Any) -> Any:
    """Convert one value for ``field_name`` the way the ORM would (dates, JSON, decimals)."""
    return model._meta.get_field(field_name).get_db_prep_save(value, connection)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT ``rows`` (tuples in ``fields`` order) into ``model``'s table with executemany."""
    if not rows:
        return
    quoted = connection.ops.quote_name
    columns = ", ".join(quoted(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    verb = "INSERT"
    suffix = ""
    if ignore_conflicts:
        if connection.vendor == "postgresql":
            suffix = " ON CONFLICT DO NOTHING"
        else:
            verb = "INSERT OR IGNORE"
    sql = f"{verb} INTO {quoted(model._meta.db_table)} ({columns}) VALUES ({placeholders}){suffix}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
