"""Couples (contract section 8): pairs of programs from two shortlists within a distance.

Expected distances are computed here, independently of the app: the haversine formula
written out below over the coordinates the `zipcodes` package gives, and for a program
without a ZIP code the mean of its city's active ZIP codes, read from the package too.
"""

import math

import pytest
import zipcodes
from hypothesis import given, settings
from hypothesis import strategies as st

from finder.extensions import db
from finder.models import Shortlist
from finder.shortlists import couples, store
from tests.conftest import load

EARTH_RADIUS_MILES = 3958.8
HEADER = "program_code,name,institution,city,state,program_type,length_years,zip_code"
PROGRAMS = [
    "BOS,Boston IR,Boston Hospital,Boston,MA,integrated_ir,6,02115",
    "CAM,Cambridge IR,Cambridge Hospital,Cambridge,MA,integrated_ir,6,02139",
    "WOR,Worcester DR,Worcester Hospital,Worcester,MA,diagnostic_radiology,5,01608",
    "NYC,New York IR,New York Hospital,New York,NY,integrated_ir,6,10016",
    "STL,Saint Louis DR,Gateway Hospital,St. Louis,MO,diagnostic_radiology,5,",  # the city's mean location
    "NOW,Nowhere IR,Nowhere Hospital,Nowhereville,MA,integrated_ir,6,",  # no location at all
]


def zip_point(code: str) -> tuple[float, float]:
    record = zipcodes.matching(code)[0]
    return float(record["lat"]), float(record["long"])


def city_point(city: str, state: str) -> tuple[float, float]:
    records = [r for r in zipcodes.filter_by(city=city, state=state)
               if r["active"] and not (float(r["lat"]) == 0 and float(r["long"]) == 0)]
    return (sum(float(r["lat"]) for r in records) / len(records), sum(float(r["long"]) for r in records) / len(records))


def miles(p: tuple[float, float], q: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p)), (map(math.radians, q))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


POINTS = {
    "BOS": zip_point("02115"), "CAM": zip_point("02139"), "WOR": zip_point("01608"), "NYC": zip_point("10016"),
    "STL": city_point("Saint Louis", "MO"),
}


@pytest.fixture
def lists(app):
    """Two shortlists over PROGRAMS: (first share token, second share token)."""
    result = load(app, ("programs.csv", "\n".join([HEADER, *PROGRAMS]) + "\n"))
    assert result.ok, result.problems
    with app.app_context():
        first, _ = store.create(db.session, "Alex", ["BOS", "NYC", "NOW", "STL"])
        second, _ = store.create(db.session, "Sam", ["WOR", "CAM", "NOW", "BOS"])
        db.session.commit()
        return first.share_token, second.share_token


def couples_json(client, **args):
    response = client.get("/couples.json", query_string=args)
    assert response.mimetype == "application/json"
    return response


def expected_pairs(first: list[str], second: list[str], within: float) -> list[dict]:
    found = []
    for rank_a, a in enumerate(first, 1):
        for rank_b, b in enumerate(second, 1):
            if a in POINTS and b in POINTS and miles(POINTS[a], POINTS[b]) <= within:
                found.append({"a": a, "b": b, "miles": round(miles(POINTS[a], POINTS[b]), 1),
                              "rank_a": rank_a, "rank_b": rank_b, "_exact": miles(POINTS[a], POINTS[b])})
    found.sort(key=lambda p: (p["rank_a"] + p["rank_b"], p["_exact"], p["a"], p["b"]))
    return [{k: v for k, v in pair.items() if k != "_exact"} for pair in found]


# -- the JSON answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize("within", [1, 5, 50, 200, 3000])
def test_pairs_within_the_radius_in_order_with_independent_distances(client, lists, within):
    a, b = lists
    body = couples_json(client, a=a, b=b, within=within).get_json()
    assert body == {"within": within,
                    "pairs": expected_pairs(["BOS", "NYC", "NOW", "STL"], ["WOR", "CAM", "NOW", "BOS"], within)}


