"""The finder parameters on the columns of issue 15 (contract section 3): intern_year, signals,
interview_format, comlex, my_step2, min_salary, min_cases, min_board_pass_rate, and the sorts
salary, -salary, cases, -cases, deadline; the grouped filter panel. Page, partial and API."""

import re
from html import unescape

import pytest

from finder.catalog.columns import BY_NAME
from finder.programs import view
from finder.programs.forms import FinderForm
from finder.programs.search import COLUMN_FILTERS, FILTERS, SORTS

from .conftest import load
from tests.finder_messages import says_where

HEADER = ("program_code,name,institution,city,state,program_type,length_years,intern_year,signals_accepted,"
          "interview_format,application_deadline,step2_minimum,comlex_accepted,salary_pgy1,ir_cases_per_year,"
          "board_pass_rate,zip_code\n")
ROWS = [
    # code, name, ..., intern year, signals, interview, deadline, step 2, COMLEX, salary, cases, pass rate, ZIP
    "P1,Alder Integrated IR,Alder Hospital,Boston,MA,integrated_ir,6,included,yes,virtual,2026-10-01,240,yes,65000,4200,96,02114",
    "P2,Birch Integrated IR,Birch Hospital,Austin,TX,integrated_ir,6,separate,no,in_person,2026-09-15,,,58000,,100,",
    "P3,Cedar Radiology,Cedar Health,Denver,CO,diagnostic_radiology,4,,,hybrid,,225,no,,9000,88,80202",
    "P4,Dogwood Independent IR,Dogwood Medical,Miami,FL,independent_ir,2,,yes,,2026-11-30,250,yes,72000,1500,,",
]
CODES_BY_NAME = ["P1", "P2", "P3", "P4"]


@pytest.fixture
def columns_client(app):
    result = load(app, ("programs.csv", HEADER + "\n".join(ROWS) + "\n"))
    assert result.ok, result.problems
    return app.test_client()


def everywhere(client, query: str) -> list[str]:
    """The codes listed for `query`, the same on the API, the page and its htmx partial."""
    api = client.get(f"/api/programs?{query}")
    assert api.status_code == 200, api.json
    codes = [p["program_code"] for p in api.json["results"]]
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(f"/programs?{query}", headers=headers)
        assert page.status_code == 200
        assert re.findall(r'<h3><a href="/programs/([^"]+)"', page.get_data(as_text=True)) == codes, headers
    return codes


@pytest.mark.parametrize(("query", "codes"), [
    ("intern_year=included", ["P1"]),
    ("intern_year=included&intern_year=separate", ["P1", "P2"]),  # blank never matches
    ("signals=1", ["P1", "P4"]),  # true only: no and unknown are left out
    ("interview_format=virtual&interview_format=hybrid", ["P1", "P3"]),
    ("comlex=1", ["P1", "P4"]),
    ("my_step2=240", ["P1", "P2", "P3"]),  # P2 states no minimum: it matches
    ("my_step2=230", ["P2", "P3"]),
    ("my_step2=200", ["P2"]),
    ("min_salary=65000", ["P1", "P4"]),
    ("min_salary=20000", ["P1", "P2", "P4"]),  # blank never matches
    ("min_cases=1500", ["P1", "P3", "P4"]),
    ("min_cases=0", ["P1", "P3", "P4"]),
    ("min_board_pass_rate=96", ["P1", "P2"]),
    ("min_board_pass_rate=0", ["P1", "P2", "P3"]),
    ("signals=1&comlex=1&min_salary=70000", ["P4"]),
    ("sort=salary", ["P2", "P1", "P4", "P3"]),  # blank last either way
    ("sort=-salary", ["P4", "P1", "P2", "P3"]),
    ("sort=cases", ["P4", "P1", "P3", "P2"]),
    ("sort=-cases", ["P3", "P1", "P4", "P2"]),
    ("sort=deadline", ["P2", "P1", "P4", "P3"]),  # soonest first
])
def test_each_new_parameter_filters_and_sorts_the_same_on_page_partial_and_api(columns_client, query, codes):
    assert everywhere(columns_client, query) == codes


@pytest.mark.parametrize(("query", "parameter"), [
    ("intern_year=categorical", "intern_year"), ("signals=yes", "signals"), ("signals=0", "signals"),
    ("interview_format=zoom", "interview_format"), ("comlex=true", "comlex"),
    ("my_step2=199", "my_step2"), ("my_step2=301", "my_step2"), ("my_step2=2x0", "my_step2"),
    ("min_salary=19999", "min_salary"), ("min_salary=200001", "min_salary"), ("min_salary=60,000", "min_salary"),
    ("min_cases=100001", "min_cases"), ("min_cases=-1", "min_cases"),
    ("min_board_pass_rate=101", "min_board_pass_rate"), ("min_board_pass_rate=9.5", "min_board_pass_rate"),
    ("sort=-deadline", "sort"), ("sort=+salary", "sort"),
])
def test_a_bad_value_of_a_new_parameter_gets_400_naming_it_beside_its_filter(columns_client, query, parameter):
    api = columns_client.get(f"/api/programs?{query}")
    assert api.status_code == 400 and api.json["error"]["parameter"] == parameter
    assert api.json["error"]["message"].startswith(f"{parameter} (")
    page = columns_client.get(f"/programs?{query}")
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 400 and says_where(text, parameter)
    assert f'id="err-{parameter}"' in text
    group = next(g for g, parameters in view.PANEL if parameter in parameters) if parameter != "sort" else None
    if group:  # the group holding the bad filter is open, so the message beside it is seen
        assert re.search(rf'<details class="group" open>\s*<summary>{group}', text)


