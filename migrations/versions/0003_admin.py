"""admin: accounts and import history

Revision ID: 0003_admin
Revises: 0002_shortlists
Created: 2026-11-28
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0003_admin'
down_revision = '0002_shortlists'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
