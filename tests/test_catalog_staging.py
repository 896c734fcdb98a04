"""The loader's mechanisms for speed (docs/performance.md, "Imports"), on both databases:
new programs staged in temporary tables before the write lock, the stored program codes read
once per check, and what each keeps of the guarantees: the same rows, ids in the file's order, the
same problems with the same messages, all or nothing."""

import pytest
from sqlalchemy import func, select, text

import finder.catalog.load as loader
from finder.extensions import db
from finder.models import Program

from .conftest import load

FEATURES = (
    "kind,slug,label,description\n"
    "fellowship,pediatric_ir,Pediatric IR,\n"
    "fellowship,interventional_oncology,Interventional oncology,\n"
    "research,t32_grant,T32 grant,\n"
)
HEADER = "program_code,name,institution,city,state,program_type,length_years,fellowships,research_features,zip_code"


def rows(prefix: str, count: int) -> str:
    fellowships = ("", "pediatric_ir", "pediatric_ir;interventional_oncology")
    return HEADER + "\n" + "".join(
        f"{prefix}{n:04d},{prefix} IR {n},Hospital {n % 7},Omaha,NE,integrated_ir,6,{fellowships[n % 3]},"
        f"{'t32_grant' if n % 2 else ''},{'68102' if n % 4 else ''}\n"
        for n in range(count))


@pytest.fixture
def vocab_app(app):
    assert load(app, ("features.csv", FEATURES)).ok
    return app


def links(app) -> set[tuple[str, str]]:
    with app.app_context():
        return set(db.session.execute(text(
            "SELECT p.program_code, f.slug FROM program_features AS pf JOIN programs AS p ON p.id = pf.program_id "
            "JOIN features AS f ON f.id = pf.feature_id")).all())


def test_staged_programs_get_ids_in_the_files_order_and_every_link(vocab_app):
    # More than one chunk of staging, in an order that sorts differently from the file's.
    body = HEADER + "\n" + "".join(
        f"Z{9999 - n},Program {n},Hospital,Omaha,NE,integrated_ir,6,{'pediatric_ir' if n % 2 else ''},,\n"
        for n in range(loader.STAGE_CHUNK + 10))
    assert load(vocab_app, ("programs.csv", body)).ok
    with vocab_app.app_context():
        codes = db.session.scalars(select(Program.program_code).order_by(Program.id)).all()
    assert codes == [f"Z{9999 - n}" for n in range(loader.STAGE_CHUNK + 10)]
    assert links(vocab_app) == {(f"Z{9999 - n}", "pediatric_ir") for n in range(1, loader.STAGE_CHUNK + 10, 2)}


def test_staged_rows_are_stored_as_the_row_by_row_insert_stores_them(vocab_app):
    assert load(vocab_app, ("programs.csv", rows("S", 30))).ok
    assert links(vocab_app) == {
        *((f"S{n:04d}", "pediatric_ir") for n in range(30) if n % 3),
        *((f"S{n:04d}", "interventional_oncology") for n in range(30) if n % 3 == 2),
        *((f"S{n:04d}", "t32_grant") for n in range(30) if n % 2),
    }
    # The same file's rows changed and loaded again: updates, then the rows and links as loaded anew.
    again = rows("S", 30).replace("Omaha,NE", "Lincoln,NE")
    assert load(vocab_app, ("programs.csv", again)).files[0].updated == 30
    with vocab_app.app_context():
        assert {p.city for p in db.session.scalars(select(Program))} == {"Lincoln"}


def test_a_load_that_fails_under_the_lock_leaves_nothing_and_the_next_one_loads(vocab_app, monkeypatch):
    """All or nothing, with the staging: an error after the programs' INSERT rolls it back, and
    the staging tables of the (pooled) connection are no obstacle to the next load."""
    real = loader.bump_version

    def fail(connection):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(loader, "bump_version", fail)
    with pytest.raises(RuntimeError):
        load(vocab_app, ("programs.csv", rows("F", 50)))
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 0
    assert links(vocab_app) == set()
    monkeypatch.setattr(loader, "bump_version", real)
    assert load(vocab_app, ("programs.csv", rows("F", 50))).ok
    assert load(vocab_app, ("programs.csv", rows("G", 5))).ok
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 55


