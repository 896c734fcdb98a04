"""What the finder page shows around the results: chips, advice, paging, the state map.

Plain functions over a `Query` and the index; links are query strings (`?…`) so the
templates put them after the page's own address.
"""

import math
import re
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cached_property, lru_cache
from typing import NamedTuple
from urllib.parse import quote, quote_plus

from markupsafe import Markup, escape

from wtforms.validators import NumberRange

from ..catalog import places
from ..catalog.columns import BY_NAME, FEATURES, GROUPS, PLACE, ProgramColumn, grouped
from ..catalog.text import plural
from ..catalog.vocab import FEATURE_KINDS, PROGRAM_TYPES, REGIONS, STATES
from . import usmap
from .search import (  # noqa: F401
    COLUMN_FILTERS, FILTER_LABELS, FILTERS, SORT_COLUMNS, SORTS, VISAS, ProgramIndex, Query, is_set, months_before,
    values_of,
)

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


def _panel() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The filter panel's groups (the registry's groups of facts) and the parameters in each:
    those filtering on the group's columns, in registry order. Place, which also holds the region
    and the radius (no column of their own), is laid out by hand."""
    panel = []
    for group in GROUPS:
        if group == PLACE:
            parameters = ("near", "within", "region", "state")
        else:
            parameters = tuple(p for p, (_, column) in COLUMN_FILTERS.items() if column.group == group)
        if parameters:
            panel.append((group, parameters))
    return tuple(panel)


PANEL = _panel()
OPEN_GROUPS = ("Route", "Place", "Features")  # open at first; the others open when one of their filters is active
HINTS = {
    "my_step2": "Programs that state no minimum match too",
    "verified_within": "Months back from today",
}


def error_place(name: str) -> str:
    """Where on the finder page the control of parameter `name` is, in words (issue 14.11)."""
    for group, parameters in PANEL:
        if name in parameters:
            return f"in the filters, under “{group}”"
    if name == "want":
        return "in the filters, under “Rank by my wishes”"
    if name == "page":
        return "in the page number of this address"
    return "at the top of the form"


def control_kind(name: str) -> str:
    """Which control the panel draws for a parameter: state, near (with within), flag, choices, number."""
    if name in ("state", "near", "within"):
        return {"state": "state", "near": "near", "within": "with near"}[name]
    if name == "region":
        return "choices"
    how = COLUMN_FILTERS[name][0] if name in COLUMN_FILTERS else ""
    if how == "flag":
        return "flag"
    if how in ("any_of", "all_of"):
        return "choices"
    return "number"


def bounds(field) -> tuple[int, int]:
    """The min and max of a whole-number field, read from its NumberRange validator."""
    found = next(v for v in field.validators if isinstance(v, NumberRange))
    return found.min, found.max
# The filters in panel order (the order of chips and advice); `q` sits above the panel.
PANEL_FILTERS = ("q", *(p for _, parameters in PANEL for p in parameters if p in FILTERS))
assert set(PANEL_FILTERS) == set(FILTERS), set(FILTERS) ^ set(PANEL_FILTERS)


def _e(text: str) -> str:
    """`markupsafe.escape` of a str, as a str (the same characters replaced the same way, in a
    third of the time: it is called a few hundred times per finder response)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


_QUERY_DEFAULTS = tuple((spec.name, getattr(Query(), spec.name)) for spec in fields(Query))


def query_args(query: Query) -> list[tuple[str, str]]:
    """The query string pairs of `query`, defaults left out, so URLs stay short and canonical."""
    pairs = []
    for name, default in _QUERY_DEFAULTS:
        value = getattr(query, name)
        if value == default:
            continue
        if isinstance(value, tuple):
            pairs.extend((name, item) for item in value)
        else:
            pairs.append((name, "1" if value is True else str(value)))
    return pairs


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*")  # what `quote_plus` leaves as it is


def _quote_plus(text: str) -> str:
    return text if _PLAIN.fullmatch(text) else quote_plus(text)


