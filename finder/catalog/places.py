"""Places: the app's ZIP data, program locations and distances (contract section 3, "Places").

The ZIP data is the `zipcodes` package (pinned in requirements.txt), read offline: nothing
is fetched at run time. Its 42,000-odd records are turned into lookup tables the first
time any function here needs them (once per process, about a second), then every lookup is
a dictionary read (or, for many programs at once, `zip_points`, an array read). The records
are read one state at a time (`zipcodes.filter_by`), never all at once: `zipcodes.list_all()`
holds about 85 MB of dicts for the life of the process, where the tables need a few.

- a ZIP code's location is its latitude and longitude in the data;
- a city's location is the mean latitude and longitude of the *active* ZIP codes the data
  lists for that city and state, with city names compared by `city_key`.

A few dozen records (military APO/DPO codes and some PO-box or single-company codes) carry
`0, 0` instead of coordinates. They are ZIP codes in the data (`is_known_zip`), but they
have no location (`zip_location` gives None) and they never pull a city's mean towards the
Gulf of Guinea.

Distances are great-circle distances (haversine) on a sphere of radius 3958.8 miles;
`haversine_miles` takes plain numbers or numpy arrays.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from .text import words

EARTH_RADIUS_MILES = 3958.8

# City-name words read as the word they abbreviate (contract: "St. Louis" is "Saint Louis").
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}

Location = tuple[float, float]


@functools.lru_cache(maxsize=65536)  # city names repeat a lot: 100,000 programs have a few thousand
def city_key(city: str) -> str:
    """How city names are compared: case-, accent- and punctuation-insensitive, abbreviations spelled out.

    `Cañon City` -> `canon city`, `Coeur d'Alene` -> `coeur d alene`, `St. Louis` -> `saint louis`.
    """
    return " ".join(ABBREVIATIONS.get(word, word) for word in words(city))


@dataclass(frozen=True)
class _Tables:
    zips: dict[str, Location | None]  # every ZIP code of the data; None: no coordinates
    cities: dict[tuple[str, str], Location]  # (state, city_key) -> mean of its active ZIP codes
    standard: dict[tuple[str, str], list[str]]  # (state, city_key or "") -> active standard ZIP codes
    names: dict[str, tuple[str, str]]  # ZIP code -> (city, state) as the data writes them
    points: np.ndarray  # row int(ZIP code): (latitude, longitude), NaN where `zips` has None or nothing


# Every state (USPS code) the ZIP data has records for, in the order of its records
# (tests/test_places.py checks that these are all of them, record for record).
DATA_STATES = (
    "AA AE AK AL AP AR AS AZ CA CO CT DC DE FL FM GA GU HI IA ID IL IN KS KY LA MA MD ME MH MI MN MO "
    "MP MS MT NC ND NE NH NJ NM NV NY OH OK OR PA PR PW RI SC SD TN TX UT VA VI VT WA WI WV WY"
).split()


def _records():
    """The ZIP data's records, a state at a time (see the module docstring)."""
    from zipcodes import filter_by  # imported here: only the first lookup pays for it

    for state in DATA_STATES:
        yield from filter_by(state=state)


_tables: _Tables | None = None
_lock = threading.Lock()


