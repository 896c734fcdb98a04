"""Loads and other writers (issue 13.4): a load locks the catalog only while it writes, and a
writer that still meets a lock held too long gets a 503 asking it to try again, never a 500.

"During a load" is made exact with an engine hook: when the loader reads the stored rows of
the file's programs (the check), the hook runs another writer in a thread of its own and
waits a bounded time for it. On SQLite and on PostgreSQL.
"""

import io
import re
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from finder.extensions import db
from finder.models import Program

from .conftest import ON_POSTGRES, csrf_token, load
from .test_catalog_load import programs_csv

WAIT = 1.0  # DATABASE_LOCK_WAIT for these tests, in seconds
ALPHA = programs_csv("P1,Alpha IR Residency,Alpha Hospital,Boston,MA,integrated_ir,6")
BETA = programs_csv("P2,Beta IR Residency,Beta Hospital,Austin,TX,integrated_ir,6")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "DATABASE_LOCK_WAIT": WAIT}


def run_aside(work, timeout: float = 8 * WAIT) -> dict:
    """Run `work` in a thread of its own; what it returned or raised, or that it was still waiting."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 (reported to the test)
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout)
    outcome["finished"] = not thread.is_alive()
    outcome["thread"] = thread
    return outcome


@contextmanager
def while_checking(app, work):
    """While a load of this block checks its programs against the database, run `work` aside."""
    with app.app_context():
        engine = db.engine
    seen: list[dict] = []
    loading_thread = threading.current_thread()

    def hook(conn, cursor, statement, parameters, context, executemany):
        # The check's first read of the stored programs: every program code (read once per check).
        checking = re.fullmatch(r"SELECT programs\.program_code\s+FROM programs\s*", statement)
        if checking and not seen and threading.current_thread() is loading_thread:
            seen.append(run_aside(work))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", hook)
        for outcome in seen:
            outcome["thread"].join(30)
    assert seen, "the hook never ran: the loader reads the stored rows differently now"


def create_shortlist(app):
    def work():
        client = app.test_client()
        return client.post("/shortlists", data={"csrf_token": csrf_token(client), "name": "Mine", "codes": "IRF-0001"}).status_code
    return work


def shortlist_count(app) -> int:
    from finder.models import Shortlist

    with app.app_context():
        return len(db.session.scalars(select(Shortlist)).all())


def names(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(select(Program.program_code, Program.name)).all())


# -- no write lock while checking ----------------------------------------------


def test_a_dry_run_lets_other_writers_and_loads_through(demo_app):
    app = demo_app
    with while_checking(app, create_shortlist(app)) as shortlist, \
            while_checking(app, lambda: load(app, ("beta.csv", BETA)).applied) as other_load:
        dry = load(app, ("alpha.csv", ALPHA), dry_run=True)
    assert shortlist[0]["finished"] and shortlist[0].get("value") == 303, shortlist
    assert other_load[0]["finished"] and other_load[0].get("value") is True, other_load
    assert dry.ok and not dry.applied and dry.files[0].added == 1
    assert "P2" in names(app) and "P1" not in names(app)


def test_the_admin_preview_lets_other_writers_through(demo_app, admin_client):
    app = demo_app
    with while_checking(app, create_shortlist(app)) as shortlist:
        response = admin_client.post(
            "/admin/import",
            data={"csrf_token": csrf_token(admin_client), "file": (io.BytesIO(ALPHA.encode()), "a.csv")},
        )
    assert response.status_code == 200
    assert shortlist[0]["finished"] and shortlist[0].get("value") == 303, shortlist
    assert "P1" not in names(app)


def test_a_real_import_checks_its_file_before_it_takes_the_write_lock(demo_app):
    app = demo_app
    before = shortlist_count(app)
    with while_checking(app, create_shortlist(app)) as shortlist:
        result = load(app, ("alpha.csv", ALPHA))
    assert shortlist[0]["finished"] and shortlist[0].get("value") == 303, shortlist
    assert result.applied and names(app)["P1"] == "Alpha IR Residency"
    assert shortlist_count(app) == before + 1


def test_a_load_committed_between_the_check_and_the_write_is_checked_again(demo_app):
    """Someone adds P1 while our file (which adds P1 too) is being checked: ours updates it."""
    app = demo_app
    theirs = programs_csv("P1,Their Name,Alpha Hospital,Boston,MA,integrated_ir,6")
    with while_checking(app, lambda: load(app, ("theirs.csv", theirs)).applied) as other:
        ours = load(app, ("ours.csv", ALPHA))
    assert other[0]["finished"] and other[0].get("value") is True, other
    assert ours.ok and ours.applied
    assert (ours.files[0].added, ours.files[0].updated) == (0, 1)
    assert names(app)["P1"] == "Alpha IR Residency"


def test_an_import_confirmed_after_someone_else_loaded_meanwhile_is_refused_as_stale(demo_app):
    app = demo_app
    version = load(app, ("alpha.csv", ALPHA), dry_run=True).version
    with while_checking(app, lambda: load(app, ("beta.csv", BETA)).applied) as other:
        late = load(app, ("alpha.csv", ALPHA), expected_version=version)
    assert other[0].get("value") is True, other
    assert late.stale and not late.applied
    assert "P1" not in names(app)


# -- a writer that meets a lock held too long -----------------------------------


@contextmanager
def database_locked(app):
    """Another transaction holds the write lock (SQLite) or locks the shortlists (PostgreSQL)."""
    with app.app_context():
        engine = db.engine
    with engine.connect() as connection:
        if ON_POSTGRES:
            connection.exec_driver_sql("LOCK TABLE shortlists, shortlist_entries IN EXCLUSIVE MODE")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()


def test_a_writer_that_meets_a_locked_database_gets_a_503_with_retry_after(demo_app):
    app = demo_app
    client = app.test_client()
    csrf = csrf_token(client)
    created = client.post("/shortlists", data={"csrf_token": csrf, "name": "Mine", "codes": "IRF-0001"})
    path = created.headers["Location"] + "/programs/IRF-0001/note"
    with database_locked(app):
        outcome = run_aside(lambda: client.post(path, data={"csrf_token": csrf, "note": "call them"}))
    assert outcome["finished"], "the request waited past DATABASE_LOCK_WAIT"
    response = outcome["value"]
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "busy with another change" in page and "try again in a few seconds" in page
    assert "OperationalError" not in page and "locked" not in page
    again = client.post(path, data={"csrf_token": csrf, "note": "call them"})
    assert again.status_code == 303


def test_a_command_line_load_that_meets_a_locked_database_says_so_and_exits_1(demo_app, tmp_path):
    app = demo_app
    path = tmp_path / "alpha.csv"
    path.write_text(ALPHA)
    runner = app.test_cli_runner()
    with catalog_locked(app):
        outcome = run_aside(lambda: runner.invoke(args=["seed", "load", str(path)]))
    assert outcome["finished"], "the load waited past DATABASE_LOCK_WAIT"
    result = outcome["value"]
    assert result.exit_code == 1, result.output
    assert "busy with another change" in result.output and "nothing was written" in result.output
    assert "Traceback" not in result.output and "P1" not in names(app)


@contextmanager
def catalog_locked(app):
    """Another transaction holds the catalog's write lock, as a load does while it writes."""
    from finder.catalog import lock_catalog

    with app.app_context():
        engine = db.engine
    with engine.connect() as connection:
        lock_catalog(connection)
        try:
            yield
        finally:
            connection.rollback()

