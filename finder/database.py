"""Database set-up that both databases need: SQLite pragmas, lock waits, the catalog version."""

import sqlite3
from functools import partial

from flask import Flask
from sqlalchemy import Engine, event, select

from .catalog.tables import catalog_state
from .extensions import db


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """WAL lets readers work during a load; SQLite enforces foreign keys only when asked."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _wait_for_locks(dialect: str, seconds: float, dbapi_connection, connection_record) -> None:
    """How long a statement waits for another transaction's lock before it fails.

    The same bound on both databases (SQLite's busy timeout, PostgreSQL's lock_timeout,
    which is unbounded by default), so a writer that meets a long lock gets a 503 page
    after this wait (`errors.py`) instead of hanging until the server gives up on it.
    """
    milliseconds = max(1, int(seconds * 1000))
    if dialect == "sqlite":
        dbapi_connection.execute(f"PRAGMA busy_timeout={milliseconds}")
    elif dialect == "postgresql":
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        dbapi_connection.execute(f"SET lock_timeout = {milliseconds}")
        dbapi_connection.autocommit = autocommit


def catalog_version() -> int:
    """The catalog's data version, which every change to it bumps."""
    return db.session.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one_or_none() or 0


def statements_on_their_own() -> None:
    """Let this request's statements run each on its own, outside a transaction (a request that
    only reads, each statement whole by itself: the finder's catalog version with its page's rows
    by id, and after a catalog change the stored index and the rows of the answer made from it,
    which it takes as they are when a program is gone meanwhile).

    It changes what those statements see on neither database: PostgreSQL's READ COMMITTED gives
    every statement a snapshot of its own inside a transaction too, and Python's sqlite3 opens
    none for a SELECT. On PostgreSQL it saves the transaction's BEGIN and ROLLBACK, two round
    trips a request. Call it before the request's first statement; later it changes nothing.
    """
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the models with the metadata)

    with app.app_context():
        engine = db.engine
    seconds = float(app.config.get("DATABASE_LOCK_WAIT", 10))
    event.listen(engine, "connect", partial(_wait_for_locks, engine.dialect.name, seconds))
