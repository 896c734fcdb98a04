"""What the finder page shows around the results: chips, advice, paging, the state map.

Plain functions over a `Query` and the index; links are query strings (`?…`) so the
templates put them after the page's own address.
"""

from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

from ..catalog.vocab import FEATURE_KINDS, PROGRAM_TYPES, REGIONS, STATES
from .search import FILTERS, SORTS, VISAS, ProgramIndex, Query, months_before  # noqa: F401

# Tile-grid map of the US: (row, column) of each state, DC and PR, roughly geographic.
TILES = {
    "AK": (0, 0), "ME": (0, 10),
    "WI": (1, 5), "VT": (1, 9), "NH": (1, 10),
    "WA": (2, 0), "ID": (2, 1), "MT": (2, 2), "ND": (2, 3), "MN": (2, 4), "IL": (2, 5), "MI": (2, 6),
    "NY": (2, 8), "MA": (2, 9),
    "OR": (3, 0), "NV": (3, 1), "WY": (3, 2), "SD": (3, 3), "IA": (3, 4), "IN": (3, 5), "OH": (3, 6),
    "PA": (3, 7), "NJ": (3, 8), "CT": (3, 9), "RI": (3, 10),
    "CA": (4, 0), "UT": (4, 1), "CO": (4, 2), "NE": (4, 3), "MO": (4, 4), "KY": (4, 5), "WV": (4, 6),
    "VA": (4, 7), "MD": (4, 8), "DE": (4, 9),
    "AZ": (5, 1), "NM": (5, 2), "KS": (5, 3), "AR": (5, 4), "TN": (5, 5), "NC": (5, 6), "SC": (5, 7),
    "DC": (5, 8),
    "OK": (6, 3), "LA": (6, 4), "MS": (6, 5), "AL": (6, 6), "GA": (6, 7),
    "HI": (7, 0), "TX": (7, 3), "FL": (7, 8), "PR": (7, 10),
}
BUCKETS = 4
AND_GROUPS = tuple(FEATURE_KINDS)


def query_args(query: Query) -> list[tuple[str, str]]:
    """The query string pairs of `query`, defaults left out, so URLs stay short and canonical."""
    defaults = Query()
    pairs = []
    for spec in fields(Query):
        value = getattr(query, spec.name)
        if value == getattr(defaults, spec.name):
            continue
        if isinstance(value, tuple):
            pairs.extend((spec.name, item) for item in value)
        else:
            pairs.append((spec.name, "1" if value is True else str(value)))
    return pairs


def link(query: Query) -> str:
    """`?…` for `query` (`?` alone for the default query)."""
    return "?" + urlencode(query_args(query))


@dataclass(frozen=True)
class Chip:
    """One active filter value, with the link that removes it."""

    label: str
    remove: str
    name: str
    value: str | None


def value_label(index: ProgramIndex, name: str, value) -> str:
    if name in AND_GROUPS:
        feature = index.feature_by_key.get((name, value))
        return feature.label if feature else value
    return {
        "q": lambda: f"“{value}”",
        "type": lambda: PROGRAM_TYPES[value],
        "state": lambda: STATES[value][0],
        "region": lambda: REGIONS[value],
        "esir": lambda: "ESIR available",
        "visa": lambda: f"Sponsors {VISAS[value]}",
        "min_positions": lambda: f"At least {value} positions",
        "min_research_months": lambda: f"At least {value} research months",
        "max_length": lambda: f"At most {value} years",
        "verified_within": lambda: f"Verified within {value} months",
    }[name]()


def chips(index: ProgramIndex, query: Query) -> list[Chip]:
    """One chip per active filter value, in form order."""
    result = []
    for name in FILTERS:
        value = getattr(query, name)
        values = value if isinstance(value, tuple) else ((value,) if value not in (None, "", False) else ())
        for item in values:
            single = None if not isinstance(value, tuple) else item
            result.append(Chip(value_label(index, name, item), link(query.without(name, single)), name, single))
    return result


def clear_all(query: Query) -> str:
    return link(Query(sort=query.sort, per_page=query.per_page))


@dataclass(frozen=True)
class Advice:
    label: str
    link: str
    count: int


def advice(index: ProgramIndex, query: Query, today: date) -> list[Advice]:
    """When nothing matches: each filter whose removal gives results, most results first.

    A value of an AND group (features) is dropped alone; any other parameter as a whole,
    since dropping one of several OR values only narrows the result.
    """
    options = []
    for name in FILTERS:
        value = getattr(query, name)
        if name in AND_GROUPS:
            candidates = [(value_label(index, name, slug), query.without(name, slug)) for slug in value]
        elif value not in (None, "", False, ()):
            shown = ", ".join(value_label(index, name, v) for v in value) if isinstance(value, tuple) else \
                value_label(index, name, value)
            candidates = [(shown, query.without(name))]
        else:
            candidates = []
        for label, wider in candidates:
            count = index.count_matching(wider, today)
            if count:
                options.append(Advice(label, link(wider), count))
    return sorted(options, key=lambda option: -option.count)


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    first_shown: int
    last_shown: int
    previous: str | None
    next: str | None
    last: str


