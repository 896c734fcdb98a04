"""The finder page, its htmx partial, the program page and the JSON API, on a small hand-made catalog."""

import re
from datetime import date, timedelta
from html import unescape
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from .conftest import ON_POSTGRES, ROOT, load
from .test_program_columns import CONTRACT_COLUMNS
from finder.catalog.columns import PROGRAM_COLUMN_NAMES
from finder.catalog.tables import programs
from finder.catalog.vocab import STATES
from finder.extensions import db
from finder.programs import view
from finder.programs.forms import FinderForm
from finder.programs.routes import finder_index
from finder.programs.search import Query
from finder.pathways.timelines import pathway_counts
from tests.finder_messages import says_where

FEATURES = """kind,slug,label,description
fellowship,pediatric_ir,Pediatric IR,Children
fellowship,oncology,Interventional oncology,
research,t32,T32 grant,
mentorship,mentor,Faculty mentor,
"""
HEADER = ("program_code,name,institution,city,state,program_type,length_years,positions_per_year,esir_available,"
          "fellowships,research_features,mentorship_features,research_months,visa_sponsorship,website,description,"
          "data_verified_on\n")
RECENT = (date.today() - timedelta(days=40)).isoformat()
OLD = (date.today() - timedelta(days=800)).isoformat()
ROWS = [
    f"A1,Cañon City Integrated IR,Rocky University,Cañon City,CO,integrated_ir,6,2,,pediatric_ir;oncology,t32,mentor,12,j1,https://a.example.org,\"<b>bold</b> text\",{RECENT}",
    f"A2,Boston Integrated IR,Harbor Hospital,Boston,MA,integrated_ir,6,,,oncology,,,,h1b,,,{OLD}",
    "B1,Austin Radiology,Lone Star Medical,Austin,TX,diagnostic_radiology,5,8,yes,,t32,,3,j1_h1b,,,",
    f"B2,Zeta Radiology,Zeta Health,Dallas,tx,diagnostic_radiology,4,12,no,,,mentor,0,none,,,{RECENT}",
    "C1,San Juan Independent IR,Isla Medical,San Juan,PR,independent_ir,2,1,,,,,,,,,",
]


@pytest.fixture
def finder_app(app):
    result = load(app, ("features.csv", FEATURES), ("programs.csv", HEADER + "\n".join(ROWS) + "\n"))
    assert result.ok, result.problems
    return app


@pytest.fixture
def finder_client(finder_app):
    return finder_app.test_client()


def api_codes(client, query: str) -> list[str]:
    response = client.get(f"/api/programs?{query}")
    assert response.status_code == 200, response.json
    return [program["program_code"] for program in response.json["results"]]


def page_codes(client, query: str, **headers) -> list[str]:
    response = client.get(f"/programs?{query}", headers=headers)
    assert response.status_code == 200
    return re.findall(r'<h3><a href="/programs/([^"]+)"', response.get_data(as_text=True))


