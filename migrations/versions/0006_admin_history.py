"""admin history: edits, deletes and import details (issue 18)

Revision ID: 0006_admin_history
Revises: 0005_planner
Created: 2026-12-01

Reserved so that work in parallel keeps one linear chain; filled in by the issue named above.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0006_admin_history'
down_revision = '0005_planner'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
