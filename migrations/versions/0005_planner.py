"""planner: status, signal and interview date of shortlist entries (issue 16)

Revision ID: 0005_planner
Revises: 0004_program_fields
Created: 2026-12-01

Reserved so that work in parallel keeps one linear chain; filled in by the issue named above.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0005_planner'
down_revision = '0004_program_fields'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
