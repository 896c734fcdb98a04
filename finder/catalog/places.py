"""Places: the app's ZIP data, program locations and distances (contract section 3, "Places").

The ZIP data is the `zipcodes` package (pinned in requirements.txt), read offline: nothing
is fetched at run time. The fields of its 42,000-odd records that the app uses are cached, as
the package gives them, in `zipdata.tsv.gz` beside this module (about 0.5 MB, git-ignored: the
records are the package's, not the project's), written from the pinned package by `make
install` (`python -m finder.catalog.write_zip_data`) or else by the first process that needs them, and
written again when it names another release of the package. Reading that file takes tens of
milliseconds; the package itself makes a dict of 15 fields per record (0.3-0.6 s, and 85 MB
if `zipcodes.list_all()` keeps them), which is what a process that cannot write the file
reads instead. The records are turned into
lookup tables the first time any function here needs them (once per process), then every
lookup is a dictionary read (or, for many programs at once, `zip_points`, an array read).

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
import gzip
import os
import threading
from dataclasses import dataclass
from pathlib import Path

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


DATA_FILE = Path(__file__).with_name("zipdata.tsv.gz")
# The fields of a record the tables are made of, in the data file's order.
DATA_FIELDS = ("zip_code", "zip_code_type", "active", "city", "state", "lat", "long")


def package_records():
    """The `zipcodes` package's records, a state at a time (never its whole list at once, which
    the package would keep), in the order of DATA_STATES: the order of the data file."""
    from zipcodes import filter_by  # imported here: only writing or checking the data file needs it

    for state in DATA_STATES:
        yield from filter_by(state=state)


def _rows():
    """The ZIP data's records as tuples of DATA_FIELDS (`active` a bool, the rest text as the
    package gives it): from the data file, written first when it is missing or another
    release's; from the package itself when the file cannot be written (a read-only install)."""
    try:
        lines = _file_lines()
        if lines is None:
            write_data_file()
            lines = _file_lines()
    except (OSError, RuntimeError):  # not writable here, or not the pinned package installed
        lines = None
    if lines is None:
        yield from _record_rows(package_records())
        return
    for line in lines[1:]:
        if line:
            code, kind, active, city, state, latitude, longitude = line.split("\t")
            yield code, kind, active == "1", city, state, latitude, longitude


def _file_lines() -> list[str] | None:
    """The data file's lines, or None when there is none or it is not the pinned package's."""
    try:
        with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="\n") as file:
            lines = file.read().split("\n")
    except (FileNotFoundError, EOFError, gzip.BadGzipFile):
        return None
    return lines if lines[0] == _file_header() else None


def _record_rows(records):
    """The package's records (dicts) as the data file's tuples."""
    return ((r["zip_code"], r["zip_code_type"], r["active"], r["city"], r["state"], r["lat"], r["long"])
            for r in records)


def _file_header() -> str:
    return f"# zipcodes {_PINNED}\t" + "\t".join(DATA_FIELDS)


def write_data_file(path: Path | None = None) -> int:
    """Write the data file (DATA_FILE unless `path`) from the installed `zipcodes` package; the
    number of records. The file appears whole or not at all (written aside, then renamed), so
    processes writing it at once, or one reading it meanwhile, never see a part of it."""
    import zipcodes

    if zipcodes.__version__ != _PINNED:
        raise RuntimeError(f"zipcodes {zipcodes.__version__} is installed; requirements.txt pins {_PINNED}")
    path = DATA_FILE if path is None else path
    aside = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        count = _write_records(aside)
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)
    return count


def _write_records(path: Path) -> int:
    count = 0
    # mtime=0: the same package gives the same bytes, so the file only changes with the data.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0, compresslevel=9) as packed:
        lines = [_file_header()]
        for record in package_records():
            values = [record[name] for name in DATA_FIELDS]
            values[2] = "1" if values[2] else "0"
            assert not any("\t" in str(v) or "\n" in str(v) for v in values), values
            lines.append("\t".join(str(v) for v in values))
            count += 1
        packed.write(("\n".join(lines) + "\n").encode("utf-8"))
    return count


_PINNED = "3.0.0"  # requirements.txt's zipcodes (tests/test_places.py checks that they agree)


_tables: _Tables | None = None
_lock = threading.Lock()


