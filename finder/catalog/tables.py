"""The catalog's tables, in plain SQLAlchemy so the data modules need no Flask.

The ORM models in `finder.models` map onto these same tables, and the
app's metadata is this one, so Alembic sees every table of the app here.
"""

from datetime import datetime, timezone

from sqlalchemy import (
    Column, DateTime, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint, event,
    insert,
)

from .columns import STORED_COLUMNS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def utcnow() -> datetime:
    """Now in UTC, without tzinfo (both databases store it the same way)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


features = Table(
    "features",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("slug", String(48), nullable=False),
    Column("label", String(80), nullable=False),
    Column("description", String(500)),
    UniqueConstraint("kind", "slug", name="uq_features_kind_slug"),
)

# Every column of programs.csv comes from the registry (columns.py), plus what the loader
# derives (the region of the state; the institution's key, see institutions.py) and the
# time stamps.
programs = Table(
    "programs",
    metadata,
    Column("id", Integer, primary_key=True),
    *(column.sql_column() for column in STORED_COLUMNS),
    Column("region", String(10), nullable=False),
    Column("institution_key", Text, nullable=False, index=True),
    Column("created_at", DateTime, nullable=False, default=utcnow),
    Column("updated_at", DateTime, nullable=False, default=utcnow, onupdate=utcnow),
)

program_features = Table(
    "program_features",
    metadata,
    Column("program_id", ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
    Column("feature_id", ForeignKey("features.id", ondelete="CASCADE"), primary_key=True),
    # No index on feature_id alone: nothing looks links up by feature except the
    # rare removal of a feature, and each index slows every load.
    sqlite_with_rowid=False,  # the primary key is the table: one B-tree less to fill on a load
)

# One row (id 1) whose version every change to programs or features bumps.
catalog_state = Table(
    "catalog_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False, default=0),
    Column("changed_at", DateTime, nullable=False, default=utcnow),
)


# The finder's index of the catalog (finder/programs/search.py), built by the change that made
# its version and stored with it, so every app process and instance only loads it.
finder_index = Table(
    "finder_index",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("built_at", DateTime, nullable=False, default=utcnow),
    Column("data", LargeBinary, nullable=False),
)


@event.listens_for(catalog_state, "after_create")
def _insert_state_row(table, connection, **kw):
    connection.execute(insert(table).values(id=1, version=0, changed_at=utcnow()))