def overtake(monkeypatch, times: int) -> list:
    """Another change commits between a load's check and its lock, on its first `times`
    attempts; the list of attempts made is returned."""
    real = loader.lock_catalog
    attempts = []

    def overtaken(connection):
        attempts.append(1)
        if len(attempts) <= times:
            with db.engine.connect() as other, other.begin():
                real(other)
                loader.bump_version(other)
        return real(connection)

    monkeypatch.setattr(loader, "lock_catalog", overtaken)
    return attempts


def test_a_load_overtaken_between_its_check_and_its_lock_stages_again_and_loads_once(vocab_app, monkeypatch):
    """The first attempt's staging is rolled back with its transaction; the recheck's is applied."""
    attempts = overtake(monkeypatch, times=1)
    result = load(vocab_app, ("programs.csv", rows("R", 20)))
    assert result.ok and result.applied and len(attempts) == 2
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 20
    assert len(links(vocab_app)) == sum(1 for n in range(20) if n % 3) + sum(1 for n in range(20) if n % 3 == 2) \
        + sum(1 for n in range(20) if n % 2)


def test_staging_takes_no_write_lock_on_sqlite(vocab_app, tmp_path):
    """On SQLite, filling the staging tables (before lock_catalog) leaves the database writable
    by another connection: the write lock is taken by the lock statement, not before."""
    with vocab_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite's database-wide write lock")
        import sqlite3

        path = db.engine.url.database
        seen = []
        real = loader.lock_catalog

        def check_then_lock(connection):
            other = sqlite3.connect(path, timeout=0)
            other.execute("BEGIN IMMEDIATE")  # fails at once if anyone holds the write lock
            other.rollback()
            other.close()
            seen.append(True)
            return real(connection)

        loader.lock_catalog = check_then_lock
        try:
            assert load(vocab_app, ("programs.csv", rows("L", 100))).ok
        finally:
            loader.lock_catalog = real
    assert seen == [True]


BAD = (
    HEADER + "\n"
    "A1,Alpha,Hospital,Omaha,NE,integrated_ir,6,,,\n"
    "A2,Beta,Hospital,Omaha,XX,integrated_ir,9,pediatric_irr,,\n"
    "A3,Gamma,Hospital,Omaha,NE\n"
    "A4,Delta,Hospital,Omaha,NE,integrated_ir,6,,,99999\n"
    "a b,Epsilon,Hospital,Omaha,NE,integrated_ir,6,,,6810\n"
    "A6,,Hospital,Omaha,NE,integrated_ir,6,,,\n"
    "A7,Eta,Hospital,Omaha,NE,integrated_ir,6,,t32_grant,68102\n"
)


def test_the_same_problems_with_the_same_messages(vocab_app):
    """The messages the row-at-a-time reader gave for this file (checked against it before the change)."""
    result = load(vocab_app, ("programs.csv", BAD))
    assert not result.applied
    assert [str(problem) for problem in result.problems] == [
        "programs.csv: line 3: state: 'XX' is not the USPS code of a US state, DC or PR",
        "programs.csv: line 3: length_years: '9' must be a whole number from 1 to 7",
        "programs.csv: line 3: fellowships: unknown fellowship 'pediatric_irr' (did you mean 'pediatric_ir'?)",
        "programs.csv: line 4: row: has 5 cells but the header has 10 columns",
        "programs.csv: line 5: zip_code: '99999' is not a ZIP code in the app's ZIP data",
        "programs.csv: line 6: program_code: 'a b' must be 1-32 characters of A-Z, a-z, 0-9, '-' or '_'",
        "programs.csv: line 6: zip_code: '6810' must be a ZIP code of 5 digits "
        "(a spreadsheet may have dropped its leading zeros: 06810)",
        "programs.csv: line 7: name: is required",
    ]
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 0


def staged_and_checked(monkeypatch) -> list[tuple[str, int]]:
    """What a load stages (rows per call) and checks (rows done), in the order it happens."""
    events: list[tuple[str, int]] = []
    real = loader._Staging.programs

    def programs(staging, rows):
        events.append(("staged", len(rows)))
        return real(staging, rows)

    monkeypatch.setattr(loader._Staging, "programs", programs)
    return events


