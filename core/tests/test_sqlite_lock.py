"""core.sqlite: a write transaction holds `<database>.lock` from BEGIN to COMMIT/ROLLBACK, so writers queue."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db.utils import ConnectionHandler

from fengqiao.settings import database_from_url


@pytest.fixture
def sqlite(tmp_path, django_db_blocker):
    """A connection of our SQLite engine to a file of its own, whatever database the suite runs on."""
    handler = ConnectionHandler({"default": database_from_url(f"sqlite:///{tmp_path}/lock.sqlite3")})
    conn = handler["default"]
    with django_db_blocker.unblock():
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        yield conn, f"{tmp_path}/lock.sqlite3.lock"
        conn.close()


def locked_by_someone(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_write_transaction_holds_the_lock_until_it_ends(sqlite, end):
    conn, lock = sqlite
    assert type(conn).__module__ == "core.sqlite.base"
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO t (v) VALUES ('x')")
    assert locked_by_someone(lock)
    getattr(conn, end)()
    conn.set_autocommit(True)
    assert not locked_by_someone(lock)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM t")
        assert cur.fetchone()[0] == (1 if end == "commit" else 0)


def test_closing_the_connection_lets_the_lock_go(sqlite):
    conn, lock = sqlite
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    assert locked_by_someone(lock)
    conn.close()
    assert not locked_by_someone(lock)
