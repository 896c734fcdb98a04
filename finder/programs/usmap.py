"""The map of the results: the US states drawn on the server as SVG, a dot per place, no Flask.

The state outlines come from the pinned `bokeh-sampledata` package (`us_states`: simplified
Census TIGER/Line boundaries of the 50 states and DC, read offline from the package);
Puerto Rico, which it lacks, is drawn as the outline of its ZIP codes in the app's ZIP data.
The lower 48 states and DC are in an Albers equal-area conic projection (standard parallels
29.5° and 45.5° N, the usual one for maps of the US); Alaska, Hawaii and Puerto Rico each
have a projection of their own, scaled into an inset along the bottom edge, as on most maps of
the US. Every point is drawn in the part of the map that holds it (`area_of`).

What never changes (the outlines) is drawn once per process into a standalone SVG document
the page shows as the map's background (`states_svg`). What depends on the catalog (where
each program is, which programs share a dot) is worked out once per index, that is per
catalog version (`MapLayout`). Per request only the matching programs are counted per dot
(one `bincount`) and the dots written out (`result_map`).

Dots: programs closer than a dot are counted together. The map is divided into square cells
(CELL_SIZES, in units of the 960 × 600 map); a search is drawn with the finest cells of at least
CELL units on the screen (the map may be zoomed in around a `within` circle) that give at most
`MOST_DOTS` dots. Each dot sits at the spot of its cell with the most programs of the catalog,
is named after the city of the ZIP code nearest that spot, and links to the finder with the same
filters around that ZIP code: `within` a radius that holds every program of the cell, nearest
first.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..catalog import places

WIDTH, HEIGHT = 960, 600
CELL_SIZES = (3, 6, 12, 24, 48, 96)  # the sides of the cells dots stand for, finest first
CELL = 12  # the side of the finest cell at the full map's scale; zoomed in, a finer one
MOST_ZOOM = 4
MOST_DOTS = 100
LOWER48, ALASKA, HAWAII, PUERTO_RICO = "lower48", "AK", "HI", "PR"


@dataclass(frozen=True)
class Area:
    """One part of the map: an Albers projection and the box of the viewBox it is scaled into."""

    parallels: tuple[float, float]
    centre: tuple[float, float]  # (longitude, latitude) of the projection's origin
    box: tuple[float, float, float, float]  # x, y, width, height in map units


AREAS = {
    LOWER48: Area((29.5, 45.5), (-96.0, 37.5), (10, 10, 940, 520)),
    ALASKA: Area((55.0, 65.0), (-154.0, 50.0), (10, 455, 200, 135)),
    HAWAII: Area((8.0, 18.0), (-157.0, 3.0), (232, 515, 120, 75)),
    PUERTO_RICO: Area((17.5, 18.5), (-66.5, 18.0), (860, 545, 90, 40)),
}
AREA_CODES = tuple(AREAS)


def area_of(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    """Which area of the map holds each point: its position in AREA_CODES, -1 off the map
    (no location, or a place such as Guam or an APO code's)."""
    lat, lon = np.asarray(latitude, dtype=float), np.asarray(longitude, dtype=float)
    with np.errstate(invalid="ignore"):
        alaska = (lat >= 51) & (lat <= 72) & ((lon <= -129) | (lon >= 172))
        hawaii = (lat >= 18.5) & (lat <= 22.5) & (lon >= -160.6) & (lon <= -154.5)
        puerto_rico = (lat >= 17.5) & (lat <= 18.8) & (lon >= -67.6) & (lon <= -65.1)
        lower48 = (lat >= 24) & (lat <= 50) & (lon >= -125.5) & (lon <= -66.5)
    area = np.full(lat.shape, -1, dtype=np.int8)
    for code, where in ((LOWER48, lower48), (ALASKA, alaska), (HAWAII, hawaii), (PUERTO_RICO, puerto_rico)):
        area[where] = AREA_CODES.index(code)
    return area


def _albers(area: Area, latitude, longitude) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic on the unit sphere: x east, y north."""
    phi1, phi2 = np.radians(area.parallels)
    lon0, lat0 = np.radians(area.centre)
    n = (np.sin(phi1) + np.sin(phi2)) / 2
    c = np.cos(phi1) ** 2 + 2 * n * np.sin(phi1)
    rho0 = np.sqrt(c - 2 * n * np.sin(lat0)) / n
    lon = np.radians(np.where(np.asarray(longitude) > 0, np.asarray(longitude) - 360, longitude))  # Aleutians
    rho = np.sqrt(c - 2 * n * np.sin(np.radians(latitude))) / n
    theta = n * (lon - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


@functools.cache
def _outlines() -> dict[str, list[list[tuple[float, float]]]]:
    """Each state's outline rings as (latitude, longitude) points: DC and the 50 states from
    the package, Puerto Rico as the outline of its ZIP codes."""
    import shapely
    from bokeh_sampledata.us_states import records

    rings: dict[str, list[list[tuple[float, float]]]] = {}
    for record in records():
        geometry = record["geometry"]
        polygons = getattr(geometry, "geoms", [geometry])
        rings[record["code"]] = [[(lat, lon) for lon, lat in polygon.exterior.coords] for polygon in polygons
                                 if record["code"] != HAWAII or polygon.bounds[0] > -160.6]  # the main islands
    points = [(lon, lat) for lat, lon in _zip_points("PR")]
    hull = shapely.concave_hull(shapely.MultiPoint(points), ratio=0.35).buffer(0.04)
    rings["PR"] = [[(lat, lon) for lon, lat in hull.exterior.coords]]
    return rings


def _zip_points(state: str) -> list[tuple[float, float]]:
    found = (places.zip_location(code) for code in places.zip_codes(state))
    return [where for where in found if where is not None]


# `fitted()` of the pinned outlines, written out so that placing programs on the map (every
# finder page) never has to read them; tests/test_finder_map.py checks they still agree.
FITS = {
    LOWER48: (1136.2372310927515, 489.52029635035956, 289.0126404278411),
    ALASKA: (348.54528527964396, 128.64437340343028, 598.593633037394),
    HAWAII: (1261.689582714448, 302.72367523378955, 939.5957013567133),
    PUERTO_RICO: (2901.39323976736, 897.0694759691436, 577.0485826020174),
}


def _fits() -> dict[str, tuple[float, float, float]]:
    return FITS


def fitted() -> dict[str, tuple[float, float, float]]:
    """Per area, (scale, x offset, y offset) that put its states' outlines into its box."""
    by_area: dict[str, list[tuple[float, float]]] = {code: [] for code in AREAS}
    for state, rings in _outlines().items():
        code = state if state in (ALASKA, HAWAII, PUERTO_RICO) else LOWER48
        by_area[code].extend(point for ring in rings for point in ring)
    fits = {}
    for code, points in by_area.items():
        area = AREAS[code]
        lat, lon = np.array(points).T
        x, y = _albers(area, lat, lon)
        left, right, bottom, top = x.min(), x.max(), y.min(), y.max()
        bx, by, bw, bh = area.box
        scale = min(bw / (right - left), bh / (top - bottom))
        # Centred in its box; y grows downwards in SVG.
        fits[code] = (scale, bx + (bw - scale * (right - left)) / 2 - scale * left,
                      by + (bh - scale * (top - bottom)) / 2 + scale * top)
    return fits


def project(latitude, longitude, area_code: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Map units (x right, y down) of points; each in its own area, or all in `area_code`'s.
    Points off the map are NaN."""
    lat = np.atleast_1d(np.asarray(latitude, dtype=float))
    lon = np.atleast_1d(np.asarray(longitude, dtype=float))
    areas = area_of(lat, lon) if area_code is None else np.full(lat.shape, AREA_CODES.index(area_code), np.int8)
    x, y = np.full(lat.shape, np.nan), np.full(lat.shape, np.nan)
    fits = _fits()
    for i, code in enumerate(AREA_CODES):
        chosen = areas == i
        if chosen.any():
            ux, uy = _albers(AREAS[code], lat[chosen], lon[chosen])
            scale, dx, dy = fits[code]
            x[chosen], y[chosen] = dx + scale * ux, dy - scale * uy
    return x, y


def path(points_x, points_y) -> str:
    """An SVG path through points, closed."""
    return "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in zip(points_x, points_y)) + "Z"


@functools.cache
def states_svg() -> bytes:
    """The map's background: every state's outline and the insets' frames, as an SVG document
    (presentation attributes only: the page's Content-Security-Policy allows no style)."""
    import shapely

    paths = []
    for state, rings in sorted(_outlines().items()):
        area = state if state in (ALASKA, HAWAII, PUERTO_RICO) else LOWER48
        parts = []
        for ring in rings:
            lat, lon = np.array(ring).T
            x, y = project(lat, lon, area)
            simple = shapely.simplify(shapely.Polygon(np.column_stack([x, y])), 0.6)
            if simple.is_empty or simple.area < 1.5:
                continue
            for polygon in getattr(simple, "geoms", [simple]):
                sx, sy = np.array(polygon.exterior.coords).T
                parts.append(path(sx, sy))
        paths.append(f'<path d="{"".join(parts)}"><title>{state}</title></path>')
    frames = "".join(
        f'<rect x="{b[0] - 4}" y="{b[1] - 4}" width="{b[2] + 8}" height="{b[3] + 8}" rx="4"/>'
        for code, b in ((c, AREAS[c].box) for c in (ALASKA, HAWAII, PUERTO_RICO))
    )
    document = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        f'<g fill="none" stroke="#9aa6b5" stroke-width="1" stroke-dasharray="3 3">{frames}</g>'
        f'<g fill="#e6ebf1" stroke="#ffffff" stroke-width="0.8" stroke-linejoin="round">{"".join(paths)}</g></svg>'
    )
    return document.encode()


@functools.cache
def states_svg_version() -> str:
    """12 hex digits naming the background's version, for its address (cached for a year there):
    of this module's code and the outline package's version, so pages need not draw it."""
    from importlib.metadata import version

    source = Path(__file__).read_bytes() + version("bokeh-sampledata").encode() + version("zipcodes").encode()
    return hashlib.sha256(source).hexdigest()[:12]


@functools.cache
def places_version() -> str:
    """12 hex digits naming how the dots' places are worked out: of this module's code, the
    places module's and the ZIP data's version. Stored places of another version are never
    reused (`stored_places` of an index whose locations did not change)."""
    from importlib.metadata import version

    source = Path(__file__).read_bytes() + Path(places.__file__).read_bytes() + version("zipcodes").encode()
    return hashlib.sha256(source).hexdigest()[:12]


SPOT = 3  # map units (about 8 miles in the lower 48): the spots a dot's place is chosen among


class Level:
    """The dots of one cell size: `dot`, each program's dot (-1: not on the map), and per dot
    (`places`, worked out the first time a search needs this size) where it is drawn, the
    ZIP code its link is measured from, the radius holding all its programs and its name."""

    def __init__(self, size: int, on_map: np.ndarray, spots_of: Callable[[], Spots], stored: dict | None = None):
        self.size, self._on_map, self._spots_of, self._stored = size, on_map, spots_of, stored or {}
        self._rows = np.flatnonzero(on_map)

    @functools.cached_property
    def _spots(self) -> Spots:
        return self._spots_of()

    @functools.cached_property
    def _cells(self) -> tuple[np.ndarray, int]:
        stored = self._stored.get(f"{self.size}:dot")
        if stored is not None and len(stored) == len(self._on_map):  # stored with the index (`stored_places`)
            return stored, int(stored.max(initial=-1)) + 1
        spots, rows = self._spots, self._rows
        # Cells numbered in (area, row, column) order; rows and columns counted from the lowest
        # ones used, so that a point beyond the map's edges (in the sea off a coast) has a cell
        # of its own rather than one of the next row's.
        row = (spots.y[rows] // self.size).astype(np.int64)
        column = (spots.x[rows] // self.size).astype(np.int64)
        if len(rows):
            row, column = row - row.min(), column - column.min()
        columns, height = int(column.max(initial=0)) + 1, int(row.max(initial=0)) + 1
        cell = (spots.area[rows].astype(np.int64) * height + row) * columns + column
        cells, dot_of_row = np.unique(cell, return_inverse=True)
        dot = np.full(len(self._on_map), -1, dtype=np.int32)
        dot[rows] = dot_of_row.ravel()
        return dot, len(cells)

    @property
    def dot(self) -> np.ndarray:
        return self._cells[0]

    @property
    def count(self) -> int:
        """How many dots this size has for the whole catalog."""
        return self._cells[1]

    @functools.cached_property
    def _all_counts(self) -> np.ndarray:
        """How many programs of the catalog each dot holds."""
        return np.bincount(self.dot[self._rows], minlength=self.count)

    def counts(self, on: np.ndarray, chosen: int | None = None) -> np.ndarray:
        """How many of the rows `on` (booleans, all on the map; `chosen` of them) each dot holds:
        a count of the rows, or of the catalog's others taken from its whole count when those are fewer."""
        if chosen is None:
            chosen = int(np.count_nonzero(on))
        if chosen == len(self._rows):
            return self._all_counts.copy()
        if chosen * 2 <= len(self._rows):
            return np.bincount(self.dot[np.flatnonzero(on)], minlength=self.count)
        others = np.flatnonzero(self._on_map & ~on)
        return self._all_counts - np.bincount(self.dot[others], minlength=self.count)

    def coarser(self, counts: np.ndarray, level: Level, on: np.ndarray) -> np.ndarray:
        """Counts per dot of this size (of the rows `on`) as counts per dot of the coarser `level`."""
        parents = self._parents(level)
        if parents is None:  # cells that do not nest (not with CELL_SIZES as they are): count again
            return level.counts(on)
        return np.bincount(parents, weights=counts, minlength=level.count).astype(np.int64)

    def _parents(self, level: Level) -> np.ndarray | None:
        """Each dot's dot at the coarser `level` (None if some cell of this size is split between two)."""
        found = self.__dict__.setdefault("_parent_of", {})
        if level.size not in found:
            parents = np.zeros(self.count, dtype=np.int64)
            parents[self.dot[self._rows]] = level.dot[self._rows]
            found[level.size] = parents if np.array_equal(parents[self.dot[self._rows]], level.dot[self._rows]) \
                else None
        return found[level.size]

    @property
    def places(self) -> DotPlaces:
        """The places of all the dots of this size."""
        return self.places_of(np.arange(self.count))

    @functools.cached_property
    def _main_spots(self) -> tuple[np.ndarray, np.ndarray]:
        """Per dot, the mean location of the spot of its cell with the most programs of the
        catalog (ties: the first spot)."""
        spots, rows = self._spots, self._rows
        dot_of_row, spot_of_row = self.dot[rows].astype(np.int64), spots.spot[rows]
        pairs, pair_count = np.unique(dot_of_row * spots.count + spot_of_row, return_counts=True)
        pair_dot, pair_spot = np.divmod(pairs, spots.count)
        order = np.lexsort((-pair_count, pair_dot))
        first = order[np.concatenate(([True], pair_dot[order][1:] != pair_dot[order][:-1]))] if len(order) else order
        return spots.latitude[pair_spot[first]], spots.longitude[pair_spot[first]]

    def places_of(self, dots: np.ndarray) -> DotPlaces:
        """The places of some dots (positions in this size's dots), in that order: stored with
        the index, or worked out now for the dots not seen before (the finest size has
        thousands: their nearest ZIP codes are looked up together, `places.nearest_zips`)."""
        if f"{self.size}:x" in self._stored:
            found = {part: self._stored[f"{self.size}:{part}"][dots] for part in ("x", "y", "zip", "radius", "name")}
            return DotPlaces(found["x"], found["y"], found["zip"].tolist(), found["radius"], found["name"].tolist())
        known = self.__dict__.setdefault("_known", {})
        missing = np.array([d for d in dots.tolist() if d not in known], dtype=np.int64)
        if len(missing):
            self._work_out(missing, known)
        x, y, codes, radius, names = zip(*(known[d] for d in dots.tolist())) if len(dots) else ((),) * 5
        return DotPlaces(np.array(x), np.array(y), list(codes), np.array(radius, dtype=np.int32), list(names))

    def _work_out(self, missing: np.ndarray, known: dict) -> None:
        latitude, longitude = self._main_spots
        lat, lon = latitude[missing], longitude[missing]
        codes = [code or "" for code in places.nearest_zips(lat, lon)]
        origin = np.array([places.zip_location(code) or (a, b) for code, a, b in zip(codes, lat, lon)]).reshape(-1, 2)
        spots, rows = self._spots, self._rows
        slot = np.full(self.count, -1, dtype=np.int64)
        slot[missing] = np.arange(len(missing))
        mine = rows[slot[self.dot[rows]] >= 0]
        where = slot[self.dot[mine]]
        miles = places.haversine_miles(spots.program_latitude[mine], spots.program_longitude[mine],
                                       origin[where, 0], origin[where, 1])
        farthest = np.zeros(len(missing))
        np.maximum.at(farthest, where, np.atleast_1d(miles))
        radius = np.clip(np.ceil(farthest + 0.05), 1, 3000).astype(np.int32)
        x, y = project(lat, lon)
        for i, dot in enumerate(missing.tolist()):
            known[dot] = (float(x[i]), float(y[i]), codes[i], int(radius[i]), _place_name(codes[i]))


@dataclass(frozen=True)
class DotPlaces:
    x: np.ndarray
    y: np.ndarray
    zip_code: list[str]
    radius: np.ndarray
    name: list[str]


@dataclass(frozen=True)
class Spots:
    """Every program's map position, and the small squares (`SPOT` units) they fall in, with
    the mean location of each square's programs."""

    area: np.ndarray
    x: np.ndarray
    y: np.ndarray
    program_latitude: np.ndarray
    program_longitude: np.ndarray
    spot: np.ndarray  # each program's square (only meaningful on the map)
    count: int
    latitude: np.ndarray  # per square
    longitude: np.ndarray


@dataclass(frozen=True)
class MapLayout:
    """Where every program of one index is on the map, at every cell size."""

    on_map: np.ndarray  # programs drawn somewhere
    levels: tuple[Level, ...]

    @functools.cached_property
    def everywhere(self) -> bool:
        """Whether every program is drawn somewhere."""
        return bool(np.all(self.on_map))


def layout(latitude: np.ndarray, longitude: np.ndarray, stored: dict | None = None) -> MapLayout:
    """The map of an index's locations (arrays of degrees, NaN: no location); `stored` holds
    the dots and their places of STORED_SIZES as `stored_places` gave them. The programs'
    spots (their projection, the squares they fall in) are worked out only when a size's dots
    are not stored or a dot's place is not: a process that loaded the index draws a map
    without `within` from the stored arrays alone."""
    areas = area_of(latitude, longitude)
    on_map = areas >= 0
    spots_of = functools.cache(lambda: _programs_spots(latitude, longitude, areas, on_map))
    return MapLayout(on_map, tuple(Level(size, on_map, spots_of, stored) for size in CELL_SIZES))


def _programs_spots(latitude: np.ndarray, longitude: np.ndarray, areas: np.ndarray, on_map: np.ndarray) -> Spots:
    """Every program's map position and spot: needed to number the cells of a size whose dots
    are not stored, and to work out the places of dots not stored."""
    x, y = project(latitude, longitude)
    rows = np.flatnonzero(on_map)
    key = (areas[rows].astype(np.int64) * 1_000_000 + (y[rows] // SPOT).astype(np.int64) * 1_000
           + (x[rows] // SPOT).astype(np.int64))
    distinct, spot_of_row = np.unique(key, return_inverse=True)
    spot_of_row = spot_of_row.ravel()
    spot = np.zeros(len(latitude), dtype=np.int64)
    spot[rows] = spot_of_row
    per_spot = np.maximum(np.bincount(spot_of_row, minlength=len(distinct)), 1)
    return Spots(areas, x, y, latitude, longitude, spot, len(distinct),
                 np.bincount(spot_of_row, latitude[rows], len(distinct)) / per_spot,
                 np.bincount(spot_of_row, longitude[rows], len(distinct)) / per_spot)


STORED_SIZES = (12, 24, 48, 96)  # the sizes of a map without `within`: no ZIP data needed to draw it
NAME_LENGTH = 64


def stored_places(map_layout: MapLayout) -> dict[str, np.ndarray]:
    """Each program's dot and the places of the dots of STORED_SIZES, as arrays to store with
    the finder index (numbering the cells again costs a loading process tens of milliseconds
    at 100,000 programs). The places
    need the ZIP data (the nearest ZIP code, its city), which a process serving a page without
    `near` then never loads. The finer sizes are drawn only zoomed in around `near`, whose
    distances need the ZIP data anyway."""
    stored = {}
    for level in map_layout.levels:
        if level.size in STORED_SIZES:
            found = level.places
            stored.update({
                f"{level.size}:dot": level.dot,  # so a process loading the index does not number the cells again
                f"{level.size}:x": np.asarray(found.x, dtype=np.float64),
                f"{level.size}:y": np.asarray(found.y, dtype=np.float64),
                f"{level.size}:zip": np.array(found.zip_code, dtype="<U5"),
                f"{level.size}:radius": np.asarray(found.radius, dtype=np.int32),
                f"{level.size}:name": np.array([n[:NAME_LENGTH] for n in found.name], dtype=f"<U{NAME_LENGTH}"),
            })
    return stored


def _place_name(code: str) -> str:
    found = places.zip_place(code)
    return f"{found[0]}, {found[1]}" if found else f"ZIP {code}"


class Dot(NamedTuple):
    """One dot of a results map (up to MOST_DOTS a response: a tuple is made in a sixth of a
    frozen dataclass's time)."""

    x: float
    y: float
    r: float
    count: int
    name: str
    zip_code: str
    radius: int


@dataclass(frozen=True)
class ResultMap:
    """The dots of one search's matches, most programs first, and how many matches are not drawn."""

    dots: list[Dot]
    not_drawn: int
    cell_size: int


def result_map(layout_: MapLayout, matching: np.ndarray, zoom: float = 1.0) -> ResultMap:
    """The dots of the `matching` programs: the finest cell size (at least CELL at the scale
    of the full map, shown `zoom` times larger) with at most MOST_DOTS dots.

    The matches are counted per cell once, at the finest size tried (`Level.counts`); each
    coarser size adds up the counts of the cells it is made of (cells of twice the side hold
    whole cells of the size below, `Level.parents`)."""
    matches = int(np.count_nonzero(matching))
    if layout_.everywhere:  # every program has a place on the map (the usual catalog)
        on, drawn = matching, matches
    else:
        on = matching & layout_.on_map
        drawn = int(np.count_nonzero(on))
    not_drawn = matches - drawn
    levels = [level for level in layout_.levels if level.size * zoom >= CELL - 1e-9] or [layout_.levels[-1]]
    counts = levels[0].counts(on, drawn)
    for i, level in enumerate(levels):
        if i:
            counts = levels[i - 1].coarser(counts, level, on)
        occupied = np.flatnonzero(counts)
        if len(occupied) <= MOST_DOTS or level is levels[-1]:
            break
    shown = occupied[np.argsort(-counts[occupied], kind="stable")]
    at = level.places_of(shown)
    numbers = counts[shown]
    most = int(numbers[0]) if len(numbers) else 1
    dots = [
        Dot(x, y, _dot_radius(n, most), n, name, code, radius)
        for x, y, n, name, code, radius in zip(at.x.tolist(), at.y.tolist(), numbers.tolist(), at.name, at.zip_code,
                                               np.asarray(at.radius).tolist())
    ]
    return ResultMap(dots, not_drawn, level.size)


def _dot_radius(count: int, most: int) -> float:
    """A lone program a small dot; stacked ones bigger (by area), room for their number."""
    if count == 1:
        return 5.0
    return round(9.0 + 7.0 * math.sqrt(count / most), 1)


def circle(latitude: float, longitude: float, miles: float, steps: int = 90) -> tuple[np.ndarray, np.ndarray] | None:
    """The points `miles` from a place, in map units of that place's area (None: off the map)."""
    areas = area_of(np.array([latitude]), np.array([longitude]))
    if areas[0] < 0:
        return None
    delta = miles / places.EARTH_RADIUS_MILES
    phi1, lam1 = math.radians(latitude), math.radians(longitude)
    bearings = np.linspace(0, 2 * math.pi, steps, endpoint=False)
    phi2 = np.arcsin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * np.cos(bearings))
    lam2 = lam1 + np.arctan2(np.sin(bearings) * math.sin(delta) * math.cos(phi1),
                             math.cos(delta) - math.sin(phi1) * np.sin(phi2))
    lon2 = (np.degrees(lam2) + 180) % 360 - 180
    return project(np.degrees(phi2), lon2, AREA_CODES[areas[0]])


def frame(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """A viewBox (x, y, width, height) around points, with a margin, in the map's proportions,
    at most MOST_ZOOM times closer than the whole map and never beyond its edges."""
    width = max((x.max() - x.min()) * 1.1, (y.max() - y.min()) * 1.1 * WIDTH / HEIGHT, WIDTH / MOST_ZOOM)
    width = min(width, WIDTH)
    height = width * HEIGHT / WIDTH
    left = min(max((x.max() + x.min() - width) / 2, 0), WIDTH - width)
    top = min(max((y.max() + y.min() - height) / 2, 0), HEIGHT - height)
    return (round(float(left), 1), round(float(top), 1), round(float(width), 1), round(float(height), 1))
