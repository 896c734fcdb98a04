"""The map of the results (issue 17, point 5): an SVG drawn on the server from the finder index,
a dot per place with its number of programs, each linked to the same search around that place,
the ring of `within` around `near`, Alaska, Hawaii and Puerto Rico in insets, a table as its
text alternative, on the page and in its htmx partial.

Distances expected here are the haversine (radius 3958.8 miles) of the `zipcodes` package's own
coordinates, computed in the test (`test_finder_search.miles`, `zip_point`).
"""

import math
import re
from html import unescape
from urllib.parse import parse_qs

import numpy as np
import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from finder.extensions import db
from finder.programs import usmap, view
from finder.programs.search import Query

from .test_finder import finder_app, finder_client  # noqa: F401 (fixtures)
from .test_finder_search import SAMPLE_ZIPS, TODAY, build, miles, zip_point

DOT = re.compile(r'<a href="([^"]+)" aria-label="(\d[\d,]*) programs? around ([^"]+)">')
BASE = dict(institution="I", city="Nowhere", state="TX", program_type="fellowship", length_years=1,
            esir_available=False)


def dots(body: str) -> list[tuple[str, int, str]]:
    """(link, count, place) of every dot of a page's map."""
    section = body[body.index('<section class="result-map"'):]
    section = section[:section.index("</svg>")]
    return [(unescape(href), int(count.replace(",", "")), unescape(name)) for href, count, name in DOT.findall(section)]


def catalog_of(*zip_codes: str, **extra) -> list[dict]:
    return [dict(BASE, name=f"P{i}", zip_code=code, **extra) for i, code in enumerate(zip_codes)]


def map_of(index, query: Query = Query()) -> view.MapView:
    return view.results_map(index, query, index.search(query, TODAY))


def test_every_program_with_a_location_is_a_dot_and_the_dots_link_to_all_of_them(finder_client):
    body = finder_client.get("/programs").get_data(as_text=True)
    found = dots(body)
    assert sum(count for _, count, _ in found) == 5  # the hand-made catalog: all five placed by their city
    assert {name for _, _, name in found} >= {"Boston, MA", "Canon City, CO", "San Juan, PR"}
    reached = set()
    for href, count, _ in found:
        args = parse_qs(href[1:])
        assert args["sort"] == ["distance"] and args["near"][0] and int(args["within"][0]) >= 1
        codes = [p["program_code"] for p in finder_client.get(f"/api/programs{href}&per_page=100").json["results"]]
        assert len(codes) >= count
        reached |= set(codes)
    assert reached == {"A1", "A2", "B1", "B2", "C1"}
    assert "5 programs in" in body


def test_a_dot_link_keeps_the_other_filters_and_sets_near_within_and_nearest_first(finder_client):
    body = finder_client.get("/programs?type=diagnostic_radiology&near=02108&sort=name&page=1").get_data(as_text=True)
    found = dots(body)
    assert sum(count for _, count, _ in found) == 2  # Austin and Dallas
    for href, _, _ in found:
        args = parse_qs(href[1:])
        assert args["type"] == ["diagnostic_radiology"] and args["sort"] == ["distance"]
        assert args["near"] != ["02108"] and "page" not in args
        assert finder_client.get(f"/programs{href}").status_code == 200


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SAMPLE_ZIPS), min_size=1, max_size=60))
def test_each_dot_holds_its_programs_within_the_radius_of_its_link(zip_codes):
    index = build(catalog_of(*zip_codes))
    layout = index.map_layout()
    for level in layout.levels:
        places_ = level.places
        for row, code in enumerate(zip_codes):
            dot = level.dot[row]
            if dot < 0:
                assert not layout.on_map[row]
                continue
            origin = zip_point(places_.zip_code[dot])
            assert miles(origin, zip_point(code)) <= places_.radius[dot], (level.size, code, places_.zip_code[dot])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(SAMPLE_ZIPS), min_size=1, max_size=400))
