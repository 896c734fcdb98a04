"""program fields: the thirteen columns of the record issue (issue 15)

Revision ID: 0004_program_fields
Revises: 0003_admin
Created: 2026-12-01

The columns are written out here, as they were when this revision was made, so the
migration keeps meaning the same thing when the registry (finder/catalog/columns.py)
changes later. All are nullable: existing programs read "Not known". Also the derived,
indexed `institution_key` (finder/catalog/institutions.py), filled in for stored programs.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_program_fields'
down_revision = '0003_admin'
branch_labels = None
depends_on = None


COLUMNS = (
    ("intern_year", sa.String(length=8)),
    ("signals_accepted", sa.Boolean()),
    ("interview_format", sa.String(length=9)),
    ("application_deadline", sa.Date()),
    ("step2_minimum", sa.SmallInteger()),
    ("comlex_accepted", sa.Boolean()),
    ("salary_pgy1", sa.Integer()),
    ("ir_cases_per_year", sa.Integer()),
    ("ir_faculty", sa.SmallInteger()),
    ("board_pass_rate", sa.SmallInteger()),
    ("program_director", sa.String(length=200)),
    ("contact_email", sa.String(length=254)),
    ("zip_code", sa.String(length=5)),
)


def upgrade():
    with op.batch_alter_table("programs", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column("institution_key", sa.Text(), nullable=True))
    _fill_institution_keys()
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.alter_column("institution_key", existing_type=sa.Text(), nullable=False)
        batch_op.create_index(batch_op.f("ix_programs_institution_key"), ["institution_key"], unique=False)


def _fill_institution_keys():
    """The key of every stored program's institution, as the loader stores it from now on."""
    from finder.catalog.institutions import institution_key

    programs = sa.table("programs", sa.column("id"), sa.column("institution"), sa.column("institution_key"))
    connection = op.get_bind()
    rows = connection.execute(sa.select(programs.c.id, programs.c.institution)).all()
    if rows:
        connection.execute(
            programs.update().where(programs.c.id == sa.bindparam("b_id")).values(institution_key=sa.bindparam("b_key")),
            [{"b_id": row.id, "b_key": institution_key(row.institution)} for row in rows],
        )


def downgrade():
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programs_institution_key"))
        batch_op.drop_column("institution_key")
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
