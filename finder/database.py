"""Database set-up that both databases need: SQLite pragmas, the catalog version."""

import sqlite3

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
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def catalog_version() -> int:
    """The catalog's data version, which every change to it bumps."""
    return db.session.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one_or_none() or 0


def init_app(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the models with the metadata)