def test_the_dots_count_every_match_on_the_map_once_and_never_exceed_the_limit(zip_codes):
    index = build(catalog_of(*zip_codes))
    drawn = map_of(index)
    on_map = int(index.map_layout().on_map.sum())
    assert sum(dot.count for dot in drawn.dots) == on_map
    assert drawn.not_drawn == len(zip_codes) - on_map
    assert len(drawn.dots) <= usmap.MOST_DOTS
    assert [dot.count for dot in drawn.dots] == sorted((dot.count for dot in drawn.dots), reverse=True)


def test_programs_at_one_place_stack_into_one_dot_that_shows_their_number():
    index = build(catalog_of("02108", "02108", "02108", "80202"))
    drawn = map_of(index)
    assert [(dot.count, dot.name) for dot in drawn.dots] == [(3, "Boston, MA"), (1, "Denver, CO")]
    assert [dot.zip_code for dot in drawn.dots] == ["02108", "80202"]
    assert [dot.radius for dot in drawn.dots] == [1, 1]  # all at the ZIP code itself
    markup = str(view.map_dots(drawn))
    assert 'aria-label="3 programs around Boston, MA"' in markup and ">3</text>" in markup
    assert 'aria-label="1 program around Denver, CO"' in markup and ">1</text>" not in markup


def test_alaska_hawaii_and_puerto_rico_are_drawn_in_their_insets_and_guam_is_not_drawn():
    for code, area in (("99501", "AK"), ("96813", "HI"), ("00901", "PR"), ("02108", "lower48"), ("98101", "lower48"),
                       ("33139", "lower48")):
        x, y = usmap.project(*zip_point(code))
        left, top, width, height = usmap.AREAS[area].box
        assert left <= x[0] <= left + width and top <= y[0] <= top + height, (code, x, y)
    (guam,) = zipcodes.matching("96910")
    assert guam["state"] == "GU"
    index = build(catalog_of("96910", "99501", "96813", "00901"))
    drawn = map_of(index)
    assert drawn.not_drawn == 1
    assert {dot.name for dot in drawn.dots} == {"Anchorage, AK", "Honolulu, HI", "San Juan, PR"}


def test_a_program_without_a_location_is_not_drawn_and_the_map_says_so(finder_app):
    from .conftest import load

    row = "Z9,Nowhere IR,Nowhere Hospital,Atlantis,FL,fellowship,1,,,,,,,,,,\n"
    header = ("program_code,name,institution,city,state,program_type,length_years,positions_per_year,esir_available,"
              "fellowships,research_features,mentorship_features,research_months,visa_sponsorship,website,"
              "description,data_verified_on\n")
    assert load(finder_app, ("more.csv", header + row)).ok
    body = finder_app.test_client().get("/programs").get_data(as_text=True)
    assert sum(count for _, count, _ in dots(body)) == 5
    assert "5 programs in" in body and "1 program not on the map (no known location" in body


def test_within_draws_its_ring_and_shows_the_part_of_the_map_around_it(finder_client):
    whole = finder_client.get("/programs").get_data(as_text=True)
    assert 'viewBox="0 0 960 600"' in whole and "result-map__within" not in whole and "result-map__near" not in whole
    near_only = finder_client.get("/programs?near=02108").get_data(as_text=True)
    assert 'viewBox="0 0 960 600"' in near_only and "result-map__near" in near_only
    assert "result-map__within" not in near_only
    ringed = finder_client.get("/programs?near=02108&within=250").get_data(as_text=True)
    box = [float(v) for v in re.search(r'class="result-map__svg" viewBox="([^"]+)"', ringed)[1].split()]
    assert box[2] < 960 and box[2] / box[3] == pytest.approx(960 / 600, rel=1e-2)
    assert "result-map__within" in ringed and "The ring is 250 miles around ZIP code 02108." in ringed
    ring = re.search(r'class="result-map__within" d="M([^"]+)Z"', ringed)[1]
    points = [tuple(map(float, p.split())) for p in ring.split("L")]
    assert len(points) == 90
    assert all(box[0] <= x <= box[0] + box[2] and box[1] <= y <= box[1] + box[3] for x, y in points)
    assert [name for _, _, name in dots(ringed)] == ["Boston, MA"]


