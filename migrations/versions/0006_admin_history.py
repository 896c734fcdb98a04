"""admin history: edits, deletes and import details (issue 18)

Revision ID: 0006_admin_history
Revises: 0005_planner
Created: 2026-12-01

Imports keep their format, every problem (gzip CSV), the problems per column and the changed
fields; the bytes of an upload never applied may be deleted (data becomes NULL). Edits and
deletes from the admin pages get a table of their own.
"""

import sqlalchemy as sa
from alembic import op

revision = '0006_admin_history'
down_revision = '0005_planner'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('admin_imports') as batch:
        batch.alter_column('data', existing_type=sa.LargeBinary(), nullable=True)
        batch.add_column(sa.Column('data_deleted_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('format', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('problems_csv', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('problem_columns', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('changes', sa.JSON(), nullable=True))
    op.create_table('admin_edits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('program_name', sa.String(length=200), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['admin_users.id'], name=op.f('fk_admin_edits_user_id_admin_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_edits'))
    )


def downgrade():
    op.drop_table('admin_edits')
    op.execute("DELETE FROM admin_imports WHERE data IS NULL")
    with op.batch_alter_table('admin_imports') as batch:
        batch.drop_column('changes')
        batch.drop_column('problem_columns')
        batch.drop_column('problems_csv')
        batch.drop_column('format')
        batch.drop_column('data_deleted_at')
        batch.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)
