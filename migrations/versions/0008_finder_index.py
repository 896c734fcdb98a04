"""finder index: the finder's index of each catalog version, stored with it (issue 19)

Revision ID: 0008_finder_index
Revises: 0007_login_attempts
Created: 2026-12-01

The change that bumps the catalog version builds the finder's index in the same transaction
and stores it here, so every app process loads it instead of building it (docs/performance.md).
A database upgraded from an earlier revision has no row yet: the first request builds the
index in its process, as before, until the next catalog change stores one.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_finder_index'
down_revision = '0007_login_attempts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "finder_index",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_finder_index")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Stored as it is: the arrays barely compress, and compressing 10-20 MB costs time.
        op.execute("ALTER TABLE finder_index ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade():
    op.drop_table("finder_index")