def _build(records=None) -> _Tables:
    """The lookup tables from the data file's records, or from `records` (the package's dicts)."""
    rows = _rows() if records is None else _record_rows(records)
    zips: dict[str, Location | None] = {}
    sums: dict[tuple[str, str], list[float]] = {}
    standard: dict[tuple[str, str], list[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    located_codes, located_points = [], []
    for code, kind, active, city, state, latitude, longitude in rows:
        names[code] = (city, state)
        latitude, longitude = float(latitude), float(longitude)
        if latitude == 0 and longitude == 0:
            zips[code] = None
            continue
        zips[code] = where = (latitude, longitude)
        located_codes.append(int(code))
        located_points.append(where)
        if active:
            key = (state, city_key(city))
            total = sums.get(key)
            if total is None:
                sums[key] = [latitude, longitude, 1]
            else:
                total[0] += latitude
                total[1] += longitude
                total[2] += 1
            if kind == "STANDARD":
                standard.setdefault(key, []).append(code)
                standard.setdefault((state, ""), []).append(code)
    cities = {key: (lat / n, lon / n) for key, (lat, lon, n) in sums.items()}
    points = np.full((100_000, 2), np.nan)
    points[np.array(located_codes, dtype=np.int64)] = np.array(located_points, dtype=float).reshape(-1, 2)
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


# The sides (in miles) of the cubes `nearest_zips` sorts the codes' points on the unit sphere
# into, tried in turn: a point whose nearest code lies within one side is settled by the codes
# of its own cube and the 26 around it; the few left (far from any code) by `nearest_zip`.
_GRID_MILES = (8.0, 40.0)
_NEIGHBOURS = np.array([(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)]).T


@functools.cache
def _grid(miles: float) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The codes of `_located_by_latitude` in cubes of `miles` on the unit sphere: (side,
    lowest cube, cubes per axis, each code's cube number sorted, the codes in that order)."""
    sphere = _located_on_sphere()
    side = miles / EARTH_RADIUS_MILES
    cubes = np.floor(sphere / side).astype(np.int64)
    low = cubes.min(axis=1) - 1
    span = cubes.max(axis=1) - low + 2
    numbers = _cube_numbers(cubes - low[:, np.newaxis], span)
    order = np.argsort(numbers, kind="stable")
    return side, low, span, numbers[order], order


def _cube_numbers(cubes: np.ndarray, span: np.ndarray) -> np.ndarray:
    return (cubes[0] * span[1] + cubes[1]) * span[2] + cubes[2]


def nearest_zips(latitudes, longitudes) -> list[str | None]:
    """`nearest_zip` of many points at once (the same codes, ties included): per point, the
    codes of the cubes around it (`_grid`) by chord, then the closest of them by haversine,
    the first in `_located_by_latitude`'s order among equals, as `nearest_zip` picks."""
    latitudes = np.asarray(latitudes, dtype=np.float64)
    longitudes = np.asarray(longitudes, dtype=np.float64)
    found = np.full(len(latitudes), -1, dtype=np.int64)
    left = np.arange(len(latitudes))
    for miles in _GRID_MILES:
        if len(left):
            settled, code = _nearest_in_grid(latitudes[left], longitudes[left], *_grid(miles))
            found[left[settled]] = code[settled]
            left = left[~settled]
    codes = _located_by_latitude()[2]
    nearest = [str(codes[i]) if i >= 0 else None for i in found.tolist()]
    for i in left.tolist():
        nearest[i] = nearest_zip(float(latitudes[i]), float(longitudes[i]))
    return nearest


def _nearest_in_grid(latitude, longitude, side, low, span, numbers, order) -> tuple[np.ndarray, np.ndarray]:
    """Per point: whether the cubes around it settle its nearest code (one lies within a cube's
    side, so every code nearer lies in them too), and that code's position in `_located_by_latitude`."""
    latitudes, longitudes, _ = _located_by_latitude()
    sphere, point = _located_on_sphere(), _on_sphere(latitude, longitude)
    around = (np.floor(point / side).astype(np.int64) - low[:, np.newaxis])[:, :, np.newaxis] + _NEIGHBOURS[:, np.newaxis]
    inside = np.all((around >= 0) & (around < span[:, np.newaxis, np.newaxis]), axis=0)
    cube = _cube_numbers(around, span)
    start = np.searchsorted(numbers, cube, "left")
    count = np.where(inside, np.searchsorted(numbers, cube, "right") - start, 0).ravel()
    which = np.repeat(np.repeat(np.arange(len(latitude)), _NEIGHBOURS.shape[1]), count)  # (point, code) pairs
    code = order[np.repeat(start.ravel(), count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)]
    chord = ((sphere[:, code] - point[:, which]) ** 2).sum(axis=0)
    least = np.full(len(latitude), np.inf)
    np.minimum.at(least, which, chord)
    settled = least <= side * side
    close = settled[which] & (chord <= least[which] * (1 + _CHORD_SLACK) + 1e-30)
    which, code = which[close], code[close]
    miles = haversine_miles(latitudes[code], longitudes[code], latitude[which], longitude[which])
    best = np.lexsort((code, miles, which))  # per point: the least miles, then the first code
    first = best[np.concatenate(([True], which[best][1:] != which[best][:-1]))] if len(best) else best
    nearest = np.full(len(latitude), -1, dtype=np.int64)
    nearest[which[first]] = code[first]
    return settled, nearest


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
    if valid.any():  # else the ZIP data is not needed (a process serving a stored index never loads it)
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