@pytest.mark.parametrize(("query", "codes"), [
    ("", ["B1", "A2", "A1", "C1", "B2"]),
    ("q=canon", ["A1"]),
    ("q=BOS+harb", ["A2"]),
    ("q=ity", []),
    ("q=san+ju", ["C1"]),
    ("q=massachusetts", ["A2"]),
    ("q=Boston+Massachusetts", ["A2"]),
    ("q=tx", ["B1", "B2"]),
    ("q=texas+dal", ["B2"]),
    ("q=puerto+rico", ["C1"]),
    ("q=co", ["A1"]),
    ("type=integrated_ir&type=independent_ir", ["A2", "A1", "C1"]),
    ("state=tx", ["B1", "B2"]),
    ("state=TX&state=PR&state=", ["B1", "C1", "B2"]),
    ("region=south", ["B1", "C1", "B2"]),
    ("esir=1", ["B1"]),
    ("fellowship=oncology", ["A2", "A1"]),
    ("fellowship=oncology&fellowship=pediatric_ir", ["A1"]),
    ("research=t32&mentorship=mentor", ["A1"]),
    ("visa=j1", ["B1", "A1"]),
    ("visa=j1&visa=h1b", ["B1", "A2", "A1"]),
    ("min_positions=2", ["B1", "A1", "B2"]),
    ("min_positions=0", ["B1", "A1", "C1", "B2"]),
    ("min_research_months=3", ["B1", "A1"]),
    ("max_length=5", ["B1", "C1", "B2"]),
    ("verified_within=12", ["A1", "B2"]),
    ("type=integrated_ir&visa=h1b", ["A2"]),
    ("sort=-name", ["B2", "C1", "A1", "A2", "B1"]),
    ("sort=state", ["A1", "A2", "C1", "B1", "B2"]),
    ("sort=positions", ["C1", "A1", "B1", "B2", "A2"]),
    ("sort=-positions", ["B2", "B1", "A1", "C1", "A2"]),
    ("sort=research", ["B2", "B1", "A1", "A2", "C1"]),
    ("sort=-research", ["A1", "B1", "B2", "A2", "C1"]),
    ("sort=length", ["C1", "B2", "B1", "A2", "A1"]),
    ("sort=-length", ["A2", "A1", "B1", "B2", "C1"]),
    ("sort=updated", ["A1", "B2", "A2", "B1", "C1"]),
    ("per_page=2&page=2", ["A1", "C1"]),
    ("per_page=2&page=9", []),
    ("unknown=5&q=", ["B1", "A2", "A1", "C1", "B2"]),
])
def test_each_parameter_filters_and_sorts_the_same_on_page_partial_and_api(finder_client, query, codes):
    assert api_codes(finder_client, query) == codes
    assert page_codes(finder_client, query) == codes
    assert page_codes(finder_client, query, **{"HX-Request": "true"}) == codes


def test_api_count_is_all_matches_not_the_page(finder_client):
    body = finder_client.get("/api/programs?per_page=1&page=2&region=south").json
    assert (body["count"], body["page"], body["per_page"], len(body["results"])) == (3, 2, 1, 1)


@pytest.mark.parametrize(("query", "parameter"), [
    ("state=ZZ", "state"), ("type=clinic", "type"), ("region=north", "region"), ("esir=yes", "esir"),
    ("fellowship=nope", "fellowship"), ("research=mentor", "research"), ("visa=none", "visa"),
    ("min_positions=abc", "min_positions"), ("min_positions=101", "min_positions"),
    ("min_research_months=25", "min_research_months"), ("max_length=0", "max_length"),
    ("verified_within=1201", "verified_within"), ("sort=rank", "sort"), ("page=0", "page"),
    ("page=100001", "page"), ("per_page=0", "per_page"), ("per_page=101", "per_page"), ("page=1.5", "page"),
])
def test_a_bad_value_gets_400_naming_the_parameter_on_page_and_api(finder_client, query, parameter):
    api = finder_client.get(f"/api/programs?{query}")
    assert api.status_code == 400
    assert api.json["error"]["parameter"] == parameter
    assert parameter in api.json["error"]["message"]
    page = finder_client.get(f"/programs?{query}")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert says_where(text, parameter)
    assert 'class="field-error"' in text
    partial = finder_client.get(f"/programs?{query}", headers={"HX-Request": "true"})
    assert partial.status_code == 400 and says_where(unescape(partial.get_data(as_text=True)), parameter)


def test_each_request_gets_a_form_of_its_own_nothing_of_the_last_one_kept(finder_client, finder_app):
    """The form's fields are bound once per vocabulary and copied per request
    (`FinderForm.from_args`): what one request sent, and its errors, never reach another, also
    while both forms are alive at once (as in two threads of one worker)."""
    with finder_app.test_request_context():
        features = finder_index().features
        bad = FinderForm.from_args(MultiDict([("state", "ZZ"), ("min_positions", "abc")]), features)
        good = FinderForm.from_args(MultiDict([("state", "tx"), ("q", "bos")]), features)
        assert not bad.validate() and good.validate()
        assert (bad.state.data, bad.q.data, good.state.data, good.q.data) == (["ZZ"], None, ["TX"], "bos")
        assert set(bad.errors) == {"state", "min_positions"} and good.errors == {}
        assert good.state is not bad.state and good.state.errors == []
        blank = FinderForm.from_args(MultiDict(), features)
        assert blank.validate() and blank.query() == Query()
    assert finder_client.get("/api/programs?state=ZZ&min_positions=abc").status_code == 400
    assert api_codes(finder_client, "state=TX") == ["B1", "B2"]
    body = finder_client.get("/programs").get_data(as_text=True)
    assert 'class="field-error"' not in body and " checked" not in body.split('id="state-map"')[1].split("</fieldset>")[0]
    assert page_codes(finder_client, "") == ["B1", "A2", "A1", "C1", "B2"]
    assert finder_client.get("/api/programs?min_positions=abc").json["error"]["parameter"] == "min_positions"


