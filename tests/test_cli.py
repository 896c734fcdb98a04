"""The command line of CONTRACT.md section 2, through Flask's CLI runner."""

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from finder.catalog.schema import PROGRAM_COLUMN_NAMES
from finder.extensions import db
from finder.models import Program

from .conftest import ON_POSTGRES, SEED
from .test_catalog_load import ALPHA, BETA, FEATURES, HEADER, programs_csv, records


def write(tmp_path, name: str, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def program_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Program))


def test_load_prints_a_summary_per_file_and_exits_0(runner, app, tmp_path):
    features = write(tmp_path, "features.csv", FEATURES)
    programs = write(tmp_path, "programs.csv", programs_csv(ALPHA, BETA))
    result = runner.invoke(args=["seed", "load", features, programs])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{features}: added 4, updated 0, unchanged 0, removed 0",
        f"{programs}: added 2, updated 0, unchanged 0, removed 0",
    ]


def test_load_stores_the_finder_index_of_the_version_it_wrote_and_only_then(runner, app, tmp_path, monkeypatch):
    # The command builds the index itself, after the commit (and after letting go of the files).
    from finder.catalog.tables import catalog_state, finder_index
    from finder.programs import search

    built = []
    publish = search.publish_index
    monkeypatch.setattr(search, "publish_index", lambda bind: built.append(publish(bind)))
    features = write(tmp_path, "features.csv", FEATURES)
    programs = write(tmp_path, "programs.csv", programs_csv(ALPHA, BETA))
    assert runner.invoke(args=["seed", "load", features, programs]).exit_code == 0
    assert runner.invoke(args=["seed", "load", programs]).exit_code == 0  # nothing changes
    assert runner.invoke(args=["seed", "load", "--dry-run", programs]).exit_code == 0
    with app.app_context():
        version = db.session.scalar(select(catalog_state.c.version))
        assert list(db.session.scalars(select(finder_index.c.version))) == [version]
    assert [index.version for index in built] == [version]


def test_load_runs_with_the_cyclic_collector_paused_and_turns_it_back_on(runner, app, tmp_path, monkeypatch):
    import gc

    import finder.cli

    seen = []
    load_catalog = finder.cli.load_catalog
    monkeypatch.setattr(finder.cli, "load_catalog", lambda *a, **k: seen.append(gc.isenabled()) or load_catalog(*a, **k))
    assert gc.isenabled()
    assert runner.invoke(args=["seed", "load", write(tmp_path, "features.csv", FEATURES)]).exit_code == 0
    assert runner.invoke(args=["seed", "load", write(tmp_path, "bad.csv", "no,such,columns\n")]).exit_code == 1
    assert seen == [False, False] and gc.isenabled()


def test_load_with_problems_prints_them_on_stderr_exits_1_and_writes_nothing(runner, app, tmp_path):
    features = write(tmp_path, "features.csv", FEATURES)
    programs = write(tmp_path, "programs.csv", programs_csv(ALPHA, "P2,Beta,Beta Clinic,Austin,ZZ,diagnostic_radiology,9"))
    result = runner.invoke(args=["seed", "load", features, programs])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{programs}: line 3: state: 'ZZ' is not the USPS code of a US state, DC or PR",
        f"{programs}: line 3: length_years: '9' must be a whole number from 1 to 7",
        "2 problems found; nothing was written.",
    ]
    assert records(app) == {}


def test_dry_run_reports_and_writes_nothing(runner, app, tmp_path):
    features = write(tmp_path, "features.csv", FEATURES)
    result = runner.invoke(args=["seed", "load", "--dry-run", features])
    assert result.exit_code == 0
    assert "added 4" in result.stdout and "Dry run: nothing was written." in result.stdout
    assert runner.invoke(args=["seed", "load", "--dry-run", features]).stdout.count("added 4") == 1


def test_prune_option_removes_absent_programs(runner, app, tmp_path):
    features = write(tmp_path, "features.csv", FEATURES)
    runner.invoke(args=["seed", "load", features, write(tmp_path, "all.csv", programs_csv(ALPHA, BETA))])
    result = runner.invoke(args=["seed", "load", "--prune", write(tmp_path, "one.csv", programs_csv(ALPHA))])
    assert "removed 1" in result.stdout
    assert set(records(app)) == {"P1"}


