"""shortlists: saved comparisons behind private links

Revision ID: 0002_shortlists
Revises: 0001
Created: 2026-11-28
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0002_shortlists'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
