"""program fields: the thirteen columns of the record issue (issue 15)

Revision ID: 0004_program_fields
Revises: 0003_admin
Created: 2026-12-01

Reserved so that work in parallel keeps one linear chain; filled in by the issue named above.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0004_program_fields'
down_revision = '0003_admin'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
