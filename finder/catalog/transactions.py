"""How the app's reads and writes meet other transactions, on both databases. No Flask.

`read_snapshot` gives a connection whose statements all see the database as of one
moment, so something built from several statements (the finder's index) can never mix
two versions of the catalog.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session


def engine_of(bind: Engine | Connection | Session) -> Engine:
    """The engine behind an Engine, a Connection or a Session (scoped or not)."""
    if isinstance(bind, Engine):
        return bind
    if isinstance(bind, Connection):
        return bind.engine
    return bind.get_bind()


@contextmanager
def read_snapshot(bind: Engine | Connection | Session) -> Iterator[Connection]:
    """A new connection in one read transaction: every statement sees the same committed state.

    PostgreSQL: REPEATABLE READ, read only (the snapshot is taken at the first statement).
    SQLite: an explicit BEGIN, because Python's sqlite3 opens a transaction only before a
    write, so without it each SELECT would see the database of its own moment; in WAL mode
    the read transaction keeps its snapshot while loads commit beside it, and blocks nobody.
    """
    with engine_of(bind).connect() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            if dialect == "sqlite":
                connection.exec_driver_sql("BEGIN")
            yield connection


_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
# PostgreSQL's lock_not_available (lock_timeout ran out) and deadlock_detected.
_POSTGRES_LOCK_STATES = frozenset({"55P03", "40P01"})


def is_lock_conflict(error: BaseException) -> bool:
    """Whether `error` says another transaction held a lock for too long: try again later.

    SQLite: "database is locked" (SQLITE_BUSY after the busy timeout) and "database table is
    locked" (SQLITE_LOCKED). PostgreSQL: lock_timeout ran out, or a deadlock was broken.
    Takes a SQLAlchemy error or the driver's own.
    """
    original = getattr(error, "orig", None) or error
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return getattr(original, "sqlstate", None) in _POSTGRES_LOCK_STATES
