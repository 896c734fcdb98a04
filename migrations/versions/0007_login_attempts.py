"""login attempts: failed logins counted in the database (issue 13)

Revision ID: 0007_login_attempts
Revises: 0006_admin_history
Created: 2026-12-01

One row per client that tried to sign in within the last window: how many attempts, and
when the window ends (finder/admin/login_limit.py).
"""

import sqlalchemy as sa
from alembic import op

revision = '0007_login_attempts'
down_revision = '0006_admin_history'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_attempts",
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window_ends", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts") as batch:
        batch.create_index(batch.f("ix_login_attempts_window_ends"), ["window_ends"], unique=False)


def downgrade():
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_index(batch.f("ix_login_attempts_window_ends"))
    op.drop_table("login_attempts")
