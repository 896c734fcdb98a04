"""A new app process is warmed before it takes requests (issue 19, point 1): gunicorn's master
loads the finder's index and compiles its templates once, then forks, and no database
connection crosses the fork. The timing is bench/'s; these guard the mechanism."""

import runpy

import pytest

from sqlalchemy import event

from finder import create_app
from finder.extensions import db
from finder.programs import search
from finder.warmup import forget_connections, warm_up

from .instances import ROOT
from .test_finder_index import api_codes, catalog_app, catalog_version  # noqa: F401 - fixture

GUNICORN_CONF = runpy.run_path(str(ROOT / "gunicorn.conf.py"))


@pytest.fixture
def new_app(app_config):
    """Makes a new process's worth of the app; closes its connections afterwards."""
    apps = []

    def make():
        apps.append(create_app(app_config))
        return apps[-1]

    yield make
    for app in apps:
        forget_connections(app, close=True)


def counted_statements(app) -> list[str]:
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    return statements


class Preloaded:
    """What gunicorn's hooks are handed: the arbiter (or worker) with its config, app and log."""

    def __init__(self, app, preload: bool = True):
        self.cfg = type("Config", (), {"preload_app": preload})()
        self.app = type("Loaded", (), {"wsgi": lambda _: app})()
        self.wsgi = app
        self.log = type("Log", (), {"info": lambda _, line: self.lines.append(line)})()
        self.lines = []


def test_the_shipped_gunicorn_config_preloads_the_app():
    assert GUNICORN_CONF["preload_app"] is True


def test_a_warmed_app_answers_its_first_finder_request_from_the_index_it_loaded(catalog_app, new_app):
    app = new_app()
    server = Preloaded(app)
    GUNICORN_CONF["when_ready"](server)
    assert server.lines == [f"Warmed up: the finder index of catalog version {catalog_version(catalog_app)} is loaded"]
    statements = counted_statements(app)
    assert api_codes(app.test_client(), "state=MA")
    assert not [s for s in statements if "finder_index" in s]  # no load: the version read and the rows only


def test_the_warm_up_leaves_no_connection_in_the_pool_for_a_fork_to_inherit(catalog_app, new_app):
    app = new_app()
    opened, closed = [], []
    with app.app_context():
        event.listen(db.engine, "connect", lambda dbapi, record: opened.append(dbapi))
        event.listen(db.engine, "close", lambda dbapi, record: closed.append(dbapi))
    warm_up(app)
    assert opened and sorted(map(id, opened)) == sorted(map(id, closed))


def test_a_forked_worker_never_uses_a_connection_the_master_pooled(catalog_app, new_app):
    app = new_app()
    with app.app_context():
        with db.engine.connect() as connection:
            masters = connection.connection.dbapi_connection  # now pooled, as if the master kept it
        GUNICORN_CONF["post_fork"](Preloaded(app), None)
        with db.engine.connect() as connection:
            assert connection.connection.dbapi_connection is not masters
    masters.close()


def test_without_preload_each_worker_warms_itself(catalog_app, new_app):
    app = new_app()
    worker = Preloaded(app, preload=False)
    GUNICORN_CONF["when_ready"](worker)  # the master has no app to warm
    assert worker.lines == [] and "finder_index" not in app.extensions.get("finder", {})
    GUNICORN_CONF["post_worker_init"](worker)
    assert app.extensions["finder"]["finder_index"].version == catalog_version(catalog_app)


def test_a_warm_up_that_fails_leaves_the_work_to_the_first_request(new_app, monkeypatch):
    app = new_app()

    def broken(*args, **kwargs):
        raise RuntimeError("the database is away")

    monkeypatch.setattr(search, "read_version", broken)
    assert "first request" in warm_up(app)


NEVER_THE_ZIP_DATA = """
import json, sys
from finder import create_app
from finder.catalog import places
from finder.warmup import warm_up

def never():
    raise SystemExit("the ZIP data was loaded")

places._data = never
app = create_app(json.loads(sys.argv[1]))
line = warm_up(app)
assert line.startswith("Warmed up"), line
assert app.test_client().get("/programs?type=fellowship", headers={"HX-Request": "true"}).status_code == 200
"""


def test_a_new_process_warmed_from_the_stored_index_never_loads_the_zip_data(catalog_app, app_config):
    """The ZIP data (about 140 MB, over a second to read) is the build's; a worker, and the
    master that warms the workers, only load the stored index (issue 17's map included)."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", NEVER_THE_ZIP_DATA, json.dumps(app_config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
