"""The finder's filter engine against a plain-Python reading of contract section 3, on random catalogs."""

import calendar
import functools
import math
from datetime import date

import zipcodes
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finder.catalog.text import fold, words
from finder.catalog.vocab import PROGRAM_TYPES, STATES, VISAS_SPONSORED
from finder.programs.search import SORTS, ProgramIndex, Query, months_before

TODAY = date(2026, 3, 31)
FEATURES = [
    (1, "fellowship", "pediatric_ir", "Pediatric IR", None),
    (2, "fellowship", "oncology", "Oncology", None),
    (3, "research", "t32", "T32", None),
    (4, "mentorship", "mentor", "Mentor", None),
    (5, "research", "oncology", "Oncology research", None),  # the same slug as a fellowship's
]
NAMES = ["Cañon City", "canon", "Boston", "boston general", "Émile Zola", "Zeta", "ALPHA", "alpha", "Ångström"]
STATE_CODES = ["MA", "TX", "PR", "CA", "NY", "ME", "MD", "NJ"]

programs = st.fixed_dictionaries({
    "name": st.sampled_from(NAMES),
    "institution": st.sampled_from(["Saint Ömer", "Lark University", "Bos Institute"]),
    "city": st.sampled_from(["Boston", "Cañon City", "San Juan"]),
    "state": st.sampled_from(STATE_CODES),
    "program_type": st.sampled_from(list(PROGRAM_TYPES)),
    "length_years": st.integers(1, 7),
    "positions_per_year": st.none() | st.integers(0, 5),
    "esir_available": st.booleans(),
    "research_months": st.none() | st.integers(0, 24),
    "visa_sponsorship": st.sampled_from([None, "none", "j1", "h1b", "j1_h1b"]),
    "data_verified_on": st.none() | st.dates(date(2023, 1, 1), TODAY),
    "intern_year": st.sampled_from([None, "included", "separate"]),
    "signals_accepted": st.sampled_from([None, True, False]),
    "comlex_accepted": st.sampled_from([None, True, False]),
    "zip_code": st.sampled_from([None, None, "02108", "81212", "00901", "46245", "99501", "02134"]),
    "interview_format": st.sampled_from([None, "virtual", "in_person", "hybrid"]),
    "application_deadline": st.none() | st.dates(date(2025, 9, 1), date(2026, 12, 31)),
    "step2_minimum": st.none() | st.integers(200, 300),
    "salary_pgy1": st.none() | st.integers(20000, 200000),
    "ir_cases_per_year": st.none() | st.integers(0, 100000),
    "board_pass_rate": st.none() | st.integers(0, 100),
    "features": st.sets(st.sampled_from([f[0] for f in FEATURES])),
})
WISHES = ["esir", "signals", "comlex", "intern_included", "visa", "pediatric_ir", "oncology", "t32", "mentor"]

queries = st.builds(
    Query,
    q=st.sampled_from(["", "bos", "canon", "CAÑ", "zola emile", "alp", "sa ju", "x", "ma", "MA bos", "new york",
                       "massachusetts", "tex", "tx", "puerto rico", "n", "of", "jersey ca"]),
    type=st.lists(st.sampled_from(list(PROGRAM_TYPES)), max_size=2, unique=True).map(tuple),
    state=st.lists(st.sampled_from(STATE_CODES), max_size=2, unique=True).map(tuple),
    region=st.lists(st.sampled_from(["northeast", "south", "west", "midwest"]), max_size=2, unique=True).map(tuple),
    esir=st.booleans(),
    fellowship=st.lists(st.sampled_from(["pediatric_ir", "oncology"]), max_size=2, unique=True).map(tuple),
    research=st.lists(st.just("t32"), max_size=1).map(tuple),
    mentorship=st.lists(st.just("mentor"), max_size=1).map(tuple),
    visa=st.lists(st.sampled_from(["j1", "h1b"]), max_size=2, unique=True).map(tuple),
    min_positions=st.none() | st.integers(0, 5),
    min_research_months=st.none() | st.integers(0, 24),
    max_length=st.none() | st.integers(1, 7),
    verified_within=st.none() | st.integers(1, 40),
    intern_year=st.lists(st.sampled_from(["included", "separate"]), max_size=2, unique=True).map(tuple),
    signals=st.booleans(),
    interview_format=st.lists(st.sampled_from(["virtual", "in_person", "hybrid"]), max_size=2, unique=True).map(tuple),
    comlex=st.booleans(),
    my_step2=st.none() | st.integers(200, 300),
    min_salary=st.none() | st.integers(20000, 200000),
    min_cases=st.none() | st.integers(0, 100000),
    min_board_pass_rate=st.none() | st.integers(0, 100),
    near=st.sampled_from(["", "02108", "80202", "00901", "99501"]),
    within=st.none() | st.integers(1, 3000),
    want=st.lists(st.sampled_from(WISHES), max_size=4).map(tuple),
    sort=st.sampled_from(list(SORTS)),
    page=st.integers(1, 4),
    per_page=st.integers(1, 7),
).map(lambda q: q if q.near else Query(**{**q.__dict__, "within": None,
                                           "sort": "name" if q.sort == "distance" else q.sort}))


