"""Couples: pairs of programs, one from each of two shortlists, within a distance (contract section 8).

No Flask here. A program's location is `places.program_location` (contract section 3, "Places"),
the same function the finder index places its programs with; looking it up is a dictionary read,
done once per entry (a shortlist holds at most 50). The distances of all pairs are one vectorised
haversine over the two lists, never a Python loop per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..catalog.places import haversine_miles, program_location

WITHIN_DEFAULT = 50
WITHIN_MIN, WITHIN_MAX = 1, 3000
WITHIN_CHOICES = (10, 25, 50, 100, 250, 500)  # the page's quick choices; any whole number 1-3000 is valid


@dataclass(frozen=True)
class Pick:
    """One entry of a shortlist: its rank, its program's code and location (NaN: none)."""

    rank: int
    code: str
    latitude: float = float("nan")
    longitude: float = float("nan")

    @property
    def located(self) -> bool:
        return not (np.isnan(self.latitude) or np.isnan(self.longitude))


@dataclass(frozen=True)
class Pair:
    """A program of the first list and one of the second, `miles` apart (not rounded)."""

    a: str
    b: str
    miles: float
    rank_a: int
    rank_b: int

    def as_json(self) -> dict:
        return {"a": self.a, "b": self.b, "miles": round(self.miles, 1), "rank_a": self.rank_a, "rank_b": self.rank_b}


def locations(programs: Sequence) -> np.ndarray:
    """(latitude, longitude) of each program (anything with zip_code, city and state; None: a
    program no longer listed), a row of NaN for one without a location."""
    found = np.full((len(programs), 2), np.nan)
    for row, program in enumerate(programs):
        if program is not None and (place := program_location(program.zip_code, program.city, program.state)):
            found[row] = place
    return found


def pairs_within(first: Sequence[Pick], second: Sequence[Pick], within: float) -> list[Pair]:
    """Every pair of one pick of each list at most `within` miles apart (both must have a location),
    ordered by the sum of their ranks, then distance, then the two program codes."""
    if not first or not second:
        return []
    lat_a = np.array([pick.latitude for pick in first])[:, None]
    lon_a = np.array([pick.longitude for pick in first])[:, None]
    lat_b = np.array([pick.latitude for pick in second])[None, :]
    lon_b = np.array([pick.longitude for pick in second])[None, :]
    miles = np.asarray(haversine_miles(lat_a, lon_a, lat_b, lon_b))
    with np.errstate(invalid="ignore"):
        close = miles <= within  # NaN (no location) is never close
    pairs = [
        Pair(first[i].code, second[j].code, float(miles[i, j]), first[i].rank, second[j].rank)
        for i, j in zip(*np.nonzero(close))
    ]
    pairs.sort(key=lambda pair: (pair.rank_a + pair.rank_b, pair.miles, pair.a, pair.b))
    return pairs