@lru_cache(maxsize=256)  # the status line and the pager of one response ask for the same
def paging(query: Query, count: int) -> Paging:
    pages = max(1, -(-count // query.per_page))
    first = (query.page - 1) * query.per_page + 1
    last_shown = min(count, query.page * query.per_page)

    def to(page: int) -> str:
        return link(Query(**{**query.__dict__, "page": page}))

    return Paging(
        page=query.page,
        pages=pages,
        first_shown=first if first <= count else 0,
        last_shown=last_shown if first <= count else 0,
        previous=to(min(query.page - 1, pages)) if query.page > 1 else None,
        next=to(query.page + 1) if query.page < pages else None,
        last=to(pages),
    )


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    row: int
    column: int
    count: int
    bucket: int
    chosen: bool


def state_tiles(state_counts: dict[str, int], chosen: tuple[str, ...]) -> list[Tile]:
    """The map's tiles; shading bucket 0 for no programs, else 1-4 by share of the largest count."""
    most = max(state_counts.values(), default=0)
    tiles = []
    for code, (row, column) in TILES.items():
        count = state_counts.get(code, 0)
        bucket = 0 if not count else max(1, -(-count * BUCKETS // most))
        tiles.append(Tile(code, STATES[code][0], row, column, count, bucket, code in chosen))
    return tiles


# Each state's parts of the map that never change, escaped once.
_TILE_PARTS = {code: (escape(code), escape(STATES[code][0])) for code in TILES}
_BY_NAME = sorted(TILES, key=lambda code: STATES[code][0])


def state_map_tiles(tiles: list[Tile], facets) -> Markup:
    """The map's checkboxes (see `_state_map.html`), with counts when there are `facets`;
    written here because 52 of them with their names took a sixth of a finder response's
    rendering time as a template loop."""
    counted = bool(facets)
    parts = []
    for t in tiles:
        code, name = _TILE_PARTS[t.code]
        checked = " checked" if t.chosen else ""
        count = f", {t.count} program{'' if t.count == 1 else 's'}" if counted else ""
        parts.append(f'<label class="b{t.bucket}"><input type="checkbox" name="state" value="{code}" '
                     f'id="s-{code}"{checked}>{code}<span>: {name}{count}</span></label>')
    return Markup("".join(parts))


def state_table_rows(tiles: list[Tile]) -> Markup:
    """The rows of the map's table, by state name."""
    count = {t.code: t.count for t in tiles}
    return Markup("".join(f"<tr><td>{_TILE_PARTS[code][1]}<td>{count[code]}" for code in _BY_NAME if code in count))


def program_url(program_code: str) -> str:
    """The address of a program's page (as `url_for("programs.detail", ...)`, without its cost
    for each of a page's results)."""
    return _program_url_pattern().replace("__code__", quote(program_code, safe=""))


@lru_cache(maxsize=1)
def _program_url_pattern() -> str:
    from flask import url_for

    return url_for("programs.detail", program_code="__code__")


def verified_ago(verified_on: date | None, today: date) -> str:
    """`verified 3 months ago`, `verified today`, `never verified`."""
    if verified_on is None:
        return "never verified"
    days = (today - verified_on).days
    if days <= 0:
        return "verified today"
    if days < 31:
        return f"verified {days} day{'s' if days > 1 else ''} ago"
    months = (today.year - verified_on.year) * 12 + today.month - verified_on.month - (today.day < verified_on.day)
    months = max(1, months)
    if months < 24:
        return f"verified {months} month{'s' if months > 1 else ''} ago"
    return f"verified {months // 12} years ago"


def sort_label(sort: str) -> str:
    return SORTS[sort]


LENGTH_EXPLAINED = {
    "integrated_ir": "An integrated IR residency covers diagnostic and interventional radiology in one "
                     "program, usually five years after a clinical internship.",
    "independent_ir": "An independent IR residency follows a full diagnostic radiology residency: two years, "
                      "or one year after a diagnostic radiology residency with ESIR.",
    "fellowship": "A fellowship is extra training after IR residency, usually one year.",
}


def length_explained(program) -> str:
    """What the training length means for this kind of program."""
    if program.program_type == "diagnostic_radiology":
        if program.esir_available:
            return ("A diagnostic radiology residency with ESIR: early specialization in IR during the "
                    "residency, followed by one year of independent IR residency.")
        return ("A diagnostic radiology residency: for IR it is followed by two years of independent IR "
                "residency.")
    return LENGTH_EXPLAINED.get(program.program_type, "")
