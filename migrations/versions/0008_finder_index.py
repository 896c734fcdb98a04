"""finder index: reserved for a stored, shared index (issue 19)

Revision ID: 0008_finder_index
Revises: 0007_login_attempts
Created: 2026-12-01

Reserved so that work in parallel keeps one linear chain; filled in by the issue named above.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0008_finder_index'
down_revision = '0007_login_attempts'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
