"""catalog: programs, features, catalog version

Revision ID: 0001
Revises: 
Created: 2026-11-28
"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table('catalog_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_state'))
    )
    # The single row whose version every change to the catalog bumps.
    op.bulk_insert(state, [{"id": 1, "version": 0, "changed_at": datetime.now(timezone.utc).replace(tzinfo=None)}])
    op.create_table('features',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=48), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_features')),
    sa.UniqueConstraint('kind', 'slug', name='uq_features_kind_slug')
    )
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=2), nullable=False),
    sa.Column('region', sa.String(length=10), nullable=False),
    sa.Column('program_type', sa.String(length=24), nullable=False),
    sa.Column('length_years', sa.SmallInteger(), nullable=False),
    sa.Column('positions_per_year', sa.SmallInteger(), nullable=True),
    sa.Column('esir_available', sa.Boolean(), nullable=False),
    sa.Column('research_months', sa.SmallInteger(), nullable=True),
    sa.Column('visa_sponsorship', sa.String(length=8), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('data_verified_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs')),
    sa.UniqueConstraint('program_code', name=op.f('uq_programs_program_code'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programs_data_verified_on'), ['data_verified_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_esir_available'), ['esir_available'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_length_years'), ['length_years'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_positions_per_year'), ['positions_per_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_program_type'), ['program_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_research_months'), ['research_months'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_programs_visa_sponsorship'), ['visa_sponsorship'], unique=False)

    op.create_table('program_features',
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('feature_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['feature_id'], ['features.id'], name=op.f('fk_program_features_feature_id_features'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_features_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('program_id', 'feature_id', name=op.f('pk_program_features')),
    sqlite_with_rowid=False,
    )

def downgrade():
    op.drop_table('program_features')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programs_visa_sponsorship'))
        batch_op.drop_index(batch_op.f('ix_programs_state'))
        batch_op.drop_index(batch_op.f('ix_programs_research_months'))
        batch_op.drop_index(batch_op.f('ix_programs_region'))
        batch_op.drop_index(batch_op.f('ix_programs_program_type'))
        batch_op.drop_index(batch_op.f('ix_programs_positions_per_year'))
        batch_op.drop_index(batch_op.f('ix_programs_length_years'))
        batch_op.drop_index(batch_op.f('ix_programs_esir_available'))
        batch_op.drop_index(batch_op.f('ix_programs_data_verified_on'))

    op.drop_table('programs')
    op.drop_table('features')
    op.drop_table('catalog_state')