def test_a_path_that_does_not_exist_is_a_problem_exit_1_and_the_other_files_are_still_checked(runner, app, tmp_path):
    """Contract section 2: a path that does not exist or cannot be read is a problem (exit 1)."""
    missing = str(tmp_path / "nope.csv")
    features = write(tmp_path, "features.csv", FEATURES)
    bad = write(tmp_path, "bad.csv", programs_csv(ALPHA.replace(",MA,", ",ZZ,")))
    result = runner.invoke(args=["seed", "load", features, missing, bad, str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{missing}: line 1: file: there is no file at this path",
        f"{bad}: line 2: state: 'ZZ' is not the USPS code of a US state, DC or PR",
        f"{tmp_path}: line 1: file: this is a folder, not a file",
        "3 problems found; nothing was written.",
    ]
    assert records(app) == {}


def test_a_missing_file_alone_writes_nothing_even_beside_good_files(runner, app, tmp_path):
    features = write(tmp_path, "features.csv", FEATURES)
    result = runner.invoke(args=["seed", "load", features, str(tmp_path / "nope.csv")])
    assert result.exit_code == 1 and "there is no file at this path" in result.stderr
    assert "Usage" not in result.output
    with app.app_context():
        from finder.models import Feature

        assert db.session.scalar(select(func.count()).select_from(Feature)) == 0  # the good file is not written


def test_demo_loads_the_bundled_files_and_is_an_upsert(runner, app):
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert "programs.csv: added" in first.stdout
    count = program_count(app)
    assert count >= 150
    second = runner.invoke(args=["seed", "demo"])
    assert f"unchanged {count}" in second.stdout


def test_demo_if_empty_leaves_a_database_with_programs_alone(runner, app, tmp_path):
    runner.invoke(args=["seed", "load", write(tmp_path, "f.csv", FEATURES), write(tmp_path, "p.csv", programs_csv(ALPHA))])
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert "already holds programs" in result.stdout
    assert program_count(app) == 1


def test_export_then_load_reports_everything_unchanged(runner, demo_app, tmp_path):
    path = str(tmp_path / "export.csv")
    exported = runner.invoke(args=["seed", "export", path])
    assert exported.exit_code == 0
    count = program_count(demo_app)
    assert exported.stdout.strip() == f"Wrote {count} programs to {path}."
    reloaded = runner.invoke(args=["seed", "load", path])
    assert reloaded.stdout.strip() == f"{path}: added 0, updated 0, unchanged {count}, removed 0"


def test_export_writes_the_contract_columns_in_order(runner, demo_app, tmp_path):
    path = tmp_path / "export.csv"
    runner.invoke(args=["seed", "export", str(path)])
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == PROGRAM_COLUMN_NAMES
    assert [row[0] for row in rows[1:]] == sorted(row[0] for row in rows[1:])


def test_export_guards_formula_cells_and_round_trips_them_exactly(runner, app, tmp_path):
    header = HEADER + ",description"
    rows = [
        "P1,'=HYPERLINK(1),Alpha Hospital,Boston,MA,integrated_ir,6,'+1 555",
        "P2,'-Minus,Beta Clinic,Austin,TX,diagnostic_radiology,5,'@at",
        "P3,''Ohana,Gamma,Honolulu,HI,fellowship,1,'plain quote",
    ]
    runner.invoke(args=["seed", "load", write(tmp_path, "f.csv", FEATURES), write(tmp_path, "p.csv", programs_csv(*rows, header=header))])
    stored = records(app)
    assert (stored["P1"]["name"], stored["P1"]["description"]) == ("=HYPERLINK(1)", "+1 555")
    assert (stored["P2"]["name"], stored["P3"]["name"]) == ("-Minus", "'Ohana")
    out = tmp_path / "export.csv"
    runner.invoke(args=["seed", "export", str(out)])
    cells = {row[0]: row for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert cells["P1"][1] == "'=HYPERLINK(1)"
    assert cells["P1"][15] == "'+1 555"
    assert cells["P2"][1] == "'-Minus"
    assert cells["P3"][1] == "''Ohana"
    assert cells["P3"][15] == "''plain quote"
    again = runner.invoke(args=["seed", "load", str(out)])
    assert "unchanged 3" in again.stdout
    assert records(app) == stored


def test_export_to_standard_output(runner, app, tmp_path):
    runner.invoke(args=["seed", "load", write(tmp_path, "f.csv", FEATURES), write(tmp_path, "p.csv", programs_csv(ALPHA))])
    result = runner.invoke(args=["seed", "export", "-"])
    assert result.stdout.splitlines()[0] == ",".join(PROGRAM_COLUMN_NAMES)
    assert result.stdout.splitlines()[1].startswith("P1,Alpha IR Residency,")


def test_generate_writes_valid_rows_that_load_cleanly(runner, app, tmp_path):
    path = str(tmp_path / "generated.csv")
    result = runner.invoke(args=["seed", "generate", "--count", "300", "--seed", "7", path])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"Wrote 300 programs to {path}."
    loaded = runner.invoke(args=["seed", "load", str(SEED / "features.csv"), path])
    assert loaded.exit_code == 0, loaded.stderr
    assert f"{path}: added 300" in loaded.stdout


def test_generate_same_seed_gives_the_same_file_and_another_seed_another(runner, app, tmp_path):
    paths = [str(tmp_path / name) for name in ("a.csv", "b.csv", "c.csv")]
    for path, seed in zip(paths, ("3", "3", "4")):
        runner.invoke(args=["seed", "generate", "--count", "50", "--seed", seed, path])
    a, b, c = (Path(path).read_bytes() for path in paths)
    assert a == b
    assert a != c


def test_generated_rows_cover_every_type_and_many_states(runner, app, tmp_path):
    path = tmp_path / "g.csv"
    runner.invoke(args=["seed", "generate", "--count", "500", "--seed", "1", str(path)])
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {row["program_type"] for row in rows} == {"integrated_ir", "independent_ir", "diagnostic_radiology", "fellowship"}
    assert len({row["state"] for row in rows}) > 40
    assert any(row["positions_per_year"] == "" for row in rows)


def test_progress_is_reported_for_long_files(app, tmp_path):
    from finder.catalog import Source, load_catalog

    rows = [f"P{n},Program {n},Hospital,Boston,MA,integrated_ir,6" for n in range(2500)]
    seen = []
    with app.app_context():
        load_catalog(
            db.engine,
            [Source("p.csv", programs_csv(*rows).encode())],
            progress=lambda path, done, total: seen.append((path, done, total)),
        )
    assert seen == [("p.csv", 1000, 2501), ("p.csv", 2000, 2501), ("p.csv", 2500, 2501)]


def test_progress_bar_is_drawn_on_a_terminal_for_long_files(monkeypatch, capsys):
    from finder import cli

    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: True, raising=False)
    with cli._ProgressBars() as progress:
        progress("big.csv", 6000, 12000)
        progress("big.csv", 12000, 12000)
    assert "Loading big.csv" in capsys.readouterr().err


def test_the_example_files_in_the_docs_load_cleanly(runner, app):
    from .conftest import ROOT

    examples = ROOT / "docs" / "examples"
    result = runner.invoke(args=["seed", "load", str(examples / "features.csv"), str(examples / "programs.csv")])
    assert result.exit_code == 0, result.stderr
    assert "programs.csv: added 2" in result.stdout


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="planner statistics are a PostgreSQL matter")
def test_a_large_load_refreshes_the_planner_statistics_on_postgres(runner, app, tmp_path):
    path = str(tmp_path / "generated.csv")
    runner.invoke(args=["seed", "generate", "--count", "1200", "--seed", "3", path])
    assert runner.invoke(args=["seed", "load", str(SEED / "features.csv"), path]).exit_code == 0
    with app.app_context():
        analyzed = db.session.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'programs' AND schemaname = current_schema()")
        ).scalar_one()
    assert analyzed is not None