def test_the_ring_is_the_points_that_far_from_near_drawn_in_its_part_of_the_map():
    boston = zip_point("02108")
    x, y = usmap.circle(*boston, 100)
    degrees = 100 / (3958.8 * math.pi / 180)  # 100 miles along a meridian
    north = usmap.project(boston[0] + degrees, boston[1])
    south = usmap.project(boston[0] - degrees, boston[1])
    assert (x[0], y[0]) == pytest.approx((north[0][0], north[1][0]), abs=1e-6)  # bearing 0: due north
    assert (x[45], y[45]) == pytest.approx((south[0][0], south[1][0]), abs=1e-6)  # bearing 180: due south
    anchorage = zip_point("99501")
    x, y = usmap.circle(*anchorage, 50)
    left, top, width, height = usmap.AREAS["AK"].box
    assert all(left <= px <= left + width and top <= py <= top + height for px, py in zip(x, y))
    assert usmap.circle(*zip_point("96910"), 50) is None  # Guam: not on the map


def test_the_htmx_partial_carries_the_map_with_the_results(finder_client):
    body = finder_client.get("/programs?state=TX", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<section class="result-map"' in body
    assert sum(count for _, count, _ in dots(body)) == 2
    assert body.index('id="finder-results"') < body.index('class="result-map"')
    assert body.count('id="map-title"') == 1


def test_the_map_adds_no_sql_statement(finder_client):
    finder_client.get("/programs")  # the index is loaded
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    with finder_client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        body = finder_client.get("/programs?near=02108&within=3000&sort=distance").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert dots(body)
    assert len(statements) == 1, statements  # the version with the page's rows, as without the map


def test_the_map_and_its_background_hold_no_style_the_csp_forbids(finder_client):
    body = finder_client.get("/programs?near=02108&within=500").get_data(as_text=True)
    section = body[body.index('<section class="result-map"'):body.index("</section>", body.index('class="result-map"'))]
    assert " style=" not in section and "<style" not in section and "<script" not in section
    href = unescape(re.search(r'<image href="([^"]+)"', section)[1])
    background = finder_client.get(href)
    assert background.status_code == 200 and background.mimetype == "image/svg+xml"
    assert background.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    svg = background.get_data(as_text=True)
    assert "style" not in svg and "<script" not in svg and "href" not in svg  # nothing it could fetch or run
    assert svg.count("<path ") == 52  # 50 states, DC and Puerto Rico
    assert all(f"<title>{state}</title>" in svg for state in ("AK", "HI", "PR", "DC", "TX"))
    assert finder_client.get("/map/us-states.svg").headers["Cache-Control"] == "public, max-age=86400"
    again = finder_client.get(href, headers={"If-None-Match": background.headers["ETag"]})
    assert again.status_code == 304


def test_the_map_table_lists_every_dot_with_the_same_link_and_count(finder_client):
    body = finder_client.get("/programs").get_data(as_text=True)
    table = body[body.index('<details class="map-table">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr><td><a href="([^"]+)">([^<]+)</a> <span>\(within ([\d,]+) miles?\)</span><td>([\d,]+)', table)
    assert [(unescape(h), int(n), unescape(p)) for h, p, _, n in rows] == dots(body)


ALL_LOCATED = [(float(r["lat"]), float(r["long"]), r["zip_code"]) for r in zipcodes.list_all()
               if (float(r["lat"]), float(r["long"])) != (0, 0)]


@settings(max_examples=40, deadline=None)
@given(st.floats(17.5, 71), st.floats(-179, -64))
def test_a_dots_zip_code_is_the_nearest_of_all_the_codes_with_coordinates(latitude, longitude):
    import numpy as np

    lat, lon = np.radians([[p[0] for p in ALL_LOCATED], [p[1] for p in ALL_LOCATED]])
    phi, lam = math.radians(latitude), math.radians(longitude)
    h = np.sin((lat - phi) / 2) ** 2 + np.cos(phi) * np.cos(lat) * np.sin((lon - lam) / 2) ** 2
    best = float((2 * 3958.8 * np.arcsin(np.sqrt(h))).min())
    from finder.catalog import places

    found = places.nearest_zip(latitude, longitude)
    assert miles((latitude, longitude), zip_point(found)) == pytest.approx(best, abs=1e-6)


def test_the_written_out_fits_are_those_of_the_pinned_outlines():
    assert set(usmap.fitted()) == set(usmap.FITS)
    for area, fit in usmap.fitted().items():
        assert usmap.FITS[area] == pytest.approx(fit, rel=1e-9), area


def test_a_process_that_loads_the_stored_index_draws_the_map_without_the_zip_data(monkeypatch):
    from finder.catalog import places
    from finder.programs.search import ProgramIndex

    built = build(catalog_of("02108", "02108", "80202", "99501", "00901"))
    expected = map_of(built).dots
    loaded = ProgramIndex.from_bytes(built.to_bytes())

    def not_needed(*args):
        raise AssertionError("the ZIP data was read")

    for name in ("_data", "nearest_zip", "zip_place"):
        monkeypatch.setattr(places, name, not_needed)
    assert map_of(loaded).dots == expected


def test_a_process_that_loads_the_stored_index_draws_the_map_without_numbering_the_cells_again(monkeypatch):
    """The dots of the sizes drawn without `within` are stored with the index: a loading process
    neither projects the programs nor numbers their cells (tens of milliseconds at 100,000
    programs on the first request after a change), and draws the same map as the builder."""
    from finder.programs.search import ProgramIndex

    built = build(catalog_of("02108", "02108", "02139", "80202", "99501", "00901", "96813"))
    everything, some = np.ones(built.size, dtype=bool), np.arange(built.size) % 2 == 0
    expected = [map_of(built).dots, usmap.result_map(built.map_layout(), some).dots]
    loaded = ProgramIndex.from_bytes(built.to_bytes())

    def not_needed(*args):
        raise AssertionError("the programs' spots were worked out again")

    monkeypatch.setattr(usmap, "_programs_spots", not_needed)
    assert [map_of(loaded).dots, usmap.result_map(loaded.map_layout(), some).dots] == expected
    assert usmap.result_map(loaded.map_layout(), everything).dots == expected[0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(ALL_LOCATED) - 1), st.floats(-0.05, 0.05), st.floats(-0.05, 0.05))
def test_the_nearest_zip_code_is_the_haversine_nearest_with_ties_to_the_lowest_latitude_then_code(row, up, right):
    """The chord pre-filter of `nearest_zip` picks exactly what measuring every code would,
    also on a code's own coordinates (which several codes may share)."""
    from finder.catalog import places

    latitude, longitude = ALL_LOCATED[row][0] + up * (row % 2), ALL_LOCATED[row][1] + right * (row % 2)
    latitudes, longitudes, codes = places._located_by_latitude()
    distances = places.haversine_miles(latitudes, longitudes, latitude, longitude)
    assert places.nearest_zip(latitude, longitude) == str(codes[int(np.argmin(distances))])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(ALL_LOCATED) - 1), st.floats(-0.3, 0.3), st.floats(-0.3, 0.3)),
                max_size=40),
       st.lists(st.tuples(st.floats(17.5, 71), st.floats(-179, -64)), max_size=5))
def test_the_nearest_zip_codes_of_many_points_at_once_are_each_points_nearest_zip(near_codes, anywhere):
    """`nearest_zips` (cubes on the sphere, many points at once, as the map's dots are placed)
    gives exactly what `nearest_zip` gives each point: near codes, on a code's own
    coordinates (shared by several codes: ties), and far from any code (the cubes settle
    nothing there and `nearest_zip` is asked)."""
    from finder.catalog import places

    points = [(ALL_LOCATED[row][0] + up * (row % 3), ALL_LOCATED[row][1] + right * (row % 3))
              for row, up, right in near_codes] + anywhere
    latitudes, longitudes = [p[0] for p in points], [p[1] for p in points]
    assert places.nearest_zips(latitudes, longitudes) == [places.nearest_zip(*p) for p in points]


def test_the_nearest_zip_code_of_every_codes_own_coordinates_is_found_at_once_as_one_by_one():
    from finder.catalog import places

    latitudes, longitudes, _ = places._located_by_latitude()
    assert places.nearest_zips(latitudes, longitudes) == [
        places.nearest_zip(a, b) for a, b in zip(latitudes.tolist(), longitudes.tolist())]