def test_a_feature_new_to_the_vocabulary_is_a_valid_value_on_the_next_request(finder_client, finder_app):
    assert finder_client.get("/api/programs?fellowship=venous").json["error"]["parameter"] == "fellowship"
    assert finder_client.get("/api/programs?want=venous").status_code == 400
    load(finder_app, ("features.csv", FEATURES + "fellowship,venous,Venous,\n"))
    assert api_codes(finder_client, "fellowship=venous") == []
    assert finder_client.get("/api/programs?want=venous&sort=fit").status_code == 200
    assert "Venous" in finder_client.get("/programs").get_data(as_text=True)


def test_partial_for_htmx_full_page_otherwise_both_vary_on_hx_request(finder_client):
    full = finder_client.get("/programs?state=TX")
    partial = finder_client.get("/programs?state=TX", headers={"HX-Request": "true"})
    restore = finder_client.get("/programs?state=TX",
                                headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    boosted = finder_client.get("/programs?state=TX", headers={"HX-Request": "true", "HX-Boosted": "true"})
    for response in (full, restore, boosted):
        assert "<html" in response.get_data(as_text=True) and 'id="finder"' in response.get_data(as_text=True)
    body = partial.get_data(as_text=True)
    assert "<html" not in body and 'id="finder"' not in body  # the form stays, so typing and focus are kept
    assert body.lstrip().startswith('<p id="finder-status"')
    assert '<section id="finder-results"' in body and '<div id="state-map" hx-swap-oob="true">' in body
    for response in (full, partial, restore, boosted):
        assert "HX-Request" in response.headers["Vary"]


def test_partial_pieces_are_the_same_markup_the_full_page_includes(finder_client):
    partial = finder_client.get("/programs?q=bos", headers={"HX-Request": "true"}).get_data(as_text=True)
    full = finder_client.get("/programs?q=bos").get_data(as_text=True)
    results = re.search(r'<section id="finder-results".*?</section>', partial, re.S).group()
    assert results in full
    tiles = re.search(r'<div class="tiles">.*?</div>', partial, re.S).group()
    assert tiles in full
    assert '<span id="n-type-integrated_ir" hx-swap-oob="true">(1)</span>' in partial
    assert '<span id="n-type-integrated_ir">(1)</span>' in full


def test_a_bad_value_in_an_htmx_update_shows_the_whole_page_with_the_error(finder_client):
    response = finder_client.get("/programs?min_positions=500", headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "body" and response.headers["HX-Reswap"] == "innerHTML"
    assert 'id="err-min_positions"' in response.get_data(as_text=True)


def test_counts_say_how_many_each_option_would_give(finder_client):
    body = finder_client.get("/programs?state=TX").get_data(as_text=True)
    assert re.search(r'value="diagnostic_radiology"> Diagnostic radiology residency <span id="[^"]+">\(2\)', body)
    assert re.search(r'value="integrated_ir"> Integrated IR residency <span id="[^"]+">\(0\)', body)
    assert "2 programs match" in body
    assert 'TX<span>: Texas, 2 programs</span>' in body
    assert 'MA<span>: Massachusetts, 1 program</span>' in body


def test_state_map_has_a_tile_control_per_state_with_its_name_and_count(finder_client):
    body = finder_client.get("/programs").get_data(as_text=True)
    tiles = re.findall(r'<label class="b(\d)">'
                       r'<input type="checkbox" name="state" value="(\w\w)"[^>]*>(\w\w)'
                       r'<span>: ([^,]+), (\d+) programs?</span>', body)
    assert len(tiles) == 52 and len({t[1] for t in tiles}) == 52
    for bucket, value, visible, name, count in tiles:
        assert visible == value  # label in name: the visible text starts the accessible name
        assert (bucket == "0") == (count == "0")
    assert ("TX", "Texas", "2") in {(t[1], t[3], t[4]) for t in tiles}
    assert "<tr><td>Texas<td>2" in body  # the same numbers as a table


def test_tiles_are_placed_on_distinct_squares_by_the_stylesheet_in_map_order():
    css = (ROOT / "finder" / "static" / "css" / "finder.css").read_text()
    places = re.findall(r"\.tiles > label:nth-child\((\d+)\) \{ grid-area: (\d+) / (\d+); \}", css)
    assert [int(n) for n, _, _ in places] == list(range(1, 53))
    assert [(int(r) - 1, int(c) - 1) for _, r, c in places] == list(view.TILES.values())
    assert len(set(view.TILES.values())) == 52 and set(view.TILES) == set(STATES)


def test_no_inline_styles_or_scripts_on_the_finder_and_program_pages(finder_client):
    for path in ("/programs?state=TX&q=x", "/programs/A1"):
        body = finder_client.get(path).get_data(as_text=True)
        assert " style=" not in body and "<script>" not in body and " on" + "change=" not in body


def test_chips_remove_one_filter_each_and_clear_all_keeps_sort(finder_client):
    body = unescape(finder_client.get("/programs?state=TX&state=PR&esir=1&sort=-name").get_data(as_text=True))
    assert 'href="?state=PR&esir=1&sort=-name" aria-label="Remove filter: Texas"' in body
    assert 'href="?state=TX&state=PR&sort=-name" aria-label="Remove filter: ESIR available"' in body
    assert 'href="?sort=-name">Clear all filters' in body


def test_empty_result_names_the_filters_to_drop(finder_client):
    body = unescape(finder_client.get("/programs?state=PR&esir=1").get_data(as_text=True))
    assert "0 programs match" in body and "No program matches all these filters" in body
    assert '<a href="?state=PR">Drop ESIR available</a>: 1 program' in body
    assert '<a href="?esir=1">Drop Puerto Rico</a>: 1 program' in body


def test_paging_says_where_you_are_and_links_with_rel(finder_client):
    body = unescape(finder_client.get("/programs?per_page=2&page=2").get_data(as_text=True))
    assert "Page 2 of 3" in body and "showing 3–4" in body
    assert '<a href="?per_page=2" rel="prev">' in body
    assert '<a href="?page=3&per_page=2" rel="next">' in body
    past = unescape(finder_client.get("/programs?per_page=2&page=7").get_data(as_text=True))
    assert "Page 7 is past the last page (3)" in past and 'href="?page=3&per_page=2"' in past


def test_each_result_shows_its_facts_and_how_recently_it_was_verified(finder_client):
    body = finder_client.get("/programs?q=canon").get_data(as_text=True)
    assert "Rocky University · Cañon City, CO" in body
    assert "Integrated IR residency · 6 yrs · 2 positions/yr · 12 research mo" in body
    assert "verified 1 month ago" in body
    assert '<span>Interventional oncology</span>' in body
    assert "never verified" in finder_client.get("/programs?q=austin").get_data(as_text=True)


def test_form_keeps_the_chosen_values_and_has_a_submit_button_for_no_js(finder_client):
    body = finder_client.get("/programs?q=bos&state=tx&fellowship=oncology&min_positions=2&sort=state").get_data(as_text=True)
    assert 'name="q" value="bos"' in body
    assert 'value="TX" id="s-TX" checked' in body and 'value="oncology" checked' in body
    assert 'name="min_positions" min="0" max="100" value="2"' in body
    assert '<option value="state" selected>' in body
    assert '<button type="submit"' in body and 'action="/programs" method="get"' in body
    assert 'hx-push-url="true"' in body and "keyup changed delay:300ms" in body
    assert 'aria-live="polite"' in body


def test_sql_statements_per_finder_request_are_few_and_independent_of_page_size(finder_client, finder_app):
    statements = []
    with finder_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    finder_client.get("/programs")  # builds the index
    counts = {}
    for query in ("per_page=1", "per_page=100", "q=bos&state=TX&sort=-research", "page=50", "state=PR&esir=1"):
        for headers in ({}, {"HX-Request": "true"}):
            statements.clear()
            assert finder_client.get(f"/programs?{query}", headers=headers).status_code == 200
            counts[(query, bool(headers))] = len(statements)
        statements.clear()
        finder_client.get(f"/api/programs?{query}")
        counts[(query, "api")] = len(statements)
    assert set(counts.values()) == {1}, counts  # the catalog version with the page's rows


def _in_transaction(dbapi_connection) -> bool:
    """Whether the driver's connection has a transaction open (sqlite3 or psycopg)."""
    if hasattr(dbapi_connection, "in_transaction"):
        return dbapi_connection.in_transaction
    from psycopg.pq import TransactionStatus

    return dbapi_connection.info.transaction_status != TransactionStatus.IDLE


def test_finder_requests_run_their_statements_outside_a_transaction(finder_client, finder_app):
    """The page, the partial and the API only read: no BEGIN and ROLLBACK around their statements
    (on PostgreSQL two round trips a request), each statement whole on its own."""
    open_after = []
    with finder_app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *rest):
        open_after.append((statement.split()[0], _in_transaction(conn.connection.dbapi_connection)))

    finder_client.get("/programs")  # builds the index
    event.listen(engine, "after_cursor_execute", record)
    try:
        for path, headers in (("/programs?state=TX", {}), ("/programs?q=bos", {"HX-Request": "true"}),
                              ("/api/programs?sort=-research", {})):
            open_after.clear()
            assert finder_client.get(path, headers=headers).status_code == 200
            assert len(open_after) == 1 and not any(is_open for _, is_open in open_after), (path, open_after)
    finally:
        event.remove(engine, "after_cursor_execute", record)


def _commits_each_statement(dbapi_connection) -> bool:
    """Whether the driver's connection is in autocommit mode (sqlite3 or psycopg)."""
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return dbapi_connection.isolation_level is None
    return dbapi_connection.autocommit


def test_a_write_after_the_finder_in_the_same_app_still_runs_in_a_transaction(finder_client, finder_app):
    """The finder's statements on their own do not outlive its request: the very connection
    the request used is back in the pool as it was, and a session on it opens a transaction."""
    with finder_app.app_context():
        engine = db.engine
        before = _commits_each_statement(db.session.connection().connection.dbapi_connection)
        db.session.rollback()
    used = []

    def record(conn, cursor, statement, *rest):
        used.append(conn.connection.dbapi_connection)

    event.listen(engine, "after_cursor_execute", record)
    try:
        assert finder_client.get("/programs", headers={"HX-Request": "true"}).status_code == 200
    finally:
        event.remove(engine, "after_cursor_execute", record)
    assert used and all(_commits_each_statement(connection) == before for connection in used)
    with finder_app.app_context():
        db.session.execute(select(programs.c.id).limit(1)).all()
        assert _in_transaction(db.session.connection().connection.dbapi_connection) == ON_POSTGRES
        db.session.rollback()


def test_index_is_rebuilt_after_the_catalog_changes(finder_client, finder_app):
    assert api_codes(finder_client, "state=NE") == []
    load(finder_app, ("programs.csv", HEADER + "N1,Omaha IR,Plains,Omaha,NE,fellowship,1,,,,,,,,,,\n"))
    assert api_codes(finder_client, "state=NE") == ["N1"]


def test_pathway_counts_equal_the_finders_counts(finder_client, finder_app):
    with finder_app.app_context():
        counts = pathway_counts(db.session)
    assert counts == {"integrated": 2, "esir": 1, "independent": 1, "fellowship": 0}
    assert finder_client.get("/api/programs?type=diagnostic_radiology&esir=1").json["count"] == counts["esir"]


def test_program_page_shows_every_field_features_by_kind_and_a_safe_link(finder_client):
    response = finder_client.get("/programs/A1", headers={"Referer": "http://localhost/programs?state=CO"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<a href="/programs?state=CO">Back to your results</a>' in body
    for text in ("Cañon City Integrated IR", "Rocky University", "Colorado", "West", "6 years", "J-1",
                 "Research months (protected, whole program)</dt><dd>12 months", "Pediatric IR", "Children", "T32 grant", "Faculty mentor",
                 "Where this program fits"):
        assert text in body, text
    assert 'href="https://a.example.org" rel="noopener noreferrer"' in body
    assert "&lt;b&gt;bold&lt;/b&gt; text" in body
    assert "more than 12 months ago" in finder_client.get("/programs/A2").get_data(as_text=True)
    assert "never been verified" in finder_client.get("/programs/B1").get_data(as_text=True)


def test_unknown_or_wrong_case_program_code_gets_404_page_and_json(finder_client):
    assert finder_client.get("/programs/a1").status_code == 404
    assert "no program has the code 'a1'" in unescape(finder_client.get("/programs/a1").get_data(as_text=True))
    api = finder_client.get("/api/programs/a1")
    assert api.status_code == 404 and "a1" in api.json["error"]["message"]


def test_a_program_code_with_a_nul_byte_or_the_wrong_shape_gets_a_4xx_not_a_server_error(finder_client):
    for path in ("/programs/" + "A" * 33, "/programs/a%20b"):
        assert finder_client.get(path).status_code == 404, path
        assert finder_client.get("/api" + path).status_code == 404, path
    for path in ("/programs/%00", "/programs/A%00B"):  # no address holds NUL (security.py): no such page
        assert finder_client.get(path).status_code == 404, path
        answer = finder_client.get("/api" + path)
        assert answer.status_code == 404 and answer.json["error"]["message"], path


def test_api_program_carries_every_csv_column_region_and_url(finder_client):
    program = finder_client.get("/api/programs/B1").json
    assert set(program) == {*PROGRAM_COLUMN_NAMES, "region", "url"}
    later = PROGRAM_COLUMN_NAMES[len(CONTRACT_COLUMNS):]  # columns added to the contract since
    assert {name: value for name, value in program.items() if name not in later} == {
        "program_code": "B1", "name": "Austin Radiology", "institution": "Lone Star Medical", "city": "Austin",
        "state": "TX", "program_type": "diagnostic_radiology", "length_years": 5, "positions_per_year": 8,
        "esir_available": True, "fellowships": [], "research_features": ["t32"], "mentorship_features": [],
        "research_months": 3, "visa_sponsorship": "j1_h1b", "website": None, "description": None,
        "data_verified_on": None, "intern_year": None, "signals_accepted": None, "interview_format": None,
        "application_deadline": None, "step2_minimum": None, "comlex_accepted": None, "salary_pgy1": None,
        "ir_cases_per_year": None, "ir_faculty": None, "board_pass_rate": None, "program_director": None,
        "contact_email": None, "zip_code": None, "region": "south", "url": "/programs/B1",
    }
    listed = finder_client.get("/api/programs?q=austin").json["results"][0]
    assert listed == program
    assert finder_client.get("/api/features").json["fellowship"][0]["slug"] == "oncology"


query_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
query_strings = st.lists(
    st.tuples(st.sampled_from(["q", "type", "state", "region", "esir", "fellowship", "research", "mentorship",
                               "visa", "min_positions", "min_research_months", "max_length", "verified_within",
                               "near", "within", "want", "sort", "page", "per_page", "other"]),
              query_values | st.sampled_from(["1", "TX", "0", "100", "-1", "j1", "name", "99999999999999",
                                              "02108", "46245", "distance", "fit", "esir", "oncology"])),
    max_size=6,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query_strings)
def test_random_query_strings_get_200_or_400_never_a_server_error(finder_client, pairs):
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
    for path in ("/programs", "/api/programs"):
        assert finder_client.get(f"{path}?{query}").status_code in (200, 400), (path, query)
    assert finder_client.get(f"/programs?{query}", headers={"HX-Request": "true"}).status_code in (200, 400)


@pytest.mark.skipif(ON_POSTGRES, reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_finders_queries_use_the_primary_key_not_a_scan(finder_app, finder_client):
    statements = []
    with finder_app.app_context():
        engine = db.engine

    def record(conn, cursor, sql, params, *rest):
        statements.append((sql, params))

    finder_client.get("/programs")  # builds the index (which reads every row once, by design)
    event.listen(engine, "before_cursor_execute", record)
    try:
        finder_client.get("/programs?state=TX&sort=-research")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(statements) == 1
    with engine.connect() as connection:
        for sql, params in statements:
            steps = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
            assert any(step.startswith("SEARCH programs USING INTEGER PRIMARY KEY") for step in steps), steps
            # a scan only of the one-row subquery of the catalog version or the page's ids (a JSON
            # array), never of a table (SQLite's wording of those two differs between versions)
            tables = ("programs", "catalog_state", "program_features", "features")
            assert not [step for step in steps if step.startswith("SCAN") and step.split()[1] in tables], steps
