"""Places (contract section 3): ZIP locations, the city+state fallback and distances.

Expected values are worked out here from the `zipcodes` package's own records and a haversine
written out with `math`, not with the code under test.
"""

import functools
import math

import numpy as np
import pytest
import zipcodes
from hypothesis import given
from hypothesis import strategies as st

from finder.catalog import places


def record(code: str) -> dict:
    (found,) = zipcodes.matching(code)
    return found


def reference_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = [(math.radians(lat), math.radians(lon)) for lat, lon in (a, b)]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 3958.8 * math.asin(math.sqrt(h))


@functools.cache
def active_cities(state: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for r in zipcodes.filter_by_state(state):
        if r["active"]:
            found.setdefault(places.city_key(r["city"]), set()).add(r["city"])
    return found


def spellings(state: str, key: str) -> set[str]:
    return active_cities(state).get(key, set())


def mean_of(city: str, state: str) -> tuple[float, float]:
    """The mean of the active records of exactly this city spelling, as the package lists them."""
    found = [r for r in zipcodes.filter_by(city=city, state=state) if r["active"] and float(r["lat"]) != 0]
    assert spellings(state, places.city_key(city)) == {city}, "the test assumes one spelling in the data"
    assert found, (city, state)
    return (sum(float(r["lat"]) for r in found) / len(found), sum(float(r["long"]) for r in found) / len(found))


def test_a_zip_codes_location_is_its_latitude_and_longitude_in_the_data():
    for code in ("02108", "81212", "99501", "00901", "20001"):
        found = record(code)
        assert places.zip_location(code) == (float(found["lat"]), float(found["long"]))
        assert places.is_known_zip(code)


@pytest.mark.parametrize("code", ["99999", "00000", "2108", "021080", " 02108", "02108-1234", "0210a", "٠٢١٠٨", ""])
def test_anything_but_a_five_digit_zip_code_of_the_data_has_no_location(code):
    assert places.zip_location(code) is None
    assert not places.is_known_zip(code)


def test_a_zip_code_listed_without_coordinates_is_known_but_has_no_location():
    assert record("46245")["lat"] in ("0", "0.0000")  # a PO box code of Indianapolis listed at 0, 0
    assert places.is_known_zip("46245")
    assert places.zip_location("46245") is None


@pytest.mark.parametrize(("city", "state", "listed_as"), [
    ("Boston", "MA", "Boston"),
    ("Cañon City", "co", "Canon City"),
    ("CANON CITY", "CO", "Canon City"),
    ("Coeur d'Alene", "ID", "Coeur D Alene"),
    ("St. Louis", "MO", "Saint Louis"),
    ("Saint Louis", "MO", "Saint Louis"),
    ("Fort Mitchell", "KY", "Ft Mitchell"),
    ("Mount Zion", "IL", "Mt Zion"),
    ("Winston-Salem", "NC", "Winston Salem"),
    ("Sainte Genevieve", "MO", "Sainte Genevieve"),
    ("Ste. Genevieve", "MO", "Sainte Genevieve"),
])
def test_a_citys_location_is_the_mean_of_its_active_zip_codes_names_compared_loosely(city, state, listed_as):
    expected = mean_of(listed_as, state.upper())
    assert places.city_location(city, state) == pytest.approx(expected, abs=1e-9)


def test_inactive_zip_codes_do_not_count_towards_a_citys_location():
    boston = [r for r in zipcodes.filter_by(city="Boston", state="MA")]
    assert any(not r["active"] for r in boston) and any(r["active"] for r in boston)
    active = [r for r in boston if r["active"]]
    expected = (sum(float(r["lat"]) for r in active) / len(active), sum(float(r["long"]) for r in active) / len(active))
    assert places.city_location("Boston", "MA") == pytest.approx(expected, abs=1e-9)


def test_zip_codes_without_coordinates_do_not_pull_a_citys_mean():
    indianapolis = places.city_location("Indianapolis", "IN")
    assert indianapolis is not None and 39 < indianapolis[0] < 40.5 and -87 < indianapolis[1] < -85.5


def test_a_city_not_in_that_state_has_no_location():
    assert places.city_location("Boston", "TX") is None
    assert places.city_location("Atlantis", "FL") is None
    assert places.city_location("", "MA") is None


def test_a_programs_location_is_its_zip_codes_else_its_citys_else_none():
    assert places.program_location("81212", "Boston", "MA") == places.zip_location("81212")
    assert places.program_location(None, "Boston", "MA") == places.city_location("Boston", "MA")
    assert places.program_location("", "Boston", "MA") == places.city_location("Boston", "MA")
    assert places.program_location("46245", "Indianapolis", "IN") == places.city_location("Indianapolis", "IN")
    assert places.program_location(None, "Atlantis", "FL") is None


def test_distance_is_the_haversine_on_a_sphere_of_radius_3958_8_miles():
    boston, denver = places.zip_location("02108"), places.zip_location("80202")
    expected = reference_miles(boston, denver)
    assert places.haversine_miles(*boston, *denver) == pytest.approx(expected, rel=1e-12)
    assert 1750 < expected < 1800
    assert places.haversine_miles(*boston, *boston) == 0


def test_distance_works_on_arrays_of_points_at_once():
    codes = ["02108", "80202", "99501", "00901", "96813"]
    points = [places.zip_location(code) for code in codes]
    lat = np.array([p[0] for p in points])
    lon = np.array([p[1] for p in points])
    miles = places.haversine_miles(lat, lon, *points[0])
    assert miles.tolist() == pytest.approx([reference_miles(p, points[0]) for p in points], rel=1e-12)


@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_distance_is_symmetric_and_never_more_than_half_the_circumference(lat1, lon1, lat2, lon2):
    there = places.haversine_miles(lat1, lon1, lat2, lon2)
    back = places.haversine_miles(lat2, lon2, lat1, lon1)
    assert there == pytest.approx(back, abs=1e-6)
    assert 0 <= there <= math.pi * 3958.8 + 1e-6
    assert there == pytest.approx(reference_miles((lat1, lon1), (lat2, lon2)), abs=1e-6)


@given(st.text(alphabet="Saint Lous.-'ÉéçCAÑñ ", max_size=30))
def test_city_keys_ignore_case_accents_and_punctuation(city):
    key = places.city_key(city)
    assert places.city_key(city.upper()) == key
    assert places.city_key(city.replace(".", " ").replace("-", " ").replace("'", " ")) == key
    assert places.city_key(key) == key


def test_the_standard_zip_codes_of_a_city_or_state_are_active_located_and_listed_there():
    boston = places.zip_codes("MA", "Boston")
    assert "02108" in boston and boston == places.zip_codes("ma", "BOSTON")
    assert all(r["city"] == "Boston" and r["active"] and r["zip_code_type"] == "STANDARD"
               for r in (record(code) for code in boston))
    assert places.zip_codes("MO", "St. Louis") == places.zip_codes("MO", "Saint Louis") != []
    texas = places.zip_codes("TX")
    assert "77352" not in texas  # a standard code listed without coordinates
    assert all(places.zip_location(code) is not None for code in texas)
    assert places.zip_codes("TX", "Atlantis") == []


def test_the_data_file_is_the_pinned_zipcodes_packages_data(tmp_path):
    """places reads the ZIP data from its data file, written from the pinned package: the file is
    what the package gives now (byte for byte), and its tables, the order of their lists and the
    array of ZIP code points are those of all the package's records at once."""
    import re
    from pathlib import Path

    import numpy as np
    import zipcodes

    from finder.catalog import places

    pinned = re.search(r"^zipcodes==(\S+)$", (Path(__file__).parent.parent / "requirements.txt").read_text(), re.M)
    assert pinned and pinned.group(1) == places._PINNED == zipcodes.__version__
    assert places.write_data_file(tmp_path / "zipdata.tsv.gz") == 42_789
    assert (tmp_path / "zipdata.tsv.gz").read_bytes() == places.DATA_FILE.read_bytes(), (
        "the data file is not the installed package's: python -m finder.catalog.write_zip_data")
    every = zipcodes.list_all()
    assert sorted({record["state"] for record in every}) == sorted(places.DATA_STATES)
    from_file = places._build()
    at_once = places._build(every)
    for table in ("zips", "cities", "standard", "names"):
        assert getattr(from_file, table) == getattr(at_once, table), table
        assert list(getattr(from_file, table)) == list(getattr(places._build(places.package_records()), table))
    assert np.array_equal(from_file.points, at_once.points, equal_nan=True)


def test_the_data_file_is_a_cache_written_from_the_package_when_missing_or_stale(tmp_path, monkeypatch):
    """The data file is not in the repository (the records are the package's): the first process
    that needs it writes it; one naming another release is written again; where it cannot be
    written, the tables come from the package's records themselves. The tables are the same."""
    import gzip

    from finder.catalog import places

    expected = places._build(places.package_records())
    cache = tmp_path / "zipdata.tsv.gz"
    monkeypatch.setattr(places, "DATA_FILE", cache)

    assert places._build().zips == expected.zips and cache.exists()
    written = cache.read_bytes()

    with gzip.open(cache, "wt", encoding="utf-8") as stale:
        stale.write(places._file_header().replace(places._PINNED, "0.0.1") + "\n00501\tUNIQUE\t1\tHoltsville\tNY\t40.8\t-73.0\n")
    assert places._build().cities == expected.cities
    assert cache.read_bytes() == written
    assert not [p.name for p in tmp_path.iterdir() if p.name != cache.name]  # nothing left aside

    cache.write_bytes(b"not gzip")
    assert places._build().names == expected.names and cache.read_bytes() == written

    read_only = tmp_path / "read-only" / "zipdata.tsv.gz"  # a folder that does not exist: not writable
    monkeypatch.setattr(places, "DATA_FILE", read_only)
    from_package = places._build()
    assert (from_package.zips, from_package.standard) == (expected.zips, expected.standard)
    assert not read_only.exists()


def test_zip_points_are_the_zip_locations():
    import numpy as np

    from finder.catalog import places

    codes = ["02115", "00000", "9021", "x2115", None, "", "96201", "99950", "０２１１５", *places._data().zips][:5000]
    points = places.zip_points(codes)
    for code, (latitude, longitude) in zip(codes, points):
        expected = places.zip_location(code) if code else None
        if expected is None:
            assert np.isnan(latitude) and np.isnan(longitude), code
        else:
            assert (latitude, longitude) == expected, code
