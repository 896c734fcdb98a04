"""The bundled demo data (seed/) is valid, realistic and consistent with itself."""

import csv
import io
from collections import defaultdict

import pytest

from finder.catalog.institutions import institution_key
from finder.catalog.places import city_location, haversine_miles, zip_location

from .conftest import SEED
from .test_program_columns import NEW_COLUMNS

ROWS = list(csv.DictReader(io.StringIO((SEED / "programs.csv").read_text(encoding="utf-8"))))


def test_every_demo_program_has_values_for_the_new_columns():
    for row in ROWS:
        filled = [name for name in NEW_COLUMNS if row[name]]
        assert len(filled) >= 6, (row["program_code"], filled)
    for name in NEW_COLUMNS:
        blank = sum(not row[name] for row in ROWS)
        assert blank < len(ROWS), f"{name} is blank everywhere"


def test_numbers_are_in_realistic_ranges():
    salaries = [int(row["salary_pgy1"]) for row in ROWS if row["salary_pgy1"]]
    assert 58_000 <= min(salaries) and max(salaries) <= 78_000
    minimums = [int(row["step2_minimum"]) for row in ROWS if row["step2_minimum"]]
    assert len(minimums) < len(ROWS) / 2 and all(220 <= m <= 250 for m in minimums)
    assert all(1000 <= int(row["ir_cases_per_year"]) <= 20000 for row in ROWS if row["ir_cases_per_year"])
    rates = [int(row["board_pass_rate"]) for row in ROWS if row["board_pass_rate"]]
    assert sum(rate >= 90 for rate in rates) >= 0.8 * len(rates)


def test_research_months_and_the_protected_research_time_feature_agree():
    for row in ROWS:
        has_feature = "protected_research_time" in row["research_features"].split(";")
        if row["research_months"]:
            assert has_feature == (int(row["research_months"]) > 0), row["program_code"]


@pytest.mark.parametrize("program_type, includes, separate", [("integrated_ir", "6", "5"), ("diagnostic_radiology", "5", "4")])
def test_the_intern_year_agrees_with_the_length(program_type, includes, separate):
    rows = [row for row in ROWS if row["program_type"] == program_type]
    for row in rows:
        expected = {"included": includes, "separate": separate}.get(row["intern_year"])
        assert expected in (None, row["length_years"]), row["program_code"]
    if program_type == "integrated_ir":  # "most integrated IR positions are Advanced"
        assert sum(row["intern_year"] == "separate" for row in rows) > len(rows) / 2


def test_people_and_addresses_are_fictional_and_zip_codes_lie_in_the_programs_city():
    for row in ROWS:
        assert not row["contact_email"] or row["contact_email"].endswith("@example.org")
        assert not row["program_director"] or row["program_director"].startswith("Dr. ")
        if row["zip_code"]:
            miles = haversine_miles(*zip_location(row["zip_code"]), *city_location(row["city"], row["state"]))
            assert miles < 25, (row["program_code"], row["zip_code"], row["city"])


def test_several_institutions_hold_an_integrated_a_dr_and_an_independent_ir_program():
    types = defaultdict(set)
    for row in ROWS:
        types[institution_key(row["institution"])].add(row["program_type"])
    assert sum({"integrated_ir", "diagnostic_radiology", "independent_ir"} <= held for held in types.values()) >= 10


def test_the_demo_loads_and_its_export_loads_back_unchanged(demo_app, runner, tmp_path):
    path = tmp_path / "export.csv"
    assert runner.invoke(args=["seed", "export", str(path)]).exit_code == 0
    again = runner.invoke(args=["seed", "load", str(path)])
    assert again.stdout.strip().endswith(f"unchanged {len(ROWS)}, removed 0")