def build(catalog: list[dict]) -> ProgramIndex:
    rows = [dict(p, id=i + 1, program_code=f"C{(i * 7) % 10}{i}", region=STATES[p["state"]][1])
            for i, p in enumerate(catalog)]
    links = [(i + 1, f) for i, p in enumerate(catalog) for f in sorted(p.get("features", ()))]
    return ProgramIndex.from_rows(1, rows, links, FEATURES)


# Locations worked out from the package's records directly: a ZIP code's coordinates, else the
# mean of the active records the package lists under the city's spelling there (records listed
# at 0, 0 have no coordinates).
SPELLING = {"Boston": "Boston", "Cañon City": "Canon City", "San Juan": "San Juan"}


def coordinates(found: list[dict]) -> tuple[float, float] | None:
    points = [(float(r["lat"]), float(r["long"])) for r in found if (float(r["lat"]), float(r["long"])) != (0, 0)]
    if not points:
        return None
    return sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)


def location(p: dict) -> tuple[float, float] | None:
    return place(p.get("zip_code"), p["city"], p["state"])


@functools.cache
def place(zip_code: str | None, city: str, state: str) -> tuple[float, float] | None:
    if zip_code and (found := zip_point(zip_code)):
        return found
    listed = zipcodes.filter_by(city=SPELLING.get(city, city), state=state)
    return coordinates([r for r in listed if r["active"]])


@functools.cache
def zip_point(code: str) -> tuple[float, float] | None:
    return coordinates(zipcodes.matching(code))


def miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = [(math.radians(x), math.radians(y)) for x, y in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


def distance(p: dict, near: str) -> float | None:
    here, there = location(p), zip_point(near)
    return None if here is None or there is None else miles(here, there)


def wishes_met(p: dict, wishes) -> list[str]:
    slugs = {f[2] for f in FEATURES if f[0] in p["features"]}
    meets = {
        "esir": p["esir_available"],
        "signals": p["signals_accepted"] is True,
        "comlex": p["comlex_accepted"] is True,
        "intern_included": p["intern_year"] == "included",
        "visa": bool(VISAS_SPONSORED.get(p["visa_sponsorship"] or "none")),
    }
    return [w for w in dict.fromkeys(wishes) if meets.get(w, w in slugs)]


def within_months(verified: date, months: int) -> bool:
    """Reference: the day `months` calendar months before TODAY, counted by hand."""
    year, month = TODAY.year, TODAY.month - months
    while month < 1:
        year, month = year - 1, month + 12
    day = min(TODAY.day, calendar.monthrange(year, month)[1])
    return verified >= date(year, month, day)


def matches(p: dict, q: Query) -> bool:
    kinds_and_slugs = {(f[1], f[2]) for f in FEATURES if f[0] in p["features"]}
    text_words = words(f"{p['name']} {p['institution']} {p['city']} {STATES[p['state']][0]}")
    checks = [
        all(any(w.startswith(term) for w in text_words) or term == p["state"].lower() for term in words(q.q)),
        not q.type or p["program_type"] in q.type,
        not q.state or p["state"] in q.state,
        not q.region or STATES[p["state"]][1] in q.region,
        not q.esir or p["esir_available"],
        all((kind, s) in kinds_and_slugs for kind in ("fellowship", "research", "mentorship") for s in getattr(q, kind)),
        not q.visa or bool(VISAS_SPONSORED.get(p["visa_sponsorship"] or "none") & set(q.visa)),
        q.min_positions is None or (p["positions_per_year"] is not None and p["positions_per_year"] >= q.min_positions),
        q.min_research_months is None or (p["research_months"] is not None and p["research_months"] >= q.min_research_months),
        q.max_length is None or p["length_years"] <= q.max_length,
        q.verified_within is None or (p["data_verified_on"] is not None and within_months(p["data_verified_on"], q.verified_within)),
        q.within is None or ((d := distance(p, q.near)) is not None and d <= q.within),
        not q.intern_year or p["intern_year"] in q.intern_year,
        not q.signals or p["signals_accepted"] is True,
        not q.interview_format or p["interview_format"] in q.interview_format,
        not q.comlex or p["comlex_accepted"] is True,
        q.my_step2 is None or p["step2_minimum"] is None or p["step2_minimum"] <= q.my_step2,  # blank matches
        q.min_salary is None or (p["salary_pgy1"] is not None and p["salary_pgy1"] >= q.min_salary),
        q.min_cases is None or (p["ir_cases_per_year"] is not None and p["ir_cases_per_year"] >= q.min_cases),
        q.min_board_pass_rate is None or (p["board_pass_rate"] is not None and p["board_pass_rate"] >= q.min_board_pass_rate),
    ]
    return all(checks)


SORT_KEYS = {
    "name": (lambda p: fold(p["name"]), False),
    "-name": (lambda p: fold(p["name"]), True),
    "state": (lambda p: p["state"], False),
    "length": (lambda p: p["length_years"], False),
    "-length": (lambda p: p["length_years"], True),
    "positions": (lambda p: p["positions_per_year"], False),
    "-positions": (lambda p: p["positions_per_year"], True),
    "research": (lambda p: p["research_months"], False),
    "-research": (lambda p: p["research_months"], True),
    "updated": (lambda p: p["data_verified_on"], True),
    "deadline": (lambda p: p["application_deadline"], False),
    "salary": (lambda p: p["salary_pgy1"], False),
    "-salary": (lambda p: p["salary_pgy1"], True),
    "cases": (lambda p: p["ir_cases_per_year"], False),
    "-cases": (lambda p: p["ir_cases_per_year"], True),
    "distance": (lambda p: p["distance"], False),
    "fit": (lambda p: p["met"], True),
}


def reference(catalog: list[dict], q: Query) -> tuple[int, list[int]]:
    """Filter, then sort: blanks last either way, ties by folded name then code, ascending."""
    found = [dict(p, id=i + 1, code=f"C{(i * 7) % 10}{i}", distance=distance(p, q.near) if q.near else None,
                  met=len(wishes_met(p, q.want))) for i, p in enumerate(catalog) if matches(p, q)]
    found.sort(key=lambda p: (fold(p["name"]), p["code"]))  # the tie-break, a stable base
    key, descending = SORT_KEYS[q.sort]
    present = [p for p in found if key(p) is not None]
    present.sort(key=key, reverse=descending)  # stable either way: ties keep the tie-break order
    ordered = present + [p for p in found if key(p) is None]
    start = (q.page - 1) * q.per_page
    return len(found), [p["id"] for p in ordered[start:start + q.per_page]]


@settings(max_examples=300, deadline=None)
@given(st.lists(programs, max_size=25), queries)
def test_index_agrees_with_a_plain_reading_of_the_contract(catalog, query):
    result = build(catalog).search(query, TODAY)
    assert (result.count, result.ids) == reference(catalog, query)
    for program_id in result.ids:
        p = catalog[program_id - 1]
        if query.near:
            expected = distance(p, query.near)
            got = result.distances[program_id]
            assert (got is None) == (expected is None) and (got is None or math.isclose(got, expected, rel_tol=1e-9))
        if query.want:
            met = wishes_met(p, query.want)
            fit = result.fits[program_id]
            assert (fit.met, fit.of) == (len(met), len(set(query.want)))
            assert set(fit.missing) == set(query.want) - set(met)


@settings(max_examples=150, deadline=None)
@given(st.lists(programs, max_size=20), queries)
def test_facet_counts_are_what_ticking_each_option_would_give(catalog, query):
    index = build(catalog)
    facets = index.search(query, TODAY).facets
    for group in ("type", "state", "region", "visa", "intern_year", "interview_format"):
        for option, count in facets[group].items():
            ticked = Query(**{**query.__dict__, group: (option,)})
            assert count == reference(catalog, ticked)[0], (group, option)
    for kind in ("fellowship", "research", "mentorship"):
        for slug, count in facets[kind].items():
            ticked = Query(**{**query.__dict__, kind: tuple(set(getattr(query, kind)) | {slug})})
            assert count == reference(catalog, ticked)[0], (kind, slug)
    for flag in ("esir", "signals", "comlex"):
        assert facets[flag]["1"] == reference(catalog, Query(**{**query.__dict__, flag: True}))[0], flag


def test_or_group_facets_count_each_option_alone_with_the_other_filters():
    catalog = [
        dict(name="A", institution="I", city="Boston", state="MA", program_type="integrated_ir", length_years=6,
             positions_per_year=1, esir_available=False, research_months=None, visa_sponsorship=None,
             data_verified_on=None, features=set()),
        dict(name="B", institution="I", city="Austin", state="TX", program_type="fellowship", length_years=1,
             positions_per_year=None, esir_available=False, research_months=3, visa_sponsorship="j1",
             data_verified_on=TODAY, features={1}),
    ]
    facets = build(catalog).search(Query(state=("MA",)), TODAY).facets
    assert facets["state"]["TX"] == 1 and facets["state"]["MA"] == 1
    assert facets["type"] == {"integrated_ir": 1, "independent_ir": 0, "diagnostic_radiology": 0, "fellowship": 0}


def test_sort_by_state_orders_by_the_state_code_the_column_holds():
    # The column holds USPS codes, so MA comes before MD and ME (by their names, Maine and
    # Maryland would come before Massachusetts); ties by name, then program code.
    base = dict(institution="I", city="Boston", program_type="integrated_ir", length_years=6,
                positions_per_year=1, esir_available=False, research_months=None, visa_sponsorship=None,
                data_verified_on=None, features=set())
    catalog = [dict(base, name="Same", state=state) for state in ("ME", "MD", "MA", "TX")]
    result = build(catalog).search(Query(sort="state"), TODAY)
    assert [catalog[i - 1]["state"] for i in result.ids] == ["MA", "MD", "ME", "TX"]


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 13) == date(2024, 12, 15)
    assert months_before(date(2026, 3, 31), 12) == date(2025, 3, 31)


