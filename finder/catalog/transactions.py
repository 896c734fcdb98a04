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
