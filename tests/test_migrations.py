"""The migration chain builds the schema from empty, and agrees with the models."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from finder import create_app
from finder.catalog.tables import catalog_state, metadata
from finder.extensions import db

from .conftest import DATABASE_URL, ON_POSTGRES, with_search_path


@pytest.fixture
def empty_app(tmp_path):
    """An app on a database with no tables at all."""
    if not ON_POSTGRES:
        yield create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite3'}"})
        return
    schema = f"migrate_{uuid.uuid4().hex[:12]}"
    admin = create_engine(DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": with_search_path(DATABASE_URL, schema)})
    yield app
    with app.app_context():
        db.engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def upgrade(app, revision="head"):
    result = app.test_cli_runner().invoke(args=["db", "upgrade", revision])
    assert result.exit_code == 0, result.output


def test_upgrade_from_empty_creates_every_table(empty_app):
    upgrade(empty_app)
    with empty_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(metadata.tables) <= tables
        assert db.session.execute(select(catalog_state.c.version)).scalar_one() == 0


def test_models_and_migrations_agree(empty_app):
    upgrade(empty_app)
    with empty_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_downgrade_to_empty_and_upgrade_again(empty_app):
    upgrade(empty_app)
    result = empty_app.test_cli_runner().invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_app)


def test_the_loader_works_on_a_migrated_database(empty_app):
    from .conftest import SEED, load

    upgrade(empty_app)
    result = load(
        empty_app,
        ("features.csv", (SEED / "features.csv").read_bytes()),
        ("programs.csv", (SEED / "programs.csv").read_bytes()),
    )
    assert result.ok and result.version == 1


def test_migration_0004_gives_stored_programs_their_institution_key(empty_app):
    from finder.catalog.tables import programs, utcnow

    upgrade(empty_app, "0003_admin")
    with empty_app.app_context(), db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO programs (program_code, name, institution, city, state, region, program_type, "
                 "length_years, esir_available, created_at, updated_at) VALUES ('P1', 'Alpha', :institution, "
                 "'Boston', 'MA', 'northeast', 'integrated_ir', 6, :no, :now, :now)"),
            {"institution": "Hôpital Saint-Luc", "no": False, "now": utcnow()},
        )
    upgrade(empty_app)
    with empty_app.app_context():
        assert db.session.execute(select(programs.c.institution_key)).scalar_one() == "hopital saint luc"
