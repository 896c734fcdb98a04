"""Fixtures: a fresh app and database per test, on SQLite or on PostgreSQL.

The suite runs on SQLite by default. With DATABASE_URL pointing to
PostgreSQL it runs there instead, inside a schema of its own that is
dropped at the end, so several runs can share one server.
"""

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, text

from finder import create_app
from finder.catalog import Source, load_catalog
from finder.catalog.tables import catalog_state, metadata, utcnow
from finder.config import normalize_database_url
from finder.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seed"
DATABASE_URL = normalize_database_url(os.environ.get("DATABASE_URL", ""))
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
# Lines a test wants in the run's closing summary, shown even when it passes (e.g. the API fuzzer's counts).
SUMMARY_LINES = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(SUMMARY_LINES, []):
        terminalreporter.write_line(line)


def with_search_path(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections see only `schema` (then public)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema},public"


@pytest.fixture(scope="session")
def postgres_schema():
    """A schema of this run's own on the PostgreSQL server, or None on SQLite."""
    if not ON_POSTGRES:
        yield None
        return
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    yield name
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    engine.dispose()


@pytest.fixture
def database_uri(tmp_path, postgres_schema) -> str:
    if postgres_schema:
        return with_search_path(DATABASE_URL, postgres_schema)
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def app_config(database_uri) -> dict:
    """The test configuration; a test may change it before asking for `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        if ON_POSTGRES:
            _empty_postgres_tables()
        db.session.remove()
        db.engine.dispose()


def _empty_postgres_tables() -> None:
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        connection.execute(insert(catalog_state).values(id=1, version=0, changed_at=utcnow()))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def load(app, *files: tuple[str, str | bytes], **options):
    """Load in-memory CSV files, given as (name, text) pairs, into the app's database."""
    sources = [Source(name, body.encode() if isinstance(body, str) else body) for name, body in files]
    with app.app_context():
        return load_catalog(db.engine, sources, **options)


@pytest.fixture
def demo_app(app):
    """The app with the bundled demo data loaded."""
    result = load(
        app,
        ("seed/features.csv", (SEED / "features.csv").read_bytes()),
        ("seed/programs.csv", (SEED / "programs.csv").read_bytes()),
    )
    assert result.ok, result.problems
    return app


def csrf_token(client) -> str:
    """A CSRF token of the client's session, as a page hands it to htmx."""
    page = client.get("/programs").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


# -- admin area ---------------------------------------------------------------

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "correct horse battery"


@pytest.fixture
def admin_user(app):
    """An admin account (ADMIN_EMAIL / ADMIN_PASSWORD); returns its id."""
    from finder.admin import accounts

    with app.app_context():
        return accounts.create_user(db.session, ADMIN_EMAIL, ADMIN_PASSWORD).id


def sign_in(client, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD):
    """Sign in through the login form, with the session's CSRF token."""
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


@pytest.fixture
def admin_client(app, admin_user):
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client
