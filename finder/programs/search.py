"""The finder's filter engine: an in-memory index of the catalog, with no Flask.

Every finder request (the page, its htmx partial, the JSON API, the pathway counts)
goes through `ProgramIndex`, so they can never disagree. The index holds one numpy
array per filterable column, one boolean row per feature, a prefix index of the
folded words of name, institution and city (a query word also matches the words of the
state's name and its code), and the row order of every sort. A
filter is a boolean mask; facet counts are masks counted once per option. Only the
rows of the page asked for are then read from the database.

The index is rebuilt when the catalog version (bumped by every change) moves, so app
instances sharing one database never serve stale results. Memory: about 150 bytes per
program plus the distinct words (roughly 20 MB at 100,000 programs).
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
from sqlalchemy import select

from ..catalog import places
from ..catalog.columns import PROGRAM_COLUMNS, ProgramColumn
from ..catalog.tables import catalog_state, features, program_features, programs
from ..catalog.transactions import read_snapshot
from ..catalog.text import fold, words
from ..catalog.vocab import FEATURE_KINDS, PROGRAM_TYPES, REGIONS, STATES, VISAS_SPONSORED

# Every finder parameter that filters on a column, from the column registry:
# parameter -> (how it filters, the column). `q` searches several columns (handled apart).
COLUMN_FILTERS: dict[str, tuple[str, ProgramColumn]] = {
    f.parameter: (f.how, column) for column in PROGRAM_COLUMNS for f in column.filters if f.how != "words"
}
FILTER_LABELS: dict[str, str] = {f.parameter: f.label for column in PROGRAM_COLUMNS for f in column.filters}


def _sorts() -> tuple[dict[str, str], dict[str, tuple[ProgramColumn, bool]]]:
    """The sorts the registry declares: `key` ascending and `-key` descending, or the bare `key`
    for a column sorted one way only (`updated` is most recent first, `deadline` soonest first)."""
    labels: dict[str, str] = {}
    columns: dict[str, tuple[ProgramColumn, bool]] = {}
    for column in PROGRAM_COLUMNS:
        if (sort := column.sort) is None:
            continue
        both = sort.ascending is not None and sort.descending is not None
        for label, descending in ((sort.ascending, False), (sort.descending, True)):
            if label is not None:
                parameter = ("-" if descending and both else "") + sort.key
                labels[parameter] = label
                columns[parameter] = (column, descending)
    labels["fit"] = "Most wishes met first"
    return labels, columns


SORTS, SORT_COLUMNS = _sorts()
# Wishes (`want`) besides feature slugs: what each asks of a program, in words.
WISHES = {
    "esir": FILTER_LABELS["esir"],
    "signals": FILTER_LABELS["signals"],
    "comlex": FILTER_LABELS["comlex"],
    "intern_included": "Intern year included",
    "visa": "Sponsors a visa (J-1 or H-1B)",
}
VISAS = {"j1": "J-1", "h1b": "H-1B"}
TYPE_CODES = list(PROGRAM_TYPES)
STATE_CODES = list(STATES)
# What `q` matches of a program's state: the words of its full name (by their starts) and its code.
STATE_WORDS = {code: frozenset(words(name)) for code, (name, _) in STATES.items()}
REGION_CODES = list(REGIONS)
_BLANK = -1


def choice_codes(parameter: str) -> list[str]:
    """The values of a one-of-these parameter on a column, in the order the index codes them."""
    if parameter == "state":
        return STATE_CODES
    return list(COLUMN_FILTERS[parameter][1].choices)


@dataclass(frozen=True)
class Query:
    """A validated finder query: contract section 3, one field per parameter."""

    q: str = ""
    type: tuple[str, ...] = ()
    state: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    esir: bool = False
    fellowship: tuple[str, ...] = ()
    research: tuple[str, ...] = ()
    mentorship: tuple[str, ...] = ()
    visa: tuple[str, ...] = ()
    min_positions: int | None = None
    min_research_months: int | None = None
    max_length: int | None = None
    verified_within: int | None = None
    intern_year: tuple[str, ...] = ()
    signals: bool = False
    interview_format: tuple[str, ...] = ()
    comlex: bool = False
    my_step2: int | None = None
    min_salary: int | None = None
    min_cases: int | None = None
    min_board_pass_rate: int | None = None
    near: str = ""
    within: int | None = None
    want: tuple[str, ...] = ()
    sort: str = "name"
    page: int = 1
    per_page: int = 25

    def without(self, name: str, value: str | None = None) -> Query:
        """This query with one parameter (or one value of a repeatable one) removed."""
        current = getattr(self, name)
        if isinstance(current, tuple) and value is not None:
            return replace(self, **{name: tuple(v for v in current if v != value)}, page=1)
        blank = Query.__dataclass_fields__[name].default
        return replace(self, **{name: () if isinstance(current, tuple) else blank}, page=1)


# Parameters that filter (sort, paging, `near` and `want` do not).
FILTERS = ("q", *(p for p in COLUMN_FILTERS if p != "near"), "region", "within")


def is_set(value) -> bool:
    """Whether a Query value asks for something: not None, False, "" or () (0 is a value)."""
    return value is not None and value is not False and value != "" and value != ()


def values_of(value) -> tuple:
    """A Query value as the tuple of values it holds (one chip each)."""
    if isinstance(value, tuple):
        return value
    return (value,) if is_set(value) else ()


def months_before(today: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - date(year, month, 1)).days
    return date(year, month, min(today.day, last_day))


@dataclass(frozen=True)
class Fit:
    """How a program meets the applicant's wishes: `met` of `of`, and the wishes it misses."""

    met: int
    of: int
    missing: tuple[str, ...]


