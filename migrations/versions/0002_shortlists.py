"""shortlists: saved comparisons behind private links

Revision ID: 0002_shortlists
Revises: 0001
Created: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = '0002_shortlists'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shortlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    # Only the SHA-256 of the edit token: a copy of the database gives no edit rights.
    sa.Column('edit_token_hash', sa.String(length=64), nullable=False),
    sa.Column('share_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlists')),
    sa.UniqueConstraint('edit_token_hash', name=op.f('uq_shortlists_edit_token_hash')),
    sa.UniqueConstraint('share_token', name=op.f('uq_shortlists_share_token'))
    )
    # program_code is text, not a foreign key: an entry outlives its program ("no longer listed").
    op.create_table('shortlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlists.id'], name=op.f('fk_shortlist_entries_shortlist_id_shortlists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlist_entries')),
    sa.UniqueConstraint('shortlist_id', 'program_code', name='uq_shortlist_entries_shortlist_id')
    )


def downgrade():
    op.drop_table('shortlist_entries')
    op.drop_table('shortlists')