def encode(pairs: list[tuple[str, str]]) -> str:
    """`urlencode(pairs)`, the same characters (most names and values need no quoting)."""
    return "&".join(f"{_quote_plus(name)}={_quote_plus(value)}" for name, value in pairs)


def link(query: Query) -> str:
    """`?…` for `query` (`?` alone for the default query)."""
    return "?" + encode(query_args(query))


@dataclass(frozen=True)
class Chip:
    """One active filter value, with the link that removes it."""

    label: str
    remove: str
    name: str
    value: str | None


def value_label(index: ProgramIndex, name: str, value, query_near: str = "") -> str:
    """How a chip (or the advice) names one filter value."""
    if name in AND_GROUPS:
        feature = index.feature_by_key.get((name, value))
        return feature.label if feature else value
    column = COLUMN_FILTERS[name][1] if name in COLUMN_FILTERS else None
    phrases = {
        "q": lambda: f"“{value}”",
        "type": lambda: PROGRAM_TYPES[value],
        "state": lambda: STATES[value][0],
        "region": lambda: REGIONS[value],
        "visa": lambda: f"Sponsors {VISAS[value]}",
        "min_positions": lambda: f"At least {value} positions",
        "min_research_months": lambda: f"At least {value} research months",
        "max_length": lambda: f"At most {value} years",
        "verified_within": lambda: f"Verified within {value} months",
        "within": lambda: f"Within {value} miles of {query_near}",
        "my_step2": lambda: f"Step 2 CK minimum {value} or lower, or none stated",
        "min_salary": lambda: f"Salary at least {column.show(value)}",
        "min_cases": lambda: f"At least {column.show(value)} IR cases a year",
        "min_board_pass_rate": lambda: f"Board pass rate at least {column.show(value)}",
    }
    if name in phrases:
        return phrases[name]()
    how = COLUMN_FILTERS[name][0]
    if how == "any_of":
        return f"{FILTER_LABELS[name]}: {column.choices[value]}"
    return FILTER_LABELS[name]  # a yes-only flag


def link_without(pairs: list[tuple[str, str]], name: str, value: str | None = None) -> str:
    """`link(query.without(name, value))` written from `query_args(query)`: the pairs of that
    parameter (of that value only, when given) and the page left out."""
    return "?" + encode([(n, v) for n, v in pairs if n != "page" and not (n == name and (value is None or v == value))])


def chips(index: ProgramIndex, query: Query) -> list[Chip]:
    """One chip per active filter value, in panel order."""
    result = []
    pairs = None
    for name in PANEL_FILTERS:
        value = getattr(query, name)
        for item in values_of(value):
            single = None if not isinstance(value, tuple) else item
            pairs = query_args(query) if pairs is None else pairs
            result.append(Chip(value_label(index, name, item, query.near), link_without(pairs, name, single), name,
                               single))
    return result


def active_in_groups(query: Query) -> dict[str, int]:
    """How many filter values are active in each group of the panel (each chip counts one)."""
    counts = {}
    for group, parameters in PANEL:
        total = 0
        for name in parameters:
            if name in FILTERS:
                value = getattr(query, name)
                total += len(values_of(value))
        counts[group] = total
    return counts


_KEPT_BY_CLEAR_ALL = ("sort", "per_page", "near", "want")


def clear_all(query: Query) -> str:
    """The same search without any filter: sort, page size, the ZIP code and the wishes stay."""
    return "?" + encode([(name, value) for name, value in query_args(query) if name in _KEPT_BY_CLEAR_ALL])


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
    for name in PANEL_FILTERS:
        value = getattr(query, name)
        if name in AND_GROUPS:
            candidates = [(value_label(index, name, slug), query.without(name, slug)) for slug in value]
        elif is_set(value):
            shown = ", ".join(value_label(index, name, v) for v in value) if isinstance(value, tuple) else \
                value_label(index, name, value, query.near)
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


class Tile(NamedTuple):  # a tuple: 52 of them per response
    code: str
    name: str
    row: int
    column: int
    count: int
    bucket: int
    chosen: bool


_TILE_PLACES = tuple((code, STATES[code][0], row, column) for code, (row, column) in TILES.items())