@dataclass
class Result:
    """One page of matches: their ids in order, the total and the facet counts.

    With `near`, `distances` gives each page program's miles (None: no location); with `want`,
    `fits` gives each one's `Fit`.
    """

    count: int
    ids: list[int]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    distances: dict[int, float | None] = field(default_factory=dict)
    fits: dict[int, Fit] = field(default_factory=dict)


@dataclass(frozen=True)
class FeatureInfo:
    id: int
    kind: str
    slug: str
    label: str
    description: str | None


# The programs columns the index reads (`ProgramIndex.load`): those that filter, sort or
# place a program, and what the keyword search and the tie-break read.
INDEX_COLUMNS = tuple(dict.fromkeys((
    "id", "program_code", "name", "institution", "city", "state", "region", "zip_code",
    *(c.name for c in PROGRAM_COLUMNS if (c.filters or c.sort) and c.stored),
    "intern_year", "signals_accepted", "comlex_accepted",  # wishes
)))


class ProgramIndex:
    """The catalog of one version, as arrays (see the module docstring).

    `columns` maps each name of INDEX_COLUMNS to its values, one per program in id order (a
    column left out is all blank); `links` are (program_id, feature_id) pairs; `feature_rows`
    the vocabulary as (id, kind, slug, label, description).

    Per column, by what the registry says it filters or sorts on: `codes[name]` (one-of-these
    values as small integers, -1 blank), `numbers[name]` (whole numbers, dates as ordinals,
    -1 blank), `flags[name]` (true, not false or unknown).
    """

    def __init__(self, version: int, columns: Mapping[str, list], links: list, feature_rows: list):
        self.version = version
        self.size = len(columns["id"])
        blank = [None] * self.size
        column = {name: columns.get(name, blank) for name in INDEX_COLUMNS}
        self.ids = np.array(column["id"], dtype=np.int64)
        self.codes: dict[str, np.ndarray] = {}
        self.numbers: dict[str, np.ndarray] = {}
        self.flags: dict[str, np.ndarray] = {}
        for parameter, (how, spec) in COLUMN_FILTERS.items():
            if how == "any_of" and parameter != "visa":
                self.codes[parameter] = _codes(column[spec.name], choice_codes(parameter))
            elif how == "flag":
                self.flags[parameter] = np.array([v is True for v in column[spec.name]], dtype=bool)
        for spec in PROGRAM_COLUMNS:
            if spec.rule in ("whole", "date", "past_date") and (spec.filters or spec.sort):
                values = column[spec.name]
                if spec.rule != "whole":
                    values = [d.toordinal() if d else None for d in values]
                self.numbers[spec.name] = _numbers(values)
        self.type, self.state = self.codes["type"], self.codes["state"]
        self.region = _codes(column["region"], REGION_CODES)
        self.esir = self.flags["esir"]
        self.visa = {code: np.array([code in VISAS_SPONSORED.get(v or "none", ()) for v in column["visa_sponsorship"]],
                                    dtype=bool)
                     for code in VISAS}
        self.intern_included = np.array([v == "included" for v in column["intern_year"]], dtype=bool)
        self.features = [FeatureInfo(*row) for row in feature_rows]
        self.feature_by_key = {(f.kind, f.slug): f for f in self.features}
        self.has_feature = self._feature_matrix(links)
        self._build_locations(column["zip_code"], column["city"], column["state"])
        self._build_orders(column["name"], column["program_code"])
        self._build_words(column["name"], column["institution"], column["city"])

    @classmethod
    def from_rows(cls, version: int, rows: list[Mapping], links: list, feature_rows: list) -> ProgramIndex:
        """The index of programs given as mappings of column name to value (missing: blank)."""
        return cls(version, {name: [row.get(name) for row in rows] for name in INDEX_COLUMNS}, links, feature_rows)

    @classmethod
    def load(cls, bind) -> ProgramIndex:
        """Read the catalog from the database of `bind` (an Engine, Connection or Session).

        Every statement reads one snapshot (`read_snapshot`), so a load committing meanwhile
        is seen whole or not at all, and the index carries the version of what it read.
        """
        with read_snapshot(bind) as connection:
            return cls._read(connection)

    @classmethod
    def _read(cls, connection) -> ProgramIndex:
        version = read_version(connection)
        c = programs.c
        names = INDEX_COLUMNS
        rows = connection.execute(select(*(c[name] for name in names)).order_by(c.id)).all()
        values = list(zip(*rows)) if rows else [()] * len(names)
        columns = {name: list(value) for name, value in zip(names, values)}
        links = connection.execute(select(program_features.c.program_id, program_features.c.feature_id)).all()
        feature_rows = connection.execute(
            select(features.c.id, features.c.kind, features.c.slug, features.c.label, features.c.description)
            .order_by(features.c.kind, features.c.label, features.c.slug)
        ).all()
        return cls(version, columns, links, feature_rows)

    # Building ---------------------------------------------------------------

    def _feature_matrix(self, links) -> np.ndarray:
        matrix = np.zeros((len(self.features), self.size), dtype=bool)
        if links:
            row_of = {f.id: i for i, f in enumerate(self.features)}
            feature_rows = np.fromiter((row_of[link[1]] for link in links), dtype=np.int64, count=len(links))
            program_ids = np.fromiter((link[0] for link in links), dtype=np.int64, count=len(links))
            matrix[feature_rows, self.rows_of(program_ids)] = True
        return matrix

    def _build_locations(self, zip_codes, cities, states) -> None:
        """Each program's latitude and longitude in degrees (NaN: no location), contract "Places"."""
        memo: dict[tuple, places.Location | None] = {}
        latitude = np.full(self.size, np.nan)
        longitude = np.full(self.size, np.nan)
        for row, key in enumerate(zip(zip_codes, cities, states)):
            if key not in memo:
                memo[key] = places.program_location(*key)
            if (found := memo[key]) is not None:
                latitude[row], longitude[row] = found
        self.latitude, self.longitude = latitude, longitude
        self.located = ~np.isnan(latitude)
        # The last origins of `near` asked for: their distances (and distance order once sorted by).
        self._origins: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

    def distances_from(self, zip_code: str) -> np.ndarray:
        """Miles from a ZIP code to every program (NaN: the program or the ZIP code has no location)."""
        return self._origin(zip_code)[0]

    def distance_order(self, zip_code: str) -> np.ndarray:
        """Every row, nearest first from a ZIP code; no location last; ties by name, then code."""
        distances, order = self._origin(zip_code)
        if order is None:
            order = np.lexsort((self.name_rank, np.nan_to_num(distances, nan=np.inf)))
            self._origins[zip_code] = (distances, order)
        return order

    def _origin(self, zip_code: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(distances, order or None) from a ZIP code, measured once for the last few asked for."""
        found = self._origins.get(zip_code)
        if found is None:
            origin = places.zip_location(zip_code)
            if origin is None:
                distances = np.full(self.size, np.nan)
            else:
                distances = places.haversine_miles(self.latitude, self.longitude, *origin)
            distances.setflags(write=False)
            if len(self._origins) >= 32:
                self._origins.pop(next(iter(self._origins)), None)
            found = self._origins[zip_code] = (distances, None)
        return found

    def _build_orders(self, names, codes) -> None:
        """Every sort's row order; ties go by folded name, then program_code, both ascending."""
        folded = [_fold(name) for name in names]
        by_name = sorted(range(self.size), key=lambda i: (folded[i], codes[i]))
        name_rank = np.empty(self.size, dtype=np.int64)
        name_rank[np.array(by_name, dtype=np.int64)] = np.arange(self.size)
        dense = np.zeros(self.size, dtype=np.int64)
        for position in range(1, len(by_name)):
            same = folded[by_name[position]] == folded[by_name[position - 1]]
            dense[by_name[position]] = dense[by_name[position - 1]] + (0 if same else 1)
        self.name_rank = name_rank
        self.orders = {"name": np.array(by_name, dtype=np.int64)}
        self.orders["-name"] = np.lexsort((name_rank, -dense))
        self.orders["state"] = np.lexsort((name_rank, self.state))
        for sort, (spec, descending) in SORT_COLUMNS.items():
            if spec.name in self.numbers:  # whole numbers and dates; blanks last either way
                values = self.numbers[spec.name]
                self.orders[sort] = np.lexsort((name_rank, -values if descending else values, values == _BLANK))

    def _build_words(self, *texts) -> None:
        postings: dict[str, set[int]] = {}
        memo: dict[str, frozenset[str]] = {}  # institutions and cities repeat a lot
        for row, parts in enumerate(zip(*texts)):
            found = set()
            for part in parts:
                if (part_words := memo.get(part)) is None:
                    part_words = memo[part] = frozenset(words(part))
                found |= part_words
            for word in found:
                postings.setdefault(word, set()).add(row)
        self.words = sorted(postings)
        offsets = np.zeros(len(self.words) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(postings[w]) for w in self.words])
        self.word_offsets = offsets
        self.word_rows = np.fromiter(
            (row for w in self.words for row in postings[w]), dtype=np.int32, count=int(offsets[-1])
        )

    def unlocated_ids(self) -> list[int]:
        """The programs without a location (no ZIP code position, city and state not in the ZIP data)."""
        return self.ids[~self.located].tolist()

    def rows_of(self, ids) -> np.ndarray:
        """Array positions of program ids (all known to the index)."""
        return np.searchsorted(self.ids, np.asarray(ids, dtype=np.int64))

    # Filtering --------------------------------------------------------------

    def masks(self, query: Query, today: date) -> dict[str, np.ndarray]:
        """One boolean mask per active filter parameter of `query`."""
        masks = {}
        if query.q:
            masks["q"] = self._keyword_mask(query.q)
        if query.region:
            masks["region"] = np.isin(self.region, [REGION_CODES.index(v) for v in query.region])
        for parameter, (how, spec) in COLUMN_FILTERS.items():
            value = getattr(query, parameter)
            if not is_set(value):
                continue
            if how == "any_of" and parameter == "visa":
                masks[parameter] = np.logical_or.reduce([self.visa[v] for v in value])
            elif how == "any_of":
                codes = choice_codes(parameter)
                masks[parameter] = np.isin(self.codes[parameter], [codes.index(v) for v in value])
            elif how == "all_of":
                masks[parameter] = np.logical_and.reduce([self.feature_column(parameter, slug) for slug in value])
            elif how == "flag":
                masks[parameter] = self.flags[parameter]
            elif how == "near":
                if query.within is not None:
                    with np.errstate(invalid="ignore"):
                        masks["within"] = self.distances_from(value) <= query.within  # NaN: never
            else:
                numbers = self.numbers[spec.name]
                masks[parameter] = {
                    "at_least": lambda: numbers >= value,  # blank (-1) never
                    "at_most": lambda: (numbers <= value) & (numbers != _BLANK),
                    "at_most_or_blank": lambda: numbers <= value,  # blank (-1) always
                    "within_months": lambda: numbers >= months_before(today, value).toordinal(),
                }[how]()
        return masks

    def wish_column(self, wish: str) -> np.ndarray:
        """Which programs meet one wish of `want`: a word of WISHES, else a feature slug of any kind."""
        if wish in WISHES:
            return {
                "esir": lambda: self.esir,
                "signals": lambda: self.flags["signals"],
                "comlex": lambda: self.flags["comlex"],
                "intern_included": lambda: self.intern_included,
                "visa": lambda: self.visa["j1"] | self.visa["h1b"],
            }[wish]()
        rows = [i for i, f in enumerate(self.features) if f.slug == wish]
        return self.has_feature[rows].any(axis=0) if rows else np.zeros(self.size, dtype=bool)

    def wish_label(self, wish: str) -> str:
        if wish in WISHES:
            return WISHES[wish]
        return next((f.label for f in self.features if f.slug == wish), wish)

    def wish_choices(self) -> dict[str, str]:
        """Every possible wish, by value, with its label (the features' slugs after the fixed ones)."""
        choices = dict(WISHES)
        for feature in self.features:
            choices.setdefault(feature.slug, feature.label)
        return choices

    def feature_column(self, kind: str, slug: str) -> np.ndarray:
        feature = self.feature_by_key.get((kind, slug))
        if feature is None:
            return np.zeros(self.size, dtype=bool)
        return self.has_feature[self.features.index(feature)]

    def _keyword_mask(self, text: str) -> np.ndarray:
        """Every word must start a word of name, institution, city or state name, or be the state's code."""
        mask = np.ones(self.size, dtype=bool)
        for word in set(words(text)):
            low = bisect.bisect_left(self.words, word)
            high = bisect.bisect_left(self.words, word + "\U0010ffff", lo=low)
            hit = np.zeros(self.size, dtype=bool)
            hit[self.word_rows[self.word_offsets[low]:self.word_offsets[high]]] = True
            states = [i for i, code in enumerate(STATE_CODES)
                      if word == code.lower() or any(w.startswith(word) for w in STATE_WORDS[code])]
            if states:
                hit |= np.isin(self.state, states)
            mask &= hit
        return mask

    def _combine(self, masks: Mapping[str, np.ndarray], skip: str | None = None) -> np.ndarray:
        chosen = [mask for name, mask in masks.items() if name != skip]
        if not chosen:
            return np.ones(self.size, dtype=bool)
        return np.logical_and.reduce(chosen) if len(chosen) > 1 else chosen[0]

    def count_matching(self, query: Query, today: date | None = None) -> int:
        """How many programs match the filters of `query`."""
        return int(np.count_nonzero(self._combine(self.masks(query, today or date.today()))))

    def search(self, query: Query, today: date | None = None, facets: bool = True) -> Result:
        """The ids of the page asked for, in sort order, the total, and the facet counts."""
        masks = self.masks(query, today or date.today())
        matching = self._combine(masks)
        distances = self.distances_from(query.near) if query.near else None
        wishes = tuple(dict.fromkeys(query.want))
        columns = {w: self.wish_column(w) for w in wishes}
        met = np.sum(list(columns.values()), axis=0, dtype=np.int16) if wishes else None
        if query.sort == "fit" and met is not None:
            # Matches in name order (the tie-break), then a stable sort by wishes met, most first.
            by_name = self.orders["name"]
            ordered = by_name[matching[by_name]]
            ordered = ordered[np.argsort(-met[ordered], kind="stable")]
        else:
            if query.sort == "distance" and query.near:
                order = self.distance_order(query.near)
            else:
                order = self.orders.get(query.sort, self.orders["name"])
            ordered = order[matching[order]]
        start = (query.page - 1) * query.per_page
        page_rows = ordered[start:start + query.per_page]
        ids = self.ids[page_rows].tolist()
        result = Result(int(ordered.size), ids)
        if distances is not None:
            result.distances = {i: (None if np.isnan(d) else float(d)) for i, d in zip(ids, distances[page_rows])}
        if met is not None:
            result.fits = {
                i: Fit(int(met[row]), len(wishes), tuple(w for w in wishes if not columns[w][row]))
                for i, row in zip(ids, page_rows.tolist())
            }
        if facets:
            result.facets = self._facets(masks, matching)
        return result

    def _facets(self, masks, matching) -> dict[str, dict[str, int]]:
        """For each option: how many programs match if it is ticked along with the other filters.

        A one-of-these group (type, state, region, visa, intern year, interview format) is counted
        without its own filter (ticking one more of its options widens it); features and the
        yes-only flags are counted with the option added to everything else.
        """
        facets = {}
        groups = [(name, codes, choice_codes(name)) for name, codes in self.codes.items()]
        for name, column, codes in [*groups, ("region", self.region, REGION_CODES)]:
            base = self._combine(masks, skip=name) if name in masks else matching
            counts = np.bincount(column[base] + 1, minlength=len(codes) + 1)[1:]  # -1 (blank) counts nowhere
            facets[name] = dict(zip(codes, counts.tolist()))
        base = self._combine(masks, skip="visa") if "visa" in masks else matching
        facets["visa"] = {code: int(np.count_nonzero(base & column)) for code, column in self.visa.items()}
        for name, flag in self.flags.items():
            facets[name] = {"1": int(np.count_nonzero(matching & flag))}
        for kind in FEATURE_KINDS:
            facets[kind] = {
                f.slug: int(np.count_nonzero(matching & self.has_feature[i]))
                for i, f in enumerate(self.features) if f.kind == kind
            }
        return facets

    def slugs_by_program(self, ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
        """The feature slugs of some programs, by id and kind (sorted)."""
        result = {}
        for program_id, row in zip(ids, self.rows_of(list(ids))):
            by_kind: dict[str, list[str]] = {kind: [] for kind in FEATURE_KINDS}
            for i in np.flatnonzero(self.has_feature[:, row]):
                by_kind[self.features[i].kind].append(self.features[i].slug)
            result[program_id] = {kind: sorted(slugs) for kind, slugs in by_kind.items()}
        return result


def _fold(text: str) -> str:
    """`fold`, with a fast path for plain ASCII (most names)."""
    return text.lower() if text.isascii() else fold(text)


def _codes(values, codes: list[str]) -> np.ndarray:
    """Each value's position in `codes`; blank (or unknown) -1."""
    position = {code: i for i, code in enumerate(codes)}
    return np.fromiter((position.get(v, _BLANK) for v in values), dtype=np.int16, count=len(values))


def _numbers(values) -> np.ndarray:
    return np.array([_BLANK if v is None else v for v in values], dtype=np.int32)


_lock = threading.Lock()


def read_version(connection) -> int:
    return connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar() or 0


def current_index(connection, cache: dict) -> ProgramIndex:
    """The index of the catalog's current version, from `cache` or built now.

    One cheap statement reads the version; the index is rebuilt only when it moved, from
    one snapshot of the database (a connection of its own, whatever `connection` is in).
    """
    version = read_version(connection)
    index = cache.get("finder_index")
    if index is not None and index.version == version:
        return index
    with _lock:
        index = cache.get("finder_index")
        if index is None or index.version != version:
            index = ProgramIndex.load(connection)
            cache["finder_index"] = index
    return index
