"""planner: status, signal and interview date of shortlist entries (issue 16)

Revision ID: 0005_planner
Revises: 0004_program_fields
Created: 2026-12-01

Existing entries get the defaults of contract section 7: status `considering`, signal `none`,
no interview date. The lengths are written out as they were when this revision was made.
"""

import sqlalchemy as sa
from alembic import op

revision = '0005_planner'
down_revision = '0004_program_fields'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shortlist_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="considering"))
        batch_op.add_column(sa.Column("signal", sa.String(length=6), nullable=False, server_default="none"))
        batch_op.add_column(sa.Column("interview_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("shortlist_entries", schema=None) as batch_op:
        batch_op.drop_column("interview_on")
        batch_op.drop_column("signal")
        batch_op.drop_column("status")