def _build(records=None) -> _Tables:
    zips: dict[str, Location | None] = {}
    sums: dict[tuple[str, str], list[float]] = {}
    standard: dict[tuple[str, str], list[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    for record in _records() if records is None else records:
        names[record["zip_code"]] = (record["city"], record["state"])
        latitude, longitude = float(record["lat"]), float(record["long"])
        located = not (latitude == 0 and longitude == 0)
        zips[record["zip_code"]] = (latitude, longitude) if located else None
        if located and record["active"]:
            key = (record["state"], city_key(record["city"]))
            total = sums.setdefault(key, [0.0, 0.0, 0])
            total[0] += latitude
            total[1] += longitude
            total[2] += 1
            if record["zip_code_type"] == "STANDARD":
                standard.setdefault(key, []).append(record["zip_code"])
                standard.setdefault((record["state"], ""), []).append(record["zip_code"])
    cities = {key: (lat / n, lon / n) for key, (lat, lon, n) in sums.items()}
    points = np.full((100_000, 2), np.nan)
    for code, where in zips.items():
        if where is not None:
            points[int(code)] = where
    points.setflags(write=False)
    return _Tables(zips, cities, standard, names, points)


def _data() -> _Tables:
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                _tables = _build()
    return _tables


def is_known_zip(code: str) -> bool:
    """Whether `code` is a 5-digit ZIP code of the app's ZIP data (with or without coordinates)."""
    return len(code) == 5 and code.isascii() and code.isdigit() and code in _data().zips


def zip_location(code: str) -> Location | None:
    """(latitude, longitude) of a 5-digit ZIP code, or None when the data lacks it or its coordinates."""
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        return None
    return _data().zips.get(code)


def city_location(city: str, state: str) -> Location | None:
    """The mean location of the active ZIP codes of `city` in `state` (a USPS code, any case)."""
    return _data().cities.get((state.strip().upper(), city_key(city)))


def zip_codes(state: str, city: str = "") -> list[str]:
    """The active standard ZIP codes (with coordinates) of a city in `state`, or of the whole state.

    For making up realistic data (the generator); the city is compared by `city_key`.
    """
    return _data().standard.get((state.strip().upper(), city_key(city) if city else ""), [])


def zip_place(code: str) -> tuple[str, str] | None:
    """(city, state) of a ZIP code as the data writes them (`("Boston", "MA")`), or None."""
    return _data().names.get(code)


@functools.cache
def _located_by_latitude() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ZIP code with coordinates, sorted by latitude: (latitudes, longitudes, codes)."""
    located = [(code, where) for code, where in _data().zips.items() if where is not None]
    codes = np.array([code for code, _ in located])
    points = np.array([where for _, where in located])
    order = np.lexsort((codes, points[:, 0]))
    return points[order, 0], points[order, 1], codes[order]


@functools.cache
def _located_on_sphere() -> np.ndarray:
    """The codes of `_located_by_latitude` as points on the unit sphere (x, y, z rows)."""
    latitudes, longitudes, _ = _located_by_latitude()
    return _on_sphere(latitudes, longitudes)


def _on_sphere(latitude, longitude) -> np.ndarray:
    phi, lam = np.radians(latitude), np.radians(longitude)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


# The straight-line (chord) distance between points on a sphere grows with their great-circle
# distance, so the nearest by chord is the nearest by haversine; the chord needs no
# trigonometry. Codes whose squared chord is within this factor of the least are measured
# exactly, so rounding can never pick another code than the haversine would.
_CHORD_SLACK = 1e-9


def nearest_zip(latitude: float, longitude: float) -> str | None:
    """The ZIP code with coordinates nearest a point (ties: the lowest latitude, then code).

    Looks at the codes within a band of latitude around the point, widened until it holds one
    whose distance bounds every code outside the band (a degree of latitude is 69 miles).
    """
    latitudes, longitudes, codes = _located_by_latitude()
    sphere, point = _located_on_sphere(), _on_sphere(latitude, longitude)
    band = 0.25
    while True:
        low, high = np.searchsorted(latitudes, [latitude - band, latitude + band])
        if high > low:
            chord = ((sphere[:, low:high] - point[:, np.newaxis]) ** 2).sum(axis=0)
            close = low + np.flatnonzero(chord <= chord.min() * (1 + _CHORD_SLACK) + 1e-30)
            miles = haversine_miles(latitudes[close], longitudes[close], latitude, longitude)
            best = int(np.argmin(miles))  # the first of equals: the lowest latitude, then code
            if miles[best] <= band * 69.0 or (low == 0 and high == len(codes)):
                return str(codes[close[best]])
        elif low == 0 and high == len(codes):
            return None
        band *= 2


def zip_points(zip_codes: list) -> np.ndarray:
    """(latitude, longitude) of each of many ZIP codes, as `zip_location` gives them (NaN for None)."""
    rows = np.fromiter(
        (int(code) if code and len(code) == 5 and code.isascii() and code.isdigit() else -1 for code in zip_codes),
        dtype=np.int64, count=len(zip_codes),
    )
    return zip_number_points(rows)


def zip_number_points(numbers: np.ndarray) -> np.ndarray:
    """`zip_points` of ZIP codes given as their numbers (-1: none)."""
    found = np.full((len(numbers), 2), np.nan)
    valid = numbers >= 0
    found[valid] = _data().points[numbers[valid]]
    return found


def program_location(zip_code: str | None, city: str, state: str) -> Location | None:
    """A program's location: its ZIP code's, else its city's, else None."""
    if zip_code and (found := zip_location(zip_code)) is not None:
        return found
    return city_location(city, state)


def haversine_miles(lat1, lon1, lat2, lon2):
    """Great-circle distance in miles between points given in degrees (numbers or numpy arrays)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = np.radians(np.subtract(lon2, lon1)) / 2
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    miles = 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(miles) if np.ndim(miles) == 0 else miles
