"""Property-based tests: whatever bytes arrive, the loader answers and never half-writes."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finder.catalog.export import program_records
from finder.catalog.schema import PROGRAM_COLUMN_NAMES
from finder.extensions import db

from .conftest import load
from .test_catalog_load import ALPHA, FEATURES, programs_csv

CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "yes", "no", "6", "0", "101", "MA", "pr", "j1", "'=1", "2024-02-30", "https://x.example.org",
                     "integrated_ir", "diagnostic_radiology", "pediatric_ir", "t32_grant;;", "\u00e9", "\"", ",", "\n"]),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def snapshot(app) -> list[dict]:
    with app.app_context(), db.engine.connect() as connection:
        return list(program_records(connection))


def csv_text(rows: list[list[str]], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def seeded_snapshot(app) -> list[dict]:
    """The programs now, after loading a first program if there is none yet.

    Hypothesis runs many examples on one app, so the database carries over
    from one example to the next: each example compares its own before/after.
    """
    if not snapshot(app):
        assert load(app, ("features.csv", FEATURES), ("programs.csv", programs_csv(ALPHA))).ok
    return snapshot(app)


@SETTINGS
@given(rows=st.lists(st.lists(CELLS, min_size=17, max_size=17), min_size=1, max_size=4))
def test_random_rows_are_either_loaded_whole_or_rejected_without_a_write(app, rows):
    before = seeded_snapshot(app)
    result = load(app, ("random.csv", csv_text(rows, PROGRAM_COLUMN_NAMES)))
    after = snapshot(app)
    if result.ok:
        assert result.applied
    else:
        assert after == before
        for problem in result.problems:
            assert str(problem).startswith("random.csv: line ")


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_the_loader(app, data):
    before = seeded_snapshot(app)
    result = load(app, ("random.bin", data))
    if not result.ok:
        assert snapshot(app) == before