def test_keyword_words_must_each_start_a_word_of_name_institution_or_city():
    catalog = [dict(name="Cañon City Radiology", institution="Saint Ömer", city="Boston", state="MA",
                    program_type="fellowship", length_years=1, positions_per_year=None, esir_available=False,
                    research_months=None, visa_sponsorship=None, data_verified_on=None, features=set())]
    index = build(catalog)
    for found in ("canon", "CAÑON city", "omer bos", "rad"):
        assert index.count_matching(Query(q=found), TODAY) == 1, found
    for missing in ("anon", "canon x", "ity"):
        assert index.count_matching(Query(q=missing), TODAY) == 0, missing


def test_keyword_words_also_match_the_states_name_by_its_word_starts_and_its_code_exactly():
    base = dict(institution="Lark University", program_type="fellowship", length_years=1, positions_per_year=None,
                esir_available=False, research_months=None, visa_sponsorship=None, data_verified_on=None,
                features=set())
    catalog = [dict(base, name="Harbor IR", city="Boston", state="MA"),
               dict(base, name="Pine IR", city="Portland", state="ME"),
               dict(base, name="Crab IR", city="Baltimore", state="MD"),
               dict(base, name="Manhattan IR", city="New York", state="NY"),
               dict(base, name="Lake IR", city="Buffalo", state="NY"),
               dict(base, name="York IR", city="York", state="PA"),
               dict(base, name="Alamo IR", city="San Antonio", state="TX")]
    index = build(catalog)

    def found(text: str) -> set[str]:
        return {catalog[i - 1]["name"] for i in index.search(Query(q=text, per_page=100), TODAY).ids}

    assert found("massachusetts") == found("MA boston") == {"Harbor IR"}
    assert found("ma") == {"Harbor IR", "Pine IR", "Crab IR", "Manhattan IR"}  # MA, Maine, Maryland, Manhattan
    assert found("ny") == found("new york") == {"Manhattan IR", "Lake IR"}
    assert found("york") == {"Manhattan IR", "Lake IR", "York IR"}
    assert found("tx") == found("tex") == {"Alamo IR"}
    assert found("t") == {"Alamo IR"}  # a word start of Texas, not the code
    assert found("bos ny") == set()


