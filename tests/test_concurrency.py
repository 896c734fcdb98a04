"""Loads running while others read or load: all or nothing, one after the other.

Real threads with their own database connections, on SQLite (WAL) and on PostgreSQL.
"""

import threading

from sqlalchemy import func, select

from finder.catalog.tables import programs
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
