"""Loads running while others read or load: all or nothing, one after the other.

Real threads with their own database connections, on SQLite (WAL) and on PostgreSQL.
"""

import re
import threading

import pytest
from sqlalchemy import delete, event, func, select

from finder.catalog.tables import catalog_state, finder_index, programs
from finder.extensions import db

from .conftest import load
from .test_catalog_load import FEATURES, HEADER, programs_csv

BATCH = 3000


def many_programs(prefix: str, count: int = BATCH) -> str:
    rows = [f"{prefix}{n},{prefix} Program {n},{prefix} Hospital,Boston,MA,integrated_ir,6" for n in range(count)]
    return programs_csv(*rows, header=HEADER)


def count_programs(app) -> int:
    with app.app_context(), db.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(programs)).scalar_one()


def test_readers_during_a_load_see_all_of_it_or_none_of_it(app):
    assert load(app, ("features.csv", FEATURES)).ok
    seen: list[int] = []
    done = threading.Event()

    def read_until_done():
        while not done.is_set():
            seen.append(count_programs(app))
        seen.append(count_programs(app))

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        assert load(app, ("big.csv", many_programs("A"))).ok
    finally:
        done.set()
        reader.join(timeout=60)
    assert set(seen) <= {0, BATCH}
    assert seen[-1] == BATCH


def test_two_loads_at_once_are_applied_one_after_the_other(app):
    assert load(app, ("features.csv", FEATURES)).ok
    results = {}

    def run(prefix):
        results[prefix] = load(app, (f"{prefix}.csv", many_programs(prefix)))

    threads = [threading.Thread(target=run, args=(prefix,)) for prefix in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result.ok and result.applied for result in results.values()), results
    assert count_programs(app) == 2 * BATCH
    versions = sorted(result.version for result in results.values())
    assert versions[1] == versions[0] + 1  # each load bumped the catalog version once, in turn


def test_a_load_that_expected_an_older_catalog_refuses_and_writes_nothing(app):
    assert load(app, ("features.csv", FEATURES)).ok
    preview = load(app, ("a.csv", many_programs("A", 10)), dry_run=True)
    assert load(app, ("b.csv", many_programs("B", 10))).ok  # someone else imports in between
    late = load(app, ("a.csv", many_programs("A", 10)), expected_version=preview.version)
    assert late.stale and not late.applied
    assert count_programs(app) == 10


def test_shortlists_edited_by_many_people_while_an_import_runs_lose_nothing(demo_app):
    """Six people edit three shortlists (two per list) while an admin imports 3,000 programs."""
    from finder.shortlists import store

    from .conftest import csrf_token

    app = demo_app
    with app.app_context():
        tokens = [store.create(db.session, f"List {n}", ["IRF-0001"])[1] for n in range(3)]
        db.session.commit()
    additions = {person: [f"IRF-{10 + person * 8 + step:04d}" for step in range(8)] for person in range(6)}
    statuses: list[int] = []
    failures: list[BaseException] = []
    start = threading.Barrier(7)

    def person(number: int):
        client = app.test_client()
        csrf = csrf_token(client)
        path = f"/shortlists/{tokens[number % 3]}/programs"
        try:
            start.wait()
            for code in additions[number]:
                statuses.append(client.post(path, data={"csrf_token": csrf, "codes": code}).status_code)
                statuses.append(client.post(f"{path}/{code}/move", data={"csrf_token": csrf, "direction": "up"}).status_code)
                statuses.append(client.post(f"{path}/{code}/note", data={"csrf_token": csrf, "note": f"by {number}"}).status_code)
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            failures.append(error)

    people = [threading.Thread(target=person, args=(number,)) for number in range(6)]
    for thread in people:
        thread.start()
    start.wait()
    imported = load(app, ("big.csv", many_programs("IMP")))
    for thread in people:
        thread.join(timeout=300)
    assert failures == [] and imported.ok and imported.applied
    assert statuses and set(statuses) == {303}
    with app.app_context():
        for n, token in enumerate(tokens):
            shortlist = store.by_edit_token(db.session, token)
            codes = [entry.program_code for entry in store.entries(db.session, shortlist)]
            expected = ["IRF-0001", *additions[n], *additions[n + 3]]
            assert sorted(codes) == sorted(expected) and len(codes) == len(set(codes))
            ranks = [entry.rank for entry in store.entries(db.session, shortlist)]
            assert ranks == list(range(1, len(ranks) + 1))
    assert count_programs(app) == 168 + BATCH


# -- the finder's index is read from one snapshot (issue 13.1) ----------------

NEW_FEATURE = "kind,slug,label,description\nfellowship,snapshot_fellowship,Snapshot fellowship,\n"
NEW_PROGRAM = programs_csv(
    "SNAP-1,Snapshot IR Residency,Snapshot Hospital,Boston,MA,integrated_ir,6,snapshot_fellowship",
    header=HEADER + ",fellowships",
)


@pytest.mark.parametrize("before", ["program_features", "features"])
def test_a_load_committed_while_the_index_is_read_is_seen_whole_or_not_at_all(demo_app, before):
    """A load commits between the index's statements (an engine hook runs it there):
    the finder and the API still answer 200, and the index holds one version of the catalog."""
    app = demo_app
    fired = []

    def load_in_between(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().startswith("SELECT") and re.search(rf"FROM {before}\b", statement):
            fired.append(statement)
            assert load(app, ("features.csv", NEW_FEATURE), ("programs.csv", NEW_PROGRAM)).applied

    with app.app_context():
        engine = db.engine
        before_version = catalog_version(engine)
        # Without the index the last change stored, the request builds it: the path guarded here.
        db.session.execute(delete(finder_index))
        db.session.commit()
    event.listen(engine, "before_cursor_execute", load_in_between)
    try:
        client = app.test_client()
        assert client.get("/programs?fellowship=neurointerventional_surgery").status_code == 200
        index = app.extensions["finder"]["finder_index"]  # the one built while the load committed
        assert client.get("/api/programs?per_page=100").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", load_in_between)
    assert fired, "the hook never ran: the index reads its tables differently now"
    slugs = {f.slug for f in index.features}
    if index.version == before_version:
        assert (index.size, "snapshot_fellowship" in slugs) == (168, False)
    else:
        assert (index.size, "snapshot_fellowship" in slugs) == (169, True)
        assert index.slugs_by_program([index.ids[-1]])[int(index.ids[-1])]["fellowship"] == ["snapshot_fellowship"]


def catalog_version(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(catalog_state.c.version)).scalar_one()