def test_bounds_labels_and_choices_come_from_the_column_registry(app):
    with app.test_request_context():
        form = FinderForm()
    for parameter, (how, column) in COLUMN_FILTERS.items():
        if how in ("at_least", "at_most", "at_most_or_blank"):
            assert view.bounds(form[parameter]) == (column.low, column.high), parameter
        if how == "any_of" and parameter not in ("state", "visa"):
            assert form[parameter].choices == dict(column.choices), parameter
        label = next(f.label for f in column.filters if f.parameter == parameter)
        assert form[parameter].label.text == label, parameter
    assert SORTS["salary"] == BY_NAME["salary_pgy1"].sort.ascending
    assert SORTS["deadline"] == BY_NAME["application_deadline"].sort.ascending and "-deadline" not in SORTS
    assert SORTS["updated"] == BY_NAME["data_verified_on"].sort.descending and "-updated" not in SORTS


def test_every_filter_is_in_exactly_one_group_of_the_panel_in_the_registrys_groups():
    placed = [p for _, parameters in view.PANEL for p in parameters]
    assert len(placed) == len(set(placed))
    assert set(placed) == (set(FILTERS) - {"q"}) | {"near"}
    assert [group for group, _ in view.PANEL] == ["Route", "Place", "Applying", "Training", "Features",
                                                  "Practicalities"]
    for group, parameters in view.PANEL:
        for parameter in parameters:
            if parameter in COLUMN_FILTERS:
                assert COLUMN_FILTERS[parameter][1].group == group, parameter


def test_new_options_show_live_counts_with_the_other_filters(columns_client):
    body = columns_client.get("/programs?type=integrated_ir").get_data(as_text=True)
    assert re.search(r'value="included"> Included \(categorical\) <span id="n-intern_year-included">\(1\)', body)
    assert re.search(r'value="hybrid"> Hybrid <span id="n-interview_format-hybrid">\(0\)', body)
    assert re.search(r'name="signals" value="1"> Takes preference signals <span id="n-signals-1">\(1\)', body)
    assert re.search(r'name="comlex" value="1"> Accepts COMLEX <span id="n-comlex-1">\(1\)', body)
    partial = columns_client.get("/programs?type=integrated_ir", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<span id="n-intern_year-separate" hx-swap-oob="true">(1)</span>' in partial
    assert '<span id="n-signals-1" hx-swap-oob="true">(1)</span>' in partial


def test_one_of_these_counts_widen_their_own_group(columns_client):
    body = columns_client.get("/programs?interview_format=virtual").get_data(as_text=True)
    assert re.search(r'value="in_person"> In person <span id="n-interview_format-in_person">\(1\)', body)
    assert re.search(r'value="separate"> [^<]+ <span id="n-intern_year-separate">\(0\)', body)


def test_the_panel_groups_say_how_many_of_their_filters_are_active(columns_client):
    body = columns_client.get("/programs?signals=1&comlex=1&min_salary=60000&intern_year=included").get_data(
        as_text=True)
    assert '<summary>Applying<span class="group__active" id="active-applying"> · 2 active</span></summary>' in body
    assert '<span class="group__active" id="active-practicalities"> · 1 active</span>' in body
    assert '<span class="group__active" id="active-route"> · 1 active</span>' in body
    assert '<span class="group__active" id="active-training"></span>' in body
    # Route, Place and Features start open; another group opens when one of its filters is active.
    assert re.search(r'<details class="group" open>\s*<summary>Practicalities', body)
    assert re.search(r'<details class="group">\s*<summary>Training', body)
    partial = columns_client.get("/programs?signals=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<span class="group__active" id="active-applying" hx-swap-oob="true"> · 1 active</span>' in partial
    assert '<span class="group__active" id="active-practicalities" hx-swap-oob="true"></span>' in partial


def test_chips_name_the_new_filters_in_words(columns_client):
    body = unescape(columns_client.get(
        "/programs?intern_year=separate&signals=1&interview_format=in_person&comlex=1&my_step2=230"
        "&min_salary=60000&min_cases=1500&min_board_pass_rate=90").get_data(as_text=True))
    for label in ("Intern year: Separate preliminary year (advanced)", "Takes preference signals",
                  "Interview format: In person", "Accepts COMLEX", "Step 2 CK minimum 230 or lower, or none stated",
                  "Salary at least $60,000", "At least 1,500 IR cases a year", "Board pass rate at least 90 %"):
        assert f'aria-label="Remove filter: {label}"' in body, label


def test_a_sort_on_a_fact_the_results_do_not_show_shows_it(columns_client):
    body = columns_client.get("/programs?sort=-salary").get_data(as_text=True)
    assert "First-year salary (PGY-1): $72,000" in body and "First-year salary (PGY-1): Not known" in body
    deadline = columns_client.get("/programs?sort=deadline").get_data(as_text=True)
    assert "Application deadline: 15 September 2026" in deadline
    assert "First-year salary" not in columns_client.get("/programs?sort=name").get_data(as_text=True).split(
        'id="finder-results"')[1]


def test_distance_uses_the_zip_code_column_before_the_city(columns_client):
    results = columns_client.get("/api/programs?near=80202&sort=distance").json["results"]
    assert [r["program_code"] for r in results][0] == "P3" and results[0]["distance_miles"] == 0.0
