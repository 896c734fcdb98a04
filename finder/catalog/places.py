"""The app's ZIP data (contract section 3, "Places"): the `zipcodes` package, offline.

The data is read once per process, on first use (about a second), and kept as a dict.
"""

from functools import cache

import zipcodes


@cache
def _zip_locations() -> dict[str, tuple[float, float]]:
    return {entry["zip_code"]: (float(entry["lat"]), float(entry["long"])) for entry in zipcodes.list_all()}


def zip_location(code: str) -> tuple[float, float] | None:
    """The latitude and longitude of a 5-digit ZIP code of the data, or None when it has none."""
    return _zip_locations().get(code)


@cache
def _zip_codes_by_place() -> dict[tuple[str, str], list[str]]:
    by_place: dict[tuple[str, str], list[str]] = {}
    for entry in zipcodes.list_all():
        if entry["active"] and entry["zip_code_type"] == "STANDARD":
            by_place.setdefault((entry["state"], entry["city"].casefold()), []).append(entry["zip_code"])
            by_place.setdefault((entry["state"], ""), []).append(entry["zip_code"])
    return by_place


def zip_codes(state: str, city: str = "") -> list[str]:
    """The active standard ZIP codes of a city (exact name, any case), or of the whole state."""
    return _zip_codes_by_place().get((state, city.casefold()), [])
