"""The app factory and its configuration (CONTRACT.md section 5)."""

import pytest
from sqlalchemy import text

from finder import create_app
from finder.extensions import db

from .conftest import ON_POSTGRES


def test_production_start_without_secret_key_is_refused_naming_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_secret_key_from_the_environment_is_used(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert create_app().config["SECRET_KEY"] == "from-the-environment"


def test_debug_mode_may_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert create_app().config["SECRET_KEY"]


def test_database_url_and_rate_limit_storage_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example:5432/finder")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.example:5432/finder"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"


def test_default_database_is_an_sqlite_file_in_the_instance_folder(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/finder.sqlite3")
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_test_config_overrides_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "env")
    app = create_app({"SECRET_KEY": "given", "TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'y.sqlite3'}"})
    assert app.config["SECRET_KEY"] == "given"


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_upload_size_is_limited_to_5_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024


def test_wsgi_module_exposes_the_app(monkeypatch, tmp_path):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.sqlite3'}")
    sys.modules.pop("wsgi", None)
    wsgi = importlib.import_module("wsgi")
    assert wsgi.app.name == "finder"


def test_a_process_starts_without_what_only_migrations_and_the_workbook_export_use(tmp_path):
    """Alembic (with Flask-Migrate) and XlsxWriter are imported by the commands that use them,
    not by every process that starts the app (a fifth of a second of `flask seed load`)."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, SECRET_KEY="k", DATABASE_URL=f"sqlite:///{tmp_path / 's.sqlite3'}")
    code = "import sys, wsgi; print(sorted({'alembic', 'flask_migrate', 'xlsxwriter'} & set(sys.modules)))"
    started = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                             cwd=os.path.dirname(os.path.dirname(__file__)))
    assert started.stdout.strip() == "[]"


def test_the_db_commands_are_flask_migrates(app):
    result = app.test_cli_runner().invoke(args=["db", "--help"])
    assert result.exit_code == 0
    assert "--directory" in result.output and "upgrade" in result.output
    assert "migrate" in app.extensions
