"""The browser suite's fixtures: one live server and one Chromium per session, a context per test.

The live server is the real app in a separate process (`python -m tests.browser.live_server`)
on a fresh SQLite database, migrated with `flask db upgrade`, loaded with `flask seed demo` and,
once the admin area has the command, an admin account from `flask admin create-user`.
In the PostgreSQL run (DATABASE_URL=postgresql://…) the browser tests are skipped: they test
pages, not the database, and the SQLite run has already exercised them.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES, ROOT

from .checks import PageChecker

ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "browser-suite-password-1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent != here:
            continue
        item.add_marker(pytest.mark.browser)
        if ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="browser tests run in the SQLite run only (they test pages, not the database)"))


def _server_env(database: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "SECRET_KEY": "browser-suite-secret-key",
            "SESSION_COOKIE_SECURE": "0",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SHORTLIST_CREATE_LIMIT": "1000 per hour",  # the whole suite saves lists from one address
            "FLASK_APP": "wsgi",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("FLASK_DEBUG", None)
    return env


def _flask(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="session")
def live_server():
    """The base URL of the running app, with `.admin` set when an admin account could be created."""
    with tempfile.TemporaryDirectory(prefix="finder-browser-") as folder:
        env = _server_env(Path(folder) / "browser.sqlite3")
        for command in (["db", "upgrade"], ["seed", "demo"]):
            done = _flask(env, *command)
            assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
        created = _flask(env, "admin", "create-user", ADMIN_EMAIL, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.browser.live_server"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            line = server.stdout.readline()
            assert line.startswith("PORT "), f"the live server did not start (said {line!r})"
            yield LiveServer(f"http://127.0.0.1:{line.split()[1]}", created.returncode == 0)
        finally:
            server.terminate()
            server.wait(timeout=20)
            server.stdout.close()


class LiveServer(str):
    """The base URL (a str) that also knows whether the admin account exists."""

    def __new__(cls, url: str, has_admin: bool):
        value = super().__new__(cls, url)
        value.has_admin = has_admin
        return value


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def pages(browser, live_server, request):
    """Opens pages in fresh contexts (real CSP, no bypass) and checks each for console errors at the end."""
    checker = PageChecker(browser, live_server, request.node.name)
    yield checker
    checker.close()
