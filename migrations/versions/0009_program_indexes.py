"""program indexes: the nine single-column indexes nothing reads are dropped (issue 19)

Revision ID: 0009_program_indexes
Revises: 0008_finder_index
Created: 2026-12-01

The finder filters, counts and sorts in its own index (docs/finder.md), never with SQL, so the
indexes of state, region, program type, length, positions, ESIR, research months, visa
sponsorship and the verification date served no query; each was one more B-tree every import
fills (at 100,000 new programs on SQLite the nine cost more than the INSERT of the rows
itself: docs/performance.md). The unique program code (the loader's and the program page's
look-up) and the institution key ("Also at this institution") stay.
"""

from alembic import op

revision = '0009_program_indexes'
down_revision = '0008_finder_index'
branch_labels = None
depends_on = None

COLUMNS = (
    "data_verified_on", "esir_available", "length_years", "positions_per_year", "program_type",
    "region", "research_months", "state", "visa_sponsorship",
)


def upgrade():
    for column in COLUMNS:
        op.drop_index(f"ix_programs_{column}", table_name="programs")


def downgrade():
    for column in COLUMNS:
        op.create_index(f"ix_programs_{column}", "programs", [column], unique=False)