def test_the_order_is_combined_rank_then_distance_then_codes(client, lists):
    a, b = lists
    pairs = couples_json(client, a=a, b=b, within=3000).get_json()["pairs"]
    keys = [(p["rank_a"] + p["rank_b"], p["miles"], p["a"], p["b"]) for p in pairs]
    assert keys == sorted(keys)
    assert (pairs[0]["a"], pairs[0]["b"]) == ("BOS", "WOR")  # ranks 1 + 1
    assert pairs[1]["rank_a"] + pairs[1]["rank_b"] == 3


def test_within_defaults_to_50_miles(client, lists):
    a, b = lists
    body = couples_json(client, a=a, b=b).get_json()
    assert body["within"] == 50
    assert body == couples_json(client, a=a, b=b, within=50).get_json()
    assert {(p["a"], p["b"]) for p in body["pairs"]} == {("BOS", "WOR"), ("BOS", "CAM"), ("BOS", "BOS")}


def test_miles_are_rounded_to_one_decimal(client, lists):
    a, b = lists
    for pair in couples_json(client, a=a, b=b, within=3000).get_json()["pairs"]:
        assert pair["miles"] == round(pair["miles"], 1)
    same = [p for p in couples_json(client, a=a, b=b, within=3000).get_json()["pairs"] if p["a"] == p["b"]]
    assert same == [{"a": "BOS", "b": "BOS", "miles": 0.0, "rank_a": 1, "rank_b": 4}]


def test_programs_without_a_location_pair_with_nothing(client, lists):
    a, b = lists
    pairs = couples_json(client, a=a, b=b, within=3000).get_json()["pairs"]
    assert not [p for p in pairs if "NOW" in (p["a"], p["b"])]
    assert len(pairs) == 3 * 3  # the three located programs of each list, every pair (all within 3000 miles)


def test_a_city_without_zip_code_is_placed_at_its_active_zip_codes_mean(client, lists):
    a, b = lists
    pairs = couples_json(client, a=a, b=b, within=3000).get_json()["pairs"]
    stl_wor = next(p for p in pairs if (p["a"], p["b"]) == ("STL", "WOR"))
    assert stl_wor["miles"] == round(miles(POINTS["STL"], POINTS["WOR"]), 1)


def test_a_program_removed_from_the_catalog_pairs_with_nothing(app, client, lists):
    a, b = lists
    load(app, ("programs.csv", "\n".join([HEADER, *[p for p in PROGRAMS if not p.startswith("WOR")]]) + "\n"),
         prune=True)
    pairs = couples_json(client, a=a, b=b, within=3000).get_json()["pairs"]
    assert not [p for p in pairs if "WOR" in (p["a"], p["b"])]
    assert pairs  # the others still pair


def test_a_pasted_read_only_link_works_like_its_token(client, lists):
    a, b = lists
    by_token = couples_json(client, a=a, b=b).get_json()
    assert couples_json(client, a=f"https://finder.example.org/s/{a}", b=f" http://localhost/s/{b} ").get_json() == by_token


@pytest.mark.parametrize("name", ["a", "b"])
def test_a_wrong_token_is_404(client, lists, name):
    args = dict(zip("ab", lists))
    args[name] = "no-such-token-" + "x" * 30
    response = couples_json(client, **args)
    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}
    assert "read-only link" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("within", ["0", "3001", "-5", "ten", "5.5", "1e3", "99999999999999"])
def test_a_bad_within_is_400_naming_it(client, lists, within):
    a, b = lists
    response = couples_json(client, a=a, b=b, within=within)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "within"
    assert error["message"].startswith("within (Within (miles)):")


@pytest.mark.parametrize("name", ["a", "b"])
def test_a_missing_list_is_400_naming_it(client, lists, name):
    args = dict(zip("ab", lists))
    args[name] = " "
    response = couples_json(client, **args)
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == name


def test_nothing_of_either_list_changes(app, client, lists):
    def snapshot():
        with app.app_context():
            return [(s.name, s.updated_at, [(e.program_code, e.rank, e.note, e.updated_at) for e in s.entries])
                    for s in db.session.query(Shortlist).order_by(Shortlist.id)]

    before = snapshot()
    a, b = lists
    couples_json(client, a=a, b=b, within=3000)
    client.get("/couples", query_string={"a": a, "b": b, "within": 3000})
    assert snapshot() == before


# -- the rule itself, for any lists ----------------------------------------------------------------------

POINT = st.tuples(st.floats(-60, 70), st.floats(-179, 179))
PICKS = st.lists(st.one_of(POINT, st.none()), max_size=12)


