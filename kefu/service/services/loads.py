"""Agents' loads (active tickets): folding the triggers' changes into the totals, recounting.

The database's triggers on ``service_ticket`` (migration ``0010_agent_loads``) append every
change of an agent's active tickets to ``AgentLoadChange``; an agent's load is its
``AgentLoad`` total plus those changes (:func:`kefu.service.routing.agent_loads`), and a
read sums every unfolded change (0.34 ms with 1,000 of them, 2.6 ms with 10,000 on SQLite).
Folding keeps them to about a minute's worth: it runs every minute
(``tasks.agent_loads_fold``) and after seeding.

A reader always sees a consistent load: the fold moves changes into totals in one
transaction, and a reader's one statement sees either both before it or both after it.
"""

from django.db import connection, transaction

from kefu.service.choices import ACTIVE_CATEGORIES
from kefu.service.models import AgentLoad, AgentLoadChange, Ticket

LOADS = AgentLoad._meta.db_table
CHANGES = AgentLoadChange._meta.db_table


def _drop_departed(cursor) -> None:
    """Totals of users who no longer exist (their tickets' changes were folded to zero)."""
    from django.contrib.auth import get_user_model

    users = get_user_model()._meta.db_table
    cursor.execute(
        f"DELETE FROM {LOADS} WHERE NOT EXISTS "  # noqa: S608  (identifiers from model metadata)
        f"(SELECT 1 FROM {users} u WHERE u.id = {LOADS}.user_id)"
    )


def agent_loads_fold() -> int:
    """Add the changes appended so far to the agents' totals; return how many agents changed.

    PostgreSQL: one statement deletes the committed changes and adds them up (changes still
    being written by open transactions are not visible to it and stay for the next fold; two
    folds at once cannot both take a change, the second finds it deleted). SQLite: writers are
    serialised by the IMMEDIATE transaction, so the changes up to the largest id are the ones
    to move.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        upsert = f"ON CONFLICT (user_id) DO UPDATE SET active = {LOADS}.active + EXCLUDED.active"
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""WITH taken AS (DELETE FROM {CHANGES} RETURNING user_id, delta)
                INSERT INTO {LOADS} (user_id, active)
                SELECT user_id, SUM(delta) FROM taken GROUP BY user_id ORDER BY user_id
                {upsert}"""  # noqa: S608  (identifiers from model metadata)
            )
            changed = cursor.rowcount
        else:
            cursor.execute(f"SELECT MAX(id) FROM {CHANGES}")  # noqa: S608
            (last,) = cursor.fetchone()
            if last is None:
                return 0
            # (WHERE before GROUP BY: SQLite needs it to tell the upsert from a join's ON.)
            cursor.execute(
                f"""INSERT INTO {LOADS} (user_id, active)
                SELECT user_id, SUM(delta) FROM {CHANGES} WHERE id <= %s GROUP BY user_id
                {upsert}""",  # noqa: S608  (identifiers from model metadata)
                [last],
            )
            changed = cursor.rowcount
            cursor.execute(f"DELETE FROM {CHANGES} WHERE id <= %s", [last])  # noqa: S608
        if changed:
            _drop_departed(cursor)
    return max(changed, 0)


def agent_loads_recount() -> int:
    """Count every agent's active tickets again from the tickets; return how many agents have
    some. A repair, not a routine: the triggers keep the totals right, unless tickets were
    changed with the triggers disabled (a restore that bypassed them, say)."""
    marks = ", ".join(["%s"] * len(ACTIVE_CATEGORIES))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ticket writers append changes under ROW EXCLUSIVE: this waits for the ones under
            # way to commit (the count sees them) and holds back new ones' changes until the
            # totals are written (the count does not see them; their changes come after).
            cursor.execute(f"LOCK TABLE {CHANGES} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {CHANGES}")  # noqa: S608
        cursor.execute(f"DELETE FROM {LOADS}")  # noqa: S608
        cursor.execute(
            f"""INSERT INTO {LOADS} (user_id, active)
            SELECT assignee_id, COUNT(*) FROM {Ticket._meta.db_table}
            WHERE assignee_id IS NOT NULL AND status_category IN ({marks})
            GROUP BY assignee_id""",  # noqa: S608  (identifiers from model metadata)
            list(ACTIVE_CATEGORIES),
        )
        return cursor.rowcount