def test_an_empty_catalog_matches_nothing_and_counts_zero():
    result = build([]).search(Query(q="x", state=("TX",), sort="-research"), TODAY)
    assert (result.count, result.ids) == (0, [])
    assert result.facets["state"]["TX"] == 0


# Every 97th ZIP code of the package that has coordinates: places all over the country.
SAMPLE_ZIPS = [r["zip_code"] for r in zipcodes.list_all() if float(r["lat"]) != 0][::97]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SAMPLE_ZIPS), min_size=1, max_size=40), st.sampled_from(SAMPLE_ZIPS),
       st.integers(1, 3000))
def test_within_never_drops_a_program_closer_than_the_radius_nor_keeps_one_farther(zips, near, within):
    base = dict(name="P", institution="I", city="Nowhere", state="TX", program_type="fellowship", length_years=1,
                esir_available=False)
    catalog = [dict(base, zip_code=code) for code in zips]
    result = build(catalog).search(Query(near=near, within=within, sort="distance", per_page=100), TODAY)
    kept = set(result.ids)
    for program_id, code in enumerate(zips, start=1):
        d = miles(zip_point(code), zip_point(near))
        if d < within - 1e-6:
            assert program_id in kept, (code, d)
        if d > within + 1e-6:
            assert program_id not in kept, (code, d)
    shown = [result.distances[i] for i in result.ids]
    assert shown == sorted(shown)


def test_programs_without_a_location_have_no_distance_are_never_within_and_sort_last_either_way():
    base = dict(institution="I", program_type="fellowship", length_years=1, esir_available=False)
    catalog = [dict(base, name="Atlantis IR", city="Atlantis", state="FL"),  # no such city: no location
               dict(base, name="Boston IR", city="Boston", state="MA"),
               dict(base, name="Denver IR", city="Denver", state="CO", zip_code="80202"),
               dict(base, name="PO box IR", city="Atlantis", state="FL", zip_code="46245")]  # listed at 0, 0
    index = build(catalog)
    result = index.search(Query(near="02108", sort="distance"), TODAY)
    assert result.ids == [2, 3, 1, 4]
    assert result.distances[1] is None and result.distances[4] is None
    assert result.distances[3] == pytest.approx(miles(zip_point("02108"), zip_point("80202")), rel=1e-9)
    assert index.search(Query(near="02108", within=3000), TODAY).ids == [2, 3]
    assert index.search(Query(near="02108", within=3000), TODAY).facets["state"]["FL"] == 0


def test_a_programs_zip_code_wins_over_its_city_and_a_zip_code_without_coordinates_falls_back_to_it():
    base = dict(institution="I", program_type="fellowship", length_years=1, esir_available=False, state="MA")
    catalog = [dict(base, name="Listed", city="Boston", zip_code="81212"),  # a Cañon City ZIP code
               dict(base, name="Placeholder", city="Boston", zip_code="46245")]
    result = build(catalog).search(Query(near="81212"), TODAY)
    assert result.distances[1] == 0
    assert result.distances[2] == pytest.approx(miles(place(None, "Boston", "MA"), zip_point("81212")), rel=1e-9)


def test_fit_counts_distinct_wishes_a_feature_slug_of_any_kind_and_sorts_most_met_first():
    base = dict(institution="I", city="Boston", state="MA", program_type="diagnostic_radiology", length_years=4)
    catalog = [dict(base, name="None", esir_available=False, features=set()),
               dict(base, name="Research oncology", esir_available=True, features={5}),
               dict(base, name="Fellowship oncology", esir_available=False, features={2}, signals_accepted=True),
               dict(base, name="All", esir_available=True, features={2, 3}, signals_accepted=True,
                    comlex_accepted=False, intern_year="included", visa_sponsorship="h1b")]
    result = build(catalog).search(Query(want=("oncology", "esir", "signals", "esir"), sort="fit"), TODAY)
    assert result.ids == [4, 3, 2, 1]
    assert [(result.fits[i].met, result.fits[i].of) for i in result.ids] == [(3, 3), (2, 3), (2, 3), (0, 3)]
    assert result.fits[3].missing == ("esir",) and result.fits[2].missing == ("signals",)
    assert build(catalog).search(Query(want=("comlex", "intern_included", "visa")), TODAY).fits[4].met == 2
    assert build(catalog).search(Query(want=("esir",), sort="fit"), TODAY).count == 4  # wishes hide nothing
