"""login attempts: failed logins counted in the database (issue 13)

Revision ID: 0007_login_attempts
Revises: 0006_admin_history
Created: 2026-12-01

Reserved so that work in parallel keeps one linear chain; filled in by the issue named above.
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = '0007_login_attempts'
down_revision = '0006_admin_history'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
