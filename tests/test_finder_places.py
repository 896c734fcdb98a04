"""Near a ZIP code and wishes (contract sections 3 and 4): `near`, `within`, `sort=distance`,
`want`, `sort=fit`, `distance_miles` and `fit`, on the page, its htmx partial and the API.

Distances expected here are computed in the test: the haversine (radius 3958.8 miles) of the
`zipcodes` package's own coordinates.
"""

import math
import re
from html import unescape

import pytest
import zipcodes
from sqlalchemy import event

from finder.extensions import db

from .test_finder import api_codes, finder_app, finder_client, page_codes  # noqa: F401 (fixtures)
from tests.finder_messages import says_where

BOSTON_ZIP = "02108"


def point(code: str) -> tuple[float, float]:
    (found,) = zipcodes.matching(code)
    return float(found["lat"]), float(found["long"])


def city_point(city: str, state: str) -> tuple[float, float]:
    found = [r for r in zipcodes.filter_by(city=city, state=state) if r["active"] and float(r["lat"]) != 0]
    return sum(float(r["lat"]) for r in found) / len(found), sum(float(r["long"]) for r in found) / len(found)


def miles(a, b) -> float:
    (lat1, lon1), (lat2, lon2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


# The hand-made catalog of test_finder.py, placed by city and state (no zip_code column yet).
CITIES = {"A1": ("Canon City", "CO"), "A2": ("Boston", "MA"), "B1": ("Austin", "TX"), "B2": ("Dallas", "TX"),
          "C1": ("San Juan", "PR")}


def from_boston() -> dict[str, float]:
    return {code: miles(point(BOSTON_ZIP), city_point(*place)) for code, place in CITIES.items()}


def test_sort_by_distance_puts_the_nearest_first_and_every_result_says_how_far(finder_client):
    distances = from_boston()
    nearest = sorted(distances, key=distances.get)
    query = f"near={BOSTON_ZIP}&sort=distance"
    assert api_codes(finder_client, query) == page_codes(finder_client, query) == nearest
    assert page_codes(finder_client, query, **{"HX-Request": "true"}) == nearest
    body = finder_client.get(f"/programs?{query}").get_data(as_text=True)
    for code, distance in distances.items():
        assert f"<strong>{round(distance):,} miles</strong>" in body, code


def test_api_gives_distance_miles_rounded_to_one_decimal_only_with_near(finder_client):
    distances = from_boston()
    results = finder_client.get(f"/api/programs?near={BOSTON_ZIP}").json["results"]
    assert {r["program_code"]: r["distance_miles"] for r in results} == {
        code: round(distance, 1) for code, distance in distances.items()}
    assert all("distance_miles" not in r and "fit" not in r for r in finder_client.get("/api/programs").json["results"])


@pytest.mark.parametrize("radius", [1, 50, 1600, 1800, 3000])
def test_within_keeps_exactly_the_programs_at_most_that_far(finder_client, radius):
    distances = from_boston()
    inside = sorted((code for code, d in distances.items() if d <= radius), key=distances.get)
    query = f"near={BOSTON_ZIP}&within={radius}&sort=distance"
    assert api_codes(finder_client, query) == page_codes(finder_client, query) == inside
    assert finder_client.get(f"/api/programs?{query}").json["count"] == len(inside)


def test_facet_counts_honour_the_radius(finder_client):
    distances = from_boston()
    radius = math.ceil(max(distances["B1"], distances["B2"]))  # both Texas programs, not San Juan or Cañon City
    inside = {code for code, d in distances.items() if d <= radius}
    body = finder_client.get(f"/programs?near={BOSTON_ZIP}&within={radius}").get_data(as_text=True)
    texas = sum(code in inside for code in ("B1", "B2"))
    assert f'TX<span>: Texas, {texas} program{"" if texas == 1 else "s"}</span>' in body
    assert 'PR<span>: Puerto Rico, 0 programs</span>' in body or "C1" in inside
    integrated = sum(code in inside for code in ("A1", "A2"))
    assert re.search(rf'value="integrated_ir"> Integrated IR residency <span id="[^"]+">\({integrated}\)', body)


def test_within_is_a_chip_that_removes_the_radius_and_clear_all_keeps_the_zip_code(finder_client):
    body = unescape(finder_client.get(f"/programs?near={BOSTON_ZIP}&within=100&state=MA&sort=distance")
                    .get_data(as_text=True))
    assert f'href="?state=MA&near={BOSTON_ZIP}&sort=distance" aria-label="Remove filter: Within 100 miles of 02108"' \
        in body
    assert f'href="?near={BOSTON_ZIP}&sort=distance">Clear all filters' in body


def test_the_form_has_a_near_zip_code_box_and_a_radius_choice_that_keep_their_values(finder_client):
    body = finder_client.get(f"/programs?near={BOSTON_ZIP}&within=250").get_data(as_text=True)
    assert '<label for="f-near">Near ZIP code' in body
    assert f'id="f-near" name="near" value="{BOSTON_ZIP}"' in body and 'autocomplete="postal-code"' in body
    assert '<label for="f-within">Within</label>' in body
    assert '<option value="250" selected>250 miles</option>' in body and '<option value="">Any distance</option>' in body
    odd = finder_client.get(f"/programs?near={BOSTON_ZIP}&within=42").get_data(as_text=True)
    assert '<option value="42" selected>42 miles</option>' in odd


@pytest.mark.parametrize(("query", "parameter", "says"), [
    ("near=99999", "near", "not a ZIP code in the app's ZIP data"),
    ("near=0210", "near", "5 digits"),
    ("near=boston", "near", "5 digits"),
    ("near=46245", "near", "no map position"),
    ("within=50", "within", "needs a ZIP code"),
    (f"near={BOSTON_ZIP}&within=0", "within", "from 1 to 3000"),
    (f"near={BOSTON_ZIP}&within=3001", "within", "from 1 to 3000"),
    (f"near={BOSTON_ZIP}&within=ten", "within", "not a whole number"),
    ("sort=distance", "sort", "needs a ZIP code"),
    ("want=nope", "want", "not a known value"),
    ("want=esir&want=Oncology", "want", "not a known value"),
])
def test_bad_near_within_distance_sort_and_wishes_get_400_naming_the_parameter(finder_client, query, parameter, says):
    api = finder_client.get(f"/api/programs?{query}")
    assert api.status_code == 400 and api.json["error"]["parameter"] == parameter
    assert parameter in api.json["error"]["message"] and says in api.json["error"]["message"]
    page = finder_client.get(f"/programs?{query}")
    text = unescape(page.get_data(as_text=True))
    assert page.status_code == 400 and says_where(text, parameter)
    assert f'id="err-{parameter}"' in text and says in text
    partial = finder_client.get(f"/programs?{query}", headers={"HX-Request": "true"})
    assert partial.status_code == 400 and partial.headers["HX-Retarget"] == "body"


def test_an_empty_near_or_within_is_no_parameter_and_a_padded_zip_code_is_read(finder_client):
    assert finder_client.get("/api/programs?near=&within=").status_code == 200
    assert finder_client.get(f"/api/programs?near=+{BOSTON_ZIP}+&sort=distance").json["results"][0]["program_code"] == "A2"


def test_wishes_hide_nothing_and_fit_sorts_most_met_first_saying_what_is_missing(finder_client):
    # A1: oncology, pediatric_ir, t32, mentor, j1.  A2: oncology, h1b.  B1: ESIR, t32, j1_h1b.
    # B2: mentor, no visa.  C1: nothing known.
    query = "want=oncology&want=visa&want=esir&sort=fit"
    expected = ["B1", "A2", "A1", "C1", "B2"]  # B1, A2, A1 meet 2 of 3, C1 and B2 none; ties by name
    assert api_codes(finder_client, query) == page_codes(finder_client, query) == expected
    fits = {r["program_code"]: r["fit"] for r in finder_client.get(f"/api/programs?{query}").json["results"]}
    assert fits == {"A1": {"met": 2, "of": 3}, "A2": {"met": 2, "of": 3}, "B1": {"met": 2, "of": 3},
                    "B2": {"met": 0, "of": 3}, "C1": {"met": 0, "of": 3}}
    body = finder_client.get(f"/programs?{query}").get_data(as_text=True)
    assert "Meets 2 of 3 wishes; misses: ESIR available" in body
    assert "Meets 2 of 3 wishes; misses: Interventional oncology" in body
    assert "Meets 0 of 3 wishes; misses: Interventional oncology, Sponsors a visa (J-1 or H-1B), ESIR available" \
        in body
    assert finder_client.get("/api/programs?want=esir&want=esir").json["results"][0]["fit"]["of"] == 1


def test_with_wishes_but_another_sort_the_page_offers_to_rank_by_them(finder_client):
    body = unescape(finder_client.get("/programs?want=esir&sort=-name").get_data(as_text=True))
    assert '<a href="?want=esir&sort=fit">Put the programs that meet most of my wishes first</a>' in body
    ranked = finder_client.get("/programs?want=esir&sort=fit").get_data(as_text=True)
    assert "Put the programs that meet most" not in ranked and "Meets the wish" in ranked


def test_the_page_explains_wishes_in_plain_words(finder_client):
    body = finder_client.get("/programs").get_data(as_text=True)
    assert "Rank by my wishes" in body and "Which programs suit you best?" in body
    assert "Wishes hide nothing" in body
    assert 'name="want" value="esir"' in body and 'name="want" value="oncology"' in body


def test_near_within_and_wishes_take_one_sql_statement_as_any_search(finder_client, finder_app):
    statements = []
    with finder_app.app_context():
        engine = db.engine
    finder_client.get("/programs")  # builds the index
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for path in (f"/programs?near={BOSTON_ZIP}&within=2000&sort=distance", "/programs?want=esir&sort=fit",
                 f"/api/programs?near={BOSTON_ZIP}&want=t32"):
        for headers in ({}, {"HX-Request": "true"}):
            statements.clear()
            assert finder_client.get(path, headers=headers).status_code == 200
            assert len(statements) == 1, (path, statements)