def state_tiles(state_counts: dict[str, int], chosen: tuple[str, ...]) -> list[Tile]:
    """The map's tiles; shading bucket 0 for no programs, else 1-4 by share of the largest count
    (the ceiling of 4 × count / largest: at least 1 for any count)."""
    most = max(state_counts.values(), default=0)
    chosen = set(chosen)
    counts = [(code, name, row, column, state_counts.get(code, 0)) for code, name, row, column in _TILE_PLACES]
    return [Tile(code, name, row, column, count, -(-count * BUCKETS // most) if count else 0, code in chosen)
            for code, name, row, column, count in counts]


# Each state's parts of the map that never change, escaped once: its tile's markup after the
# shading bucket and after the checked mark, its name in the table.
_TILE_PARTS = {code: (f'"><input type="checkbox" name="state" value="{escape(code)}" id="s-{escape(code)}"',
                      f">{escape(code)}<span>: {escape(STATES[code][0])}") for code in TILES}
_BY_NAME = [(code, f"<tr><td>{escape(STATES[code][0])}<td>")
            for code in sorted(TILES, key=lambda code: STATES[code][0])]


def state_map_tiles(tiles: list[Tile], facets) -> Markup:
    """The map's checkboxes (see `_state_map.html`), with counts when there are `facets`;
    written here because 52 of them with their names took a sixth of a finder response's
    rendering time as a template loop."""
    counted = bool(facets)
    parts = []
    for t in tiles:
        after_bucket, after_checked = _TILE_PARTS[t.code]
        count = f", {t.count} program{'' if t.count == 1 else 's'}" if counted else ""
        parts.append(f'<label class="b{t.bucket}{after_bucket}{" checked" if t.chosen else ""}{after_checked}{count}'
                     "</span></label>")
    return Markup("".join(parts))


def field_message(field) -> Markup:
    """A field's first error beside its control: the `field_error(field, True)` macro of
    `_macros.html`, which the partial would have to import on every response to write the
    state map's (always empty there: a partial is only sent for a valid search)."""
    if not field.errors:
        return Markup("")
    return Markup(f'<span class="field-error" id="err-{_e(field.name)}">{escape(field.errors[0])}</span>')


def state_table_rows(tiles: list[Tile]) -> Markup:
    """The rows of the map's table, by state name."""
    count = {t.code: t.count for t in tiles}
    return Markup("".join(f"{row}{count[code]}" for code, row in _BY_NAME if code in count))


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


def miles(distance: float | None) -> str:
    """A distance as a result shows it: `42 miles`, `1 mile`, `under 1 mile`."""
    if distance is None:
        return "distance not known"
    if distance < 0.5:
        return "under 1 mile"
    whole = round(distance)
    return f"{whole:,} mile{'' if whole == 1 else 's'}"


def fit_sentence(index: ProgramIndex, fit) -> str:
    """`Meets 4 of 5 wishes; misses: ESIR available` (or `meets all 3 wishes`)."""
    wishes = "wish" if fit.of == 1 else "wishes"
    if fit.met == fit.of:
        return f"Meets {'the' if fit.of == 1 else 'all ' + str(fit.of)} {wishes}"
    missing = ", ".join(index.wish_label(w) for w in fit.missing)
    return f"Meets {fit.met} of {fit.of} {wishes}; misses: {missing}"


def by_fit(query: Query) -> str:
    """The same search with the programs that meet most wishes first."""
    return link(replace(query, sort="fit", page=1))


def sorted_fact(program, sort: str) -> str | None:
    """For a sort on a column a result does not show anyway (salary, cases, deadline): that fact."""
    if sort not in SORT_COLUMNS:
        return None
    column = SORT_COLUMNS[sort][0]
    if column.name in ("name", "state", "length_years", "positions_per_year", "research_months", "data_verified_on",
                       "zip_code"):
        return None
    return f"{column.label}: {column.show(getattr(program, column.name))}"


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


def deadline_in(deadline: date, today: date) -> str:
    """How far away a deadline is: `passed`, `today`, `tomorrow`, `in 5 days`, `in 3 weeks`, `in 2 months`."""
    days = (deadline - today).days
    if days < 0:
        return "passed"
    if days <= 1:
        return ("today", "tomorrow")[days]
    if days < 14:
        return f"in {days} days"
    if days < 63:
        return f"in {days // 7} weeks"
    months = (deadline.year - today.year) * 12 + deadline.month - today.month - (deadline.day < today.day)
    return f"in {months} months" if months < 24 else f"in {months // 12} years"


@dataclass(frozen=True)
class Fact:
    """One fact of the program page: its label, its value as people read it, and extras."""

    name: str
    label: str
    text: str
    known: bool
    href: str | None = None
    note: str | None = None


# Shown together in the page's contact block rather than among the facts of their group.
CONTACT_COLUMNS = ("program_director", "contact_email", "website")
# Shown in the page's heading or a section of their own.
_NOT_FACTS = {"name", "description", *CONTACT_COLUMNS}


def fact(program, column: ProgramColumn, today: date) -> Fact:
    """A column of a program as the page shows it (blanks read as the registry says)."""
    value = getattr(program, column.name)
    known = value is not None
    text, href, note = column.show(value), None, None
    if column.name == "length_years":
        text = f"{text}. {length_explained(program)}".rstrip(". ")
    elif column.name == "state":
        note = f"{REGIONS[program.region]} region"
    elif column.name == "application_deadline" and known:
        note = deadline_in(value, today)
    elif column.name == "data_verified_on":
        note = verified_ago(value, today) if known else None
    elif column.name == "website" and known:
        href = value
    elif column.name == "contact_email" and known:
        href = f"mailto:{value}"
    return Fact(column.name, column.label, text, known, href, note)


def program_facts(program, today: date) -> list[tuple[str, list[Fact]]]:
    """The facts of a program by registry group; the Features group is empty (the page lists them by kind)."""
    return [
        (group, [] if group == FEATURES else
         [fact(program, column, today) for column in columns if column.name not in _NOT_FACTS])
        for group, columns in grouped()
    ]


# The order "Also at this institution" lists programs in: the routes into IR first.
_TYPE_ORDER = {"integrated_ir": 0, "diagnostic_radiology": 1, "independent_ir": 2, "fellowship": 3}


def by_route(programs) -> list:
    """Programs in route order (integrated IR, DR, independent IR, fellowships), then by name."""
    return sorted(programs, key=lambda p: (_TYPE_ORDER.get(p.program_type, 9), p.name.casefold(), p.program_code))


def contact(program, today: date) -> list[Fact]:
    """The contact block: the director, the e-mail address as a mailto: link, the website."""
    return [fact(program, BY_NAME[name], today) for name in CONTACT_COLUMNS]


# The map of the results ------------------------------------------------------------------

@dataclass(frozen=True)
class MapView:
    """What the results map draws: its dots (`usmap.Dot`), each linking to `start` followed
    by its place, the part of the map shown (`view_box`, closer around the circle of
    `within`), that circle (an SVG path), the mark of `near`, and how many matches it cannot place."""

    dots: list
    start: str
    view_box: tuple[float, float, float, float]
    circle: str | None
    near_mark: tuple[float, float] | None
    not_drawn: int
    count: int

    @property
    def zoom(self) -> float:
        return usmap.WIDTH / self.view_box[2]

    @cached_property
    def places(self) -> list:
        """Each dot's parts of markup that its place decides (`_dot_parts`)."""
        return [_dot_parts(dot.x, dot.y, dot.zip_code, dot.radius, dot.name) for dot in self.dots]


MAP_WIDTH, MAP_HEIGHT = usmap.WIDTH, usmap.HEIGHT
states_map_version = usmap.states_svg_version


@lru_cache(maxsize=1)
def states_map_url() -> str:
    """The address of the map's background at its version (`url_for` once, as `program_url`)."""
    from flask import url_for

    return url_for("programs.states_map", v=states_map_version())


@lru_cache(maxsize=512)
def map_frame(near: str, within: int | None) -> tuple[tuple[float, float, float, float], str | None,
                                                       tuple[float, float] | None]:
    """The part of the map shown (the whole map, or closer around the circle of `within`), that
    circle as an SVG path and the mark of `near`: the same for every search around a ZIP code
    and radius (the ZIP data does not change while the app runs), so worked out once each."""
    view_box, circle, near_mark = (0.0, 0.0, float(usmap.WIDTH), float(usmap.HEIGHT)), None, None
    origin = places.zip_location(near) if near else None
    if origin is not None:
        x, y = usmap.project(*origin)
        if not math.isnan(x[0]):
            near_mark = (float(x[0]), float(y[0]))
        ring = usmap.circle(*origin, within) if within else None
        if ring is not None:
            circle = usmap.path(*ring)
            view_box = usmap.frame(*ring)
    return view_box, circle, near_mark


_NOT_IN_DOT_LINKS = ("near", "within", "sort", "page")  # a dot's link sets them itself (or leaves the default)


def results_map(index: ProgramIndex, query: Query, result) -> MapView:
    """The map of every match (not only this page's); each dot links to the same search
    around its place: `near` its ZIP code, `within` the radius that holds its programs,
    nearest first. With `within`, the map shows the part around its circle."""
    view_box, circle, near_mark = map_frame(query.near, query.within)
    zoom = usmap.WIDTH / view_box[2]
    drawn = usmap.result_map(index.map_layout(), result.matching, zoom)
    # The same filters, wishes and page size around the dot's place, nearest first, from page 1.
    base = encode([(name, value) for name, value in query_args(query) if name not in _NOT_IN_DOT_LINKS])
    return MapView(drawn.dots, f"?{base}&" if base else "?", view_box, circle, near_mark, drawn.not_drawn, result.count)


def map_view_box(view: MapView) -> str:
    return " ".join(f"{v:g}" for v in view.view_box)


def near_mark(view: MapView) -> str:
    """A cross at the ZIP code of `near`, as an SVG path."""
    x, y = view.near_mark
    arm = 6 / view.zoom
    return f"M{x - arm:.1f} {y:.1f}h{2 * arm:.1f}M{x:.1f} {y - arm:.1f}v{2 * arm:.1f}"


def _programs(count: int) -> str:
    return f"{count:,} program{'' if count == 1 else 's'}"


class _DotParts(NamedTuple):
    """The parts of a dot's markup that its place decides, escaped: the end of its link, its
    name, its centre (as `<circle>` and `<text>` attributes) and its table row after the name."""

    link: str
    name: str
    centre: str
    text_at: str
    row: str


@lru_cache(maxsize=8192)
def _dot_parts(x: float, y: float, zip_code: str, radius: int, name: str) -> _DotParts:
    """The parts of the markup of a dot at this place (the places of a catalog's dots repeat
    from search to search; their counts and the links' start do not)."""
    x, y = f"{x:.1f}", f"{y:.1f}"
    return _DotParts(_e(f"near={zip_code}&within={radius}&sort=distance"), _e(name), f'cx="{x}" cy="{y}"',
                     f'x="{x}" y="{y}"', f' <span>(within {radius:,} mile{"" if radius == 1 else "s"})</span><td>')


def map_dots(view: MapView) -> Markup:
    """The map's dots as SVG links (written here, not in a template loop: up to 100 of them).
    Each is named by its count and place: "12 programs around Boston, MA"; a dot of several
    programs shows their number."""
    scale = 1 / view.zoom
    start = _e(view.start)
    parts = [f'<g font-size="{12 * scale:.2f}" stroke-width="{1.5 * scale:.2f}">']
    for place, dot in zip(view.places, view.dots):
        count, r = dot.count, dot.r
        if count == 1:
            parts.append(f'<a href="{start}{place.link}" aria-label="1 program around {place.name}"><circle '
                         f'{place.centre} r="{r * scale:.1f}"/></a>')
        else:
            number = f"{count:,}"
            r = max(r, 3.4 * len(number) + 4) * scale
            parts.append(f'<a href="{start}{place.link}" aria-label="{number} programs around {place.name}"><circle '
                         f'{place.centre} r="{r:.1f}"/><text {place.text_at}>{number}</text></a>')
    parts.append("</g>")
    return Markup("".join(parts))


def map_rows(view: MapView) -> Markup:
    """The map as table rows: each place, linked like its dot, and its number of programs."""
    start = _e(view.start)
    return Markup("".join(
        f'<tr><td><a href="{start}{place.link}">{place.name}</a>{place.row}{dot.count:,}'
        for place, dot in zip(view.places, view.dots)
    ))


def map_summary(view: MapView) -> str:
    """What the map shows, in words, for the line above it."""
    shown = view.count - view.not_drawn
    text = f"{_programs(shown)} in {len(view.dots):,} place{'' if len(view.dots) == 1 else 's'}"
    if view.not_drawn:
        text += (f"; {_programs(view.not_drawn)} not on the map (no known location, or a place outside "
                 "the states, DC and Puerto Rico)")
    return text + "."


# The results list and the option counts, written here rather than as template loops: a page
# of results and a hundred counts took most of a finder response's rendering (docs/performance.md).

_SEP = " \u00b7 "
_BADGE_KINDS = ("fellowship", "research", "mentorship")


@lru_cache(maxsize=1024)
def _badge(label: str) -> str:
    """A feature's badge (a catalog has a few dozen features; a result shows up to three)."""
    return f"<span>{_e(label)}</span> "


class _ResultParts(NamedTuple):
    """What a result shows of its program row alone, escaped: its heading and place, its facts
    (type to research months), its code (`ca-…`, `cn-…`), its compare buttons, the end of its
    "Save to…" link and its code quoted for that link's address."""

    head: str
    facts: str
    code: str
    add: str
    remove: str
    save_to_end: str
    quoted_code: str


@lru_cache(maxsize=4096)
def _verified(verified_on: date, today: date) -> str:
    """`verified_ago`, escaped (the dates of a catalog's programs repeat from page to page)."""
    return _e(verified_ago(verified_on, today))


@lru_cache(maxsize=4096)
def _result_parts(program, kind: type, url_pattern: str) -> _ResultParts:
    """A result's parts of markup that its row decides: the same each time the program is
    shown, as long as its row is (the row is the key, so a changed program is written anew)."""
    code = program.program_code
    e_code, e_name = _e(code), _e(program.name)
    quoted = quote(code, safe="")
    head = (f'\n<li><h3><a href="{_e(url_pattern.replace("__code__", quoted))}">{e_name}</a></h3><p>'
            f'{_e(program.institution)}{_SEP}{_e(program.city)}, {_e(program.state)}')
    years = program.length_years
    facts = [f"</p><p>{_e(PROGRAM_TYPES[program.program_type])}{_SEP}{years} yr{'' if years == 1 else 's'}"]
    if program.positions_per_year is not None:
        facts.append(f"{_SEP}{plural(program.positions_per_year, 'position')}/yr")
    if program.esir_available:
        facts.append(f"{_SEP}ESIR")
    if program.research_months is not None:
        facts.append(f"{_SEP}{program.research_months} research mo")
    hidden = f'<span class="visually-hidden"> {e_name}</span></button>'
    return _ResultParts(
        head, "".join(facts), e_code,
        f'<button type="submit" id="ca-{e_code}" form="compare-add" name="code" value="{e_code}">'
        f'Add to compare{hidden}',
        f'<button type="submit" id="ca-{e_code}" form="compare-add" name="remove" value="{e_code}">'
        f'Remove from compare{hidden}',
        f'">Save to\u2026<span class="visually-hidden"> {e_name}: choose one of your shortlists</span></a>',
        quoted,
    )


def result_items(programs, badges, index: ProgramIndex, query: Query, result, today: date, tray_codes,
                 save_to_url: str | None, tray_note_left, tray_note) -> Markup:
    """The `<li>` of each result, byte for byte what `_results.html`'s loop with the shortlists'
    `_compare_button.html`, `_save_to_link.html` and `_compare_note.html` gave (tests/test_finder_render.py
    renders those templates beside it). `programs` are rows with the programs table's columns;
    `save_to_url` is the "Save to…" address with `__code__` for the program code (None: this
    browser has no shortlists); the pending compare note (`tray_note_left()`) is shown beside its
    program's button and marked as shown there (`tray_note(code)`), as the note's template does."""
    if not programs:
        return Markup("")
    in_tray = set(tray_codes)
    pending = tray_note_left()
    noted = pending["code"] if pending else None
    near, want, sort = bool(query.near), bool(query.want), query.sort
    url_pattern = _program_url_pattern()
    features = index.feature_by_key
    parts = []
    for program in programs:
        mine = _result_parts(program, type(program), url_pattern)
        code = program.program_code
        line = [mine.head]
        if near:
            line.append(f"{_SEP}<strong>{_e(miles(result.distances[program.id]))}</strong>")
        line.append(mine.facts)
        if fact := sorted_fact(program, sort):
            line.append(f"{_SEP}{_e(fact)}")
        if program.data_verified_on:
            line.append(f"{_SEP}{_verified(program.data_verified_on, today)}</p>")
        else:
            line.append(f'{_SEP}<span class="stale">never verified</span></p>')
        slugs = badges[program.id]
        shown = (slugs["fellowship"] + slugs["research"] + slugs["mentorship"])[:3]
        if shown:
            spans = [_badge(features[(kind, slug)].label) for kind in _BADGE_KINDS for slug in slugs[kind]
                     if slug in shown]
            line.append(f"<p>{''.join(spans)}</p>")
        if want:
            line.append(f'<div class="fit">{_e(fit_sentence(index, result.fits[program.id]))}</div>')
        line.append(mine.remove if code in in_tray else mine.add)
        if save_to_url is not None:
            line.append(f' <a class="save-to" href="{_e(save_to_url.replace("__code__", mine.quoted_code))}'
                        f'{mine.save_to_end}')
        note = tray_note(code) if code == noted else None
        if note:
            kind = "success" if note["ok"] else "error"
            line.append(f'<span class="compare-note" id="cn-{mine.code}"><span class="message message--{kind}">'
                        f'{escape(note["message"])}</span></span></li>')
        else:
            line.append(f'<span class="compare-note" id="cn-{mine.code}"></span></li>')
        parts.append("".join(line))
    return Markup("".join(parts))


@lru_cache(maxsize=256)
def _count_starts(name: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """The start of each option's out-of-band count, up to the count (per facet and its options)."""
    return tuple(f'<span id="{_e(f"n-{name}-{value}")}" hx-swap-oob="true">(' for value in values)


def option_counts_oob(facets) -> Markup:
    """Every option's count as the htmx response swaps it into the form (the `count` macro of
    `_macros.html` with `oob`, for each option of each facet but the states')."""
    return Markup("".join(
        f"{start}{count})</span>"
        for name, counts in facets.items() if name != "state"
        for start, count in zip(_count_starts(name, tuple(counts)), counts.values())
    ))


def panel_counts_oob(active: dict[str, int], result) -> Markup:
    """The partial's out-of-band pieces of the panel, as `_update.html` wrote them with the
    macros of `_macros.html` (`oob`): each group's "· N active", the phone's "(N active)" and
    the "Show N programs" button."""
    parts = [f'<span class="group__active" id="active-{_e(group.lower())}" hx-swap-oob="true">'
             f'{f" · {active[group]} active" if active.get(group) else ""}</span>' for group, _ in PANEL]
    total = sum(active.values())
    parts.append("\n")
    parts.append(f'<span class="filters-toggle__active" id="filters-active" hx-swap-oob="true">'
                 f'{f"({total} active)" if total else ""}</span>')
    show = f"Show {result.count:,} program{'' if result.count == 1 else 's'}" if result else "Show programs"
    parts.append(f'<span id="filters-show" hx-swap-oob="true">{show}</span>')
    return Markup("".join(parts))
