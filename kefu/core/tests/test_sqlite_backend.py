"""Kefu's SQLite backend: a transaction waiting for the write lock gets it soon after it is
released (not after SQLite's growing sleeps), and still gives up after ``timeout``."""

import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.dbless


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These connections are to files of the test's own, not to the test database."""
    with django_db_blocker.unblock():
        yield


def _connections(path, timeout=5):
    handler = ConnectionHandler(
        {
            alias: {
                "ENGINE": "kefu.core.db.sqlite3",
                "NAME": str(path),
                "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout},
            }
            for alias in ("default", "waiter")
        }
    )
    holder, waiter = handler["default"], handler["waiter"]
    with holder.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE t (v INTEGER)")
    return holder, waiter


def _hold(connection, seconds, held: threading.Event, released: list):
    connection._start_transaction_under_autocommit()
    connection.connection.execute("INSERT INTO t (v) VALUES (1)")
    held.set()
    time.sleep(seconds)
    connection.connection.commit()
    released.append(time.monotonic())


def _begin_after_holding(holder, waiter, seconds):
    held, released = threading.Event(), []
    thread = threading.Thread(target=_hold, args=(holder, seconds, held, released))
    holder.inc_thread_sharing()
    thread.start()
    assert held.wait(5)
    waiter.ensure_connection()
    began = time.monotonic()
    try:
        waiter._start_transaction_under_autocommit()
        return began, time.monotonic(), released
    finally:
        thread.join(5)
        holder.dec_thread_sharing()


def test_a_waiting_transaction_starts_right_after_the_lock_is_released(tmp_path):
    holder, waiter = _connections(tmp_path / "lock.sqlite3")
    _began, started, released = _begin_after_holding(holder, waiter, 0.3)
    # SQLite's own busy handler sleeps up to 100 ms between tries by then.
    assert 0 <= started - released[0] < 0.02
    waiter.connection.execute("INSERT INTO t (v) VALUES (2)")
    waiter.connection.commit()
    assert waiter.connection.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 2
    # Every other statement keeps SQLite's busy handling with the configured timeout.
    assert waiter.connection.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    holder.close()
    waiter.close()


def test_a_waiting_transaction_gives_up_after_the_timeout(tmp_path):
    holder, waiter = _connections(tmp_path / "timeout.sqlite3", timeout=0.2)
    began = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        _begin_after_holding(holder, waiter, 1.0)
    assert time.monotonic() - began < 1.5
    assert waiter.connection.execute("PRAGMA busy_timeout").fetchone()[0] == 200
    holder.close()
    waiter.close()