@settings(max_examples=150, deadline=None)
@given(first=PICKS, second=PICKS, within=st.integers(1, 3000))
def test_pairs_are_exactly_those_within_the_radius(first, second, within):
    def picks(points, prefix):
        return [couples.Pick(rank, f"{prefix}{rank:02d}", *(point or (float("nan"), float("nan"))))
                for rank, point in enumerate(points, 1)]

    got = couples.pairs_within(picks(first, "A"), picks(second, "B"), within)
    found = {(pair.a, pair.b) for pair in got}
    for i, p in enumerate(first, 1):
        for j, q in enumerate(second, 1):
            if p is None or q is None:
                assert (f"A{i:02d}", f"B{j:02d}") not in found
                continue
            distance = miles(p, q)
            if distance < within - 1e-6:
                assert (f"A{i:02d}", f"B{j:02d}") in found, (p, q, distance)
            elif distance > within + 1e-6:
                assert (f"A{i:02d}", f"B{j:02d}") not in found, (p, q, distance)
    for pair in got:
        assert pair.miles == pytest.approx(miles(first[pair.rank_a - 1], second[pair.rank_b - 1]), abs=1e-6)
    assert [(p.rank_a + p.rank_b, p.miles, p.a, p.b) for p in got] == sorted(
        (p.rank_a + p.rank_b, p.miles, p.a, p.b) for p in got)


# -- the page ----------------------------------------------------------------------------------------------


def test_the_blank_page_explains_how_to_use_it_for_a_couples_match(client):
    response = client.get("/couples")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "How to use it for a couples match" in page
    assert 'name="a"' in page and 'name="b"' in page and 'name="within"' in page
    assert 'value="50"' in page


def test_the_page_lists_the_pairs_with_names_ranks_and_distances(client, lists):
    a, b = lists
    response = client.get("/couples", query_string={"a": a, "b": b, "within": 50})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 pairs within 50 miles" in page
    first = page.index("Boston IR")
    assert page.index("Worcester DR", first) > first
    assert f"{miles(POINTS['BOS'], POINTS['WOR']):.1f} miles apart" in page
    assert "no. 1 on the first list" in page and "no. 1 on the second list" in page
    assert "Without a known place, so in no pair, from the first list" in page and "Nowhere IR" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_page_answers_a_bad_within_with_400_beside_the_field(client, lists):
    a, b = lists
    response = client.get("/couples", query_string={"a": a, "b": b, "within": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="within-error"' in page and "must be a whole number from 1 to 3000" in page
    assert 'aria-invalid="true"' in page


def test_the_page_answers_a_wrong_token_with_404(client, lists):
    response = client.get("/couples", query_string={"a": lists[0], "b": "wrong", "within": "50"})
    assert response.status_code == 404
    assert "No shortlist has the second read-only link given" in response.get_data(as_text=True)


def test_the_form_sent_with_a_blank_list_is_400_naming_it(client, lists):
    response = client.get("/couples", query_string={"a": lists[0], "b": "", "within": "50"})
    assert response.status_code == 400
    assert 'id="b-error"' in response.get_data(as_text=True)


def test_my_shortlists_can_be_picked_as_either_list(app, client, lists):
    with app.app_context():
        mine, token = store.create(db.session, "Mine", ["CAM"])
        db.session.commit()
        share = mine.share_token
    with client.session_transaction() as session:
        session["shortlists"] = [[mine.id, token]]
    page = client.get("/couples").get_data(as_text=True)
    assert "Or pick from My shortlists" in page
    assert f"/couples?a={share}" in page and f"/couples?b={share}" in page
    # Picking one list before the other is given is no error yet.
    picked = client.get(f"/couples?a={share}")
    assert picked.status_code == 200
    assert f'value="{share}"' in picked.get_data(as_text=True)
    # The other pick keeps the first.
    assert f"a={share}&amp;b={share}" in picked.get_data(as_text=True) or f"b={share}&amp;a={share}" in picked.get_data(as_text=True)


def test_every_error_of_a_json_address_is_json(client):
    for response, status in ((client.post("/couples.json"), 405), (client.get("/no-such-list.json"), 404)):
        assert response.status_code == status
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["message"]