def test_new_programs_are_staged_a_chunk_at_a_time_as_soon_as_they_are_checked(vocab_app, monkeypatch):
    """The plan of all new programs is never held at once: each checked chunk is staged before the
    next one is read, and the rows still get ids in the file's order."""
    events = staged_and_checked(monkeypatch)
    count = 2 * loader.CHUNK + loader.CHUNK // 2
    result = load(vocab_app, ("programs.csv", rows("C", count)),
                  progress=lambda path, done, total: events.append(("checked", done)))
    assert result.ok and result.files[0].added == count
    assert events == [
        ("staged", loader.CHUNK), ("checked", loader.CHUNK),
        ("staged", loader.CHUNK), ("checked", 2 * loader.CHUNK),
        ("staged", loader.CHUNK // 2), ("checked", count),
    ]
    with vocab_app.app_context():
        codes = db.session.scalars(select(Program.program_code).order_by(Program.id)).all()
    assert codes == [f"C{n:04d}" for n in range(count)]


def test_a_problem_after_chunks_were_staged_writes_nothing_and_the_next_load_is_whole(vocab_app, monkeypatch):
    events = staged_and_checked(monkeypatch)
    body = rows("B", 2 * loader.CHUNK + 10).replace("B2005,B IR 2005,Hospital 3,Omaha,NE", "B2005,B IR 2005,Hospital 3,Omaha,XX")
    result = load(vocab_app, ("programs.csv", body))
    assert [str(problem) for problem in result.problems] == [
        "programs.csv: line 2007: state: 'XX' is not the USPS code of a US state, DC or PR"]
    assert not result.applied and events == [("staged", loader.CHUNK), ("staged", loader.CHUNK)]
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 0
    assert links(vocab_app) == set()
    assert load(vocab_app, ("programs.csv", rows("G", 5))).ok
    with vocab_app.app_context():
        assert db.session.scalars(select(Program.program_code).order_by(Program.id)).all() == [
            f"G{n:04d}" for n in range(5)]


def test_a_dry_run_stages_nothing(vocab_app, monkeypatch):
    events = staged_and_checked(monkeypatch)
    assert load(vocab_app, ("programs.csv", rows("D", 30)), dry_run=True).files[0].added == 30
    assert events == []


def test_prune_counts_the_programs_that_a_staged_file_adds(vocab_app, monkeypatch):
    events = staged_and_checked(monkeypatch)
    without = "\n".join(line for line in FEATURES.splitlines() if "pediatric_ir" not in line) + "\n"
    result = load(vocab_app, ("features.csv", without), ("programs.csv", rows("P", 30)), prune=True)
    assert [str(problem) for problem in result.problems] == [
        "features.csv: line 1: file: --prune would remove fellowship 'pediatric_ir', which 20 programs "
        "still list; remove it from programs.csv first (or in the same command)"]
    assert events == [("staged", 30)]  # staged while checked, and counted from the staging
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Program)) == 0


def test_a_second_programs_file_may_change_what_the_first_adds(vocab_app, monkeypatch):
    """With two programs files the plan keeps the new programs until it is written (a later file
    may change one), and they are staged once, before the lock."""
    events = staged_and_checked(monkeypatch)
    later = HEADER + "\nM0001,M IR 1,Hospital 1,Lincoln,NE,integrated_ir,6,,t32_grant,68102\n"
    result = load(vocab_app, ("one.csv", rows("M", 3)), ("two.csv", later))
    assert result.ok and [(f.added, f.updated) for f in result.files] == [(3, 0), (0, 1)]
    assert events == [("staged", 3)]
    with vocab_app.app_context():
        stored = db.session.execute(select(Program.program_code, Program.city).order_by(Program.id)).all()
    assert stored == [("M0000", "Omaha"), ("M0001", "Lincoln"), ("M0002", "Omaha")]


def test_a_load_overtaken_every_time_checks_and_stages_once_more_under_the_lock(vocab_app, monkeypatch):
    """The last recheck, under the lock, empties what the attempt before it staged and stages anew."""
    attempts = overtake(monkeypatch, times=loader.RECHECKS + 1)
    result = load(vocab_app, ("programs.csv", rows("O", 20)))
    assert result.ok and result.applied and len(attempts) == loader.RECHECKS + 1
    with vocab_app.app_context():
        codes = db.session.scalars(select(Program.program_code).order_by(Program.id)).all()
    assert codes == [f"O{n:04d}" for n in range(20)]
    assert len(links(vocab_app)) == sum(1 for n in range(20) if n % 3) + sum(1 for n in range(20) if n % 3 == 2) \
        + sum(1 for n in range(20) if n % 2)
