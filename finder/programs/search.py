"""The finder's filter engine: an in-memory index of the catalog, with no Flask.

Every finder request (the page, its htmx partial, the JSON API, the pathway counts)
goes through `ProgramIndex`, so they can never disagree. The index holds one numpy
array per filterable column, one boolean row per feature, a prefix index of the
folded words of name, institution and city, and the row order of every sort. A
filter is a boolean mask; facet counts are masks counted once per option. Only the
rows of the page asked for are then read from the database.

Every catalog change stores the index of its version right after it commits
(`publish_index`); each app process loads it when the version moves (`serve_index`), so app
instances sharing one database never serve stale results for longer than that store takes. Memory: about 150 bytes per
program plus the distinct words (roughly 20 MB at 100,000 programs).
"""

from __future__ import annotations

import bisect
import functools
import json
import logging
import operator
import struct
import threading
import time
import weakref
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import chain, islice
from typing import Protocol, TypeVar

import numpy as np
from sqlalchemy import (ARRAY, Engine, Integer, String, any_, bindparam, cast, delete, event, func, insert,
                        literal_column, select)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session

from ..catalog import places
from ..catalog.columns import PROGRAM_COLUMNS, ProgramColumn
from ..catalog.tables import catalog_state, features, finder_index, program_features, programs, utcnow
from ..catalog.text import fold, folded_words, words
from ..catalog.transactions import engine_of, is_lock_conflict, read_snapshot
from ..catalog.vocab import FEATURE_KINDS, PROGRAM_TYPES, REGIONS, STATES, VISAS_SPONSORED
from . import usmap

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
# `sort=state` orders by the column's value, the USPS code (MA, MD, ME), which is not the order
# of STATE_CODES (by the states' names: Maine, Maryland, Massachusetts); each code's rank by code.
STATE_CODE_RANK = np.argsort(np.argsort(np.array(STATE_CODES), kind="stable"), kind="stable").astype(np.int64)
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
    matching: np.ndarray | None = field(default=None, repr=False, compare=False)  # every row that matches


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
        self._build(version, dict(columns), dict(links) if isinstance(links, Mapping) else list(links), feature_rows)

    def _build(self, version: int, columns: dict, links, feature_rows: list, stored_places=None) -> None:
        """Build from `columns` and `links` (see the class docstring), emptying them on the way:
        each column is let go of once it is used (the texts last), so a build's peak memory
        is what is left of them plus the index so far (`load` hands over the only reference)."""
        self.version = version
        self.size = len(columns.get("id", ()))
        blank = [None] * self.size
        code_order = columns.pop(_CODE_ORDER, None)
        column = {name: columns.pop(name, blank) for name in INDEX_COLUMNS}
        columns.clear()
        if code_order is not None:  # the codes are only sorted when the database did not give their order
            column["program_code"] = None
        self.ids = np.array(column.pop("id"), dtype=np.int64)
        self.codes: dict[str, np.ndarray] = {}
        self.numbers: dict[str, np.ndarray] = {}
        self.flags: dict[str, np.ndarray] = {}
        for parameter, (how, spec) in COLUMN_FILTERS.items():
            if how == "any_of" and parameter != "visa":
                self.codes[parameter] = _codes(column[spec.name], choice_codes(parameter))
            elif how == "flag":
                self.flags[parameter] = _flags(column[spec.name])
        for spec in PROGRAM_COLUMNS:
            if spec.rule in ("whole", "date", "past_date") and (spec.filters or spec.sort):
                values = column[spec.name]
                self.numbers[spec.name] = _numbers(values) if spec.rule == "whole" else _ordinals(values)
        self.type, self.state = self.codes["type"], self.codes["state"]
        self.region = _codes(column["region"], REGION_CODES)
        self.esir = self.flags["esir"]
        visa_codes = _codes(column["visa_sponsorship"], list(VISAS_SPONSORED))
        self.visa = {code: np.isin(visa_codes, [i for i, v in enumerate(VISAS_SPONSORED) if code in VISAS_SPONSORED[v]])
                     for code in VISAS}
        self.intern_included = self.codes["intern_year"] == choice_codes("intern_year").index("included")
        self._set_features([FeatureInfo(*row) for row in feature_rows])
        self.has_feature = self._feature_matrix(links)
        if isinstance(links, dict):
            links.clear()
        self.feature_bits = _packed(self.has_feature)
        self._build_locations(column.pop("zip_code"), column["city"])
        self._build_words(column["name"], column.pop("institution"), column.pop("city"))
        self._build_orders(column.pop("name"), column.pop("program_code"), code_order)
        del column
        # The map's dots at the sizes drawn without `within`: they need the ZIP data (see usmap),
        # and depend on nothing but the rows' locations, so those of a stored index that has
        # the same ones (`stored_places`, from `load`) are this index's too.
        self.places_version = usmap.places_version()
        reused = stored_places(self) if stored_places is not None else None
        self.map_places = reused if reused is not None else usmap.stored_places(usmap.layout(self.latitude,
                                                                                             self.longitude))

    def _set_features(self, features: list[FeatureInfo]) -> None:
        self.features = features
        self.feature_by_key = {(f.kind, f.slug): f for f in features}
        self.feature_row = {(f.kind, f.slug): i for i, f in enumerate(features)}

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
        """The catalog as `connection` sees it (in its own transaction, if it is a writer's).

        The rows come through the driver's own cursor: no ORM or Row object per program.
        """
        version = read_version(connection)
        links = _links_by_feature(connection)  # first: its peak memory then comes before the texts'
        columns = _packed_columns(connection)
        if columns is None:  # a text holds the separator: read it row by row
            columns = _plain_columns(connection)
        feature_rows = connection.execute(
            select(features.c.id, features.c.kind, features.c.slug, features.c.label, features.c.description)
            .order_by(features.c.kind, features.c.label, features.c.slug)
        ).all()
        index = cls.__new__(cls)
        # which empties `columns` and `links` as it goes
        index._build(version, columns, links, feature_rows, lambda built: _reusable_places(connection, built))
        return index

    # Building ---------------------------------------------------------------

    def _feature_matrix(self, links) -> np.ndarray:
        """One boolean row per feature; `links` is (program_id, feature_id) pairs or, as `load`
        reads them, a mapping of feature id to an array of program ids."""
        matrix = np.zeros((len(self.features), self.size), dtype=bool)
        if not isinstance(links, Mapping):
            pairs = np.fromiter(chain.from_iterable(links), dtype=np.int64, count=2 * len(links)).reshape(-1, 2)
            links = {f.id: pairs[pairs[:, 1] == f.id, 0] for f in self.features}
        # Ids without gaps (a catalog loaded once, or only added to): a row is its id less the first.
        first = int(self.ids[0]) if self.size and self.ids[-1] - self.ids[0] == self.size - 1 else None
        for row, feature in enumerate(self.features):
            program_ids = links.get(feature.id)
            if program_ids is not None and len(program_ids):
                matrix[row, self.rows_of(program_ids) if first is None else program_ids - first] = True
        return matrix

    def _build_locations(self, zip_codes, cities) -> None:
        """Each program's latitude and longitude in degrees (NaN: no location), contract "Places":
        `places.program_location` of each, the ZIP codes' looked up all at once."""
        if isinstance(zip_codes, _ZipNumbers):
            points = places.zip_number_points(np.asarray(zip_codes))
        else:
            points = places.zip_points(list(zip_codes))
        latitude, longitude = points[:, 0].copy(), points[:, 1].copy()
        memo: dict[tuple, places.Location | None] = {}
        states = self.state.tolist()
        for row in np.flatnonzero(np.isnan(latitude)).tolist():  # no ZIP code location: the city's
            key = (cities[row], STATE_CODES[states[row]] if states[row] >= 0 else "")
            if key not in memo:
                memo[key] = places.city_location(*key)
            if (found := memo[key]) is not None:
                latitude[row], longitude[row] = found
        self.latitude, self.longitude = latitude, longitude
        self.located = ~np.isnan(latitude)

    def distances_from(self, zip_code: str) -> np.ndarray:
        """Miles from a ZIP code to every program (NaN: the program or the ZIP code has no location)."""
        return self._origin(zip_code)[0]

    def distance_order(self, zip_code: str) -> np.ndarray:
        """Every row, nearest first from a ZIP code; no location last; ties by name, then code."""
        distances, order = self._origin(zip_code)
        if order is None:
            # The name order (ties already by name, then code) stably re-sorted by distance:
            # one sort where np.lexsort does two (about 7 against 13 ms at 100,000 programs).
            by_name = self.orders["name"]
            order = by_name[np.argsort(np.nan_to_num(distances, nan=np.inf)[by_name], kind="stable")]
            self._origins[zip_code] = (distances, order)
        return order

    def _origin(self, zip_code: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(distances, order or None) from a ZIP code, measured once for the last few asked for."""
        if not hasattr(self, "_origins"):
            # The last origins of `near` asked for: distances, and distance order once sorted by.
            self._origins: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
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

    def map_layout(self) -> usmap.MapLayout:
        """Where each program is on the map of the results (`usmap`), worked out once per index."""
        found = getattr(self, "_map", None)
        if found is None:
            found = self._map = usmap.layout(self.latitude, self.longitude, self.map_places)
        return found

    def _build_orders(self, names, codes, code_order=None) -> None:
        """The name orders; ties go by folded name, then program_code, both ascending.

        Every other sort's order is the name order re-sorted stably by the sort's key
        (`_sort_order`), worked out the first time it is asked for (`_Orders`): 2-3 ms at
        100,000 programs, once per index and process, where storing them all took a third of
        the stored index's bytes. `code_order` (the rows by program_code, when the database
        gave them) saves sorting the codes as text.
        """
        folded = _fold_all(names)
        distinct = sorted(set(folded))
        rank_of = dict(zip(distinct, range(len(distinct))))
        dense = np.fromiter(map(rank_of.__getitem__, folded), dtype=np.int64, count=self.size)
        if code_order is None:
            code_order = np.argsort(np.array(codes, dtype=str), kind="stable") if self.size else np.zeros(0, np.int64)
        by_name = _sorted_by(dense, code_order)
        name_rank = np.empty(self.size, dtype=np.int32)
        name_rank[by_name] = np.arange(self.size, dtype=np.int32)
        self.name_rank = name_rank
        # Row numbers as int32: half the bytes (a catalog has far fewer than 2**31 rows).
        stored = {"name": by_name, "-name": _sorted_by(dense.max(initial=0) - dense, by_name)}
        self.orders = _Orders({sort: order.astype(np.int32) for sort, order in stored.items()}, self._sort_order)

    def _sort_order(self, sort: str) -> np.ndarray:
        """The row order of a sort other than by name (KeyError for none): the name order
        re-sorted stably by the sort's key (`_sorted_by`, a radix sort), so ties keep name
        order without a key of their own."""
        if sort == "state":
            key = np.where(self.state >= 0, STATE_CODE_RANK[self.state] + 1, 0)  # by code; blank (-1) first
        elif sort in SORT_COLUMNS and SORT_COLUMNS[sort][0].name in self.numbers:
            spec, descending = SORT_COLUMNS[sort]
            key = _sort_key(self.numbers[spec.name], descending)  # whole numbers and dates; blanks last either way
        else:
            raise KeyError(sort)
        order = _sorted_by(key, self.orders["name"]).astype(np.int32)
        order.setflags(write=False)
        return order

    def _build_words(self, *texts) -> None:
        """The prefix index: sorted distinct words, and for each the rows whose texts hold it.

        Each distinct text (names, institutions and cities repeat) is split into words once;
        the (word, row) pairs are then laid out with array operations, grouped by word, in
        arrays of the smallest type that holds them (a million pairs at 100,000 programs).
        """
        distinct = list(dict.fromkeys(chain.from_iterable(texts)))
        text_id = {text: i for i, text in enumerate(distinct)}
        per_column = [np.fromiter(map(text_id.__getitem__, column), dtype=np.int32, count=self.size)
                      for column in texts]
        del text_id
        text_words = [sorted(set(found)) for found in _words_all(distinct)]
        self.words = sorted({w for found in text_words for w in found})
        word_id = {w: i for i, w in enumerate(self.words)}
        small = np.uint16 if len(self.words) <= np.iinfo(np.uint16).max else np.int32
        counts = np.fromiter((len(found) for found in text_words), dtype=np.int64, count=len(distinct))
        flat = np.fromiter((word_id[w] for found in text_words for w in found), dtype=small, count=int(counts.sum()))
        del text_words, word_id
        starts = np.cumsum(counts) - counts
        total = sum(int(counts[ids].sum()) for ids in per_column)
        pair_words, pair_rows = np.empty(total, dtype=small), np.empty(total, dtype=np.int32)
        at = 0
        for ids in per_column:
            row_counts = counts[ids]
            row_total = int(row_counts.sum())
            # The pairs of this column: each row's words, row after row.
            within = np.arange(row_total, dtype=np.int64) - np.repeat(np.cumsum(row_counts) - row_counts, row_counts)
            pair_words[at:at + row_total] = flat[np.repeat(starts[ids], row_counts) + within]
            del within
            pair_rows[at:at + row_total] = np.repeat(np.arange(self.size, dtype=np.int32), row_counts)
            at += row_total
        offsets = np.zeros(len(self.words) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(pair_words, minlength=len(self.words)))
        self.word_offsets = offsets
        # A stable sort of small integers is a radix sort: linear in the number of pairs.
        order = np.argsort(pair_words, kind="stable")
        del pair_words
        self.word_rows = pair_rows[order]

    # Storing and loading ----------------------------------------------------

    def to_bytes(self) -> bytes:
        """The index as one buffer for `from_bytes` (`stored_parts` joined)."""
        return b"".join(self.stored_parts())

    def stored_parts(self) -> list:
        """The buffer of `to_bytes` as its parts, in order (the arrays' own memory, nothing
        copied: a store writes them one after another): a JSON header, then the arrays' raw
        bytes (never pickle). The header gives each array's dtype, shape and place in the buffer,
        and the plain values; an array that is also another attribute (`state` is
        `codes["state"]`) is stored once and named twice.

        Every attribute is stored: an array, a dict of arrays, a list of words or a plain
        value. Any other kind of attribute is refused here, so a new one cannot be lost on
        the way (tests/test_finder_index.py stores and loads every kind of index).
        """
        arrays, plain = {}, {}
        for name, value in vars(self).items():
            if name in _DERIVED:
                continue
            if isinstance(value, np.ndarray):
                arrays[name] = value
            elif isinstance(value, dict) and value and all(isinstance(v, np.ndarray) for v in value.values()):
                arrays.update({f"{name}{_KEY}{key}": array for key, array in value.items()})
            elif name == "words":
                arrays[name] = np.frombuffer("\n".join(value).encode(), dtype=np.uint8)
            elif name == "features":
                plain[name] = [list(vars(f).values()) for f in value]
            elif isinstance(value, (int, str, float, bool)) or value is None:
                plain[name] = value
            else:
                raise TypeError(f"ProgramIndex.{name} ({type(value).__name__}) has no stored form; add one in to_bytes")
        return _packed_parts(arrays, {"format": _FORMAT, "plain": plain})

    def layout(self) -> dict[str, str]:
        """What `to_bytes` stores, attribute by attribute: kind and dtype, not the values."""
        def kind(value) -> str:
            if isinstance(value, np.ndarray):
                return f"array {value.dtype} {value.ndim}"
            if isinstance(value, dict):
                return "dict " + " ".join(sorted(f"{key}:{kind(item)}" for key, item in value.items()))
            return type(value).__name__
        return {name: kind(value) for name, value in vars(self).items() if name not in _DERIVED} | {"_format": _FORMAT}

    @classmethod
    def from_bytes(cls, data: bytes) -> ProgramIndex:
        """The index that `to_bytes` gave `data`: its arrays are read-only views of `data`
        (nothing copied). ValueError if `data` is not a stored index of this code's format
        (one stored by an older release, or damaged); see `_unpack_arrays`."""
        arrays, header = _unpack_arrays(data)
        try:
            return cls._from_parts(arrays, header)
        except (KeyError, TypeError, AttributeError, IndexError) as error:  # a header of this format, damaged
            raise ValueError(f"the stored finder index's header is damaged ({error!r})") from error

    @classmethod
    def _from_parts(cls, arrays: dict, header: dict) -> ProgramIndex:
        index = cls.__new__(cls)
        for key, plain in header["plain"].items():
            setattr(index, key, plain)
        for name, value in arrays.items():
            if name == "words":
                text = value.tobytes().decode()
                index.words = text.split("\n") if text else []
            elif _KEY in name:
                group, key = name.split(_KEY, 1)
                getattr(index, group, None) or setattr(index, group, {})
                getattr(index, group)[key] = value
            else:
                setattr(index, name, value)
        index._set_features([FeatureInfo(*f) for f in index.features])
        if isinstance(getattr(index, "orders", None), dict):
            index.orders = _Orders(index.orders, index._sort_order)
        if hasattr(index, "feature_bits"):  # else another release's layout, which callers refuse
            index.has_feature = _unpacked(index.feature_bits, index.size)
        return index

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
            masks["region"] = _chosen(self.region, REGION_CODES, query.region)
        for parameter, (how, spec) in COLUMN_FILTERS.items():
            value = getattr(query, parameter)
            if not is_set(value):
                continue
            if how == "any_of" and parameter == "visa":
                masks[parameter] = np.logical_or.reduce([self.visa[v] for v in value])
            elif how == "any_of":
                masks[parameter] = _chosen(self.codes[parameter], choice_codes(parameter), value)
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
        row = self.feature_row.get((kind, slug))
        if row is None:
            return np.zeros(self.size, dtype=bool)
        return self.has_feature[row]

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
        met, fit_order = self._wishes_met(wishes) if wishes else (None, None)
        if query.sort == "fit" and met is not None:
            order = fit_order  # most wishes met first, then name order (the tie-break)
        elif query.sort == "distance" and query.near:
            order = self.distance_order(query.near)
        else:
            order = self.orders.get(query.sort, self.orders["name"])
        start = (query.page - 1) * query.per_page
        count, page_rows = _page(order, matching, start, start + query.per_page)
        ids = self.ids[page_rows].tolist()
        result = Result(count, ids, matching=matching)
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

    def _wishes_met(self, wishes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """How many of `wishes` each program meets, and every row by that, most first, ties in
        name order: worked out once for the last few sets of wishes asked for (per index)."""
        key = frozenset(wishes)
        cache = self.__dict__.setdefault("_wish_orders", {})
        found = cache.get(key)
        if found is None:
            met = np.sum([self.wish_column(w) for w in key], axis=0, dtype=np.int16)
            by_name = self.orders["name"]
            order = by_name[np.argsort(-met[by_name], kind="stable")]
            met.setflags(write=False)
            order.setflags(write=False)
            if len(cache) >= 16:
                cache.pop(next(iter(cache)), None)
            found = cache[key] = (met, order)
        return found

    def _facets(self, masks, matching) -> dict[str, dict[str, int]]:
        """For each option: how many programs match if it is ticked along with the other filters.

        A one-of-these group (type, state, region, visa, intern year, interview format) is counted
        without its own filter (ticking one more of its options widens it); features and the
        yes-only flags are counted with the option added to everything else.

        Every option is a row of packed bits (`_facet_table`, once per index); all of them are
        AND-ed with the packed match mask and counted in one pass, then the rows of each group
        with a filter of its own again, with that group's filter left out.
        """
        table = self._facet_table()
        counts = table.counts(slice(None), matching)
        for name, (start, stop) in table.spans.items():
            if name in masks and name in table.widened:
                counts[start:stop] = table.counts(slice(start, stop), self._combine(masks, skip=name))
        values = counts.tolist()
        return {name: dict(zip(table.keys[name], values[start:stop])) for name, (start, stop) in table.spans.items()}

    def _facet_table(self) -> FacetTable:
        """The options of every facet as rows of packed bits, worked out once per index (per process)."""
        found = getattr(self, "_facet_rows", None)
        if found is None:
            rows, spans, keys = [], {}, {}

            def add(name: str, option_keys: list[str], option_rows) -> None:
                spans[name] = (len(rows), len(rows) + len(option_keys))
                keys[name] = option_keys
                rows.extend(option_rows)

            groups = [(name, codes, choice_codes(name)) for name, codes in self.codes.items()]
            for name, column, codes in [*groups, ("region", self.region, REGION_CODES)]:
                add(name, list(codes), (column == i for i in range(len(codes))))
            add("visa", list(self.visa), self.visa.values())
            for name, flag in self.flags.items():
                add(name, ["1"], [flag])
            for kind in FEATURE_KINDS:
                chosen = [i for i, f in enumerate(self.features) if f.kind == kind]
                add(kind, [self.features[i].slug for i in chosen], (self.has_feature[i] for i in chosen))
            matrix = np.array(rows, dtype=bool).reshape(len(rows), self.size)
            widened = frozenset([*self.codes, "region", "visa"])
            found = self._facet_rows = FacetTable(_packed(matrix), spans, keys, widened)
        return found

    def slugs_by_program(self, ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
        """The feature slugs of some programs, by id and kind (sorted)."""
        ids = list(ids)
        result = {program_id: {kind: [] for kind in FEATURE_KINDS} for program_id in ids}
        if ids and self.features:
            features, programs = np.nonzero(self.has_feature[:, self.rows_of(ids)])  # the page's columns only
            for feature, column in zip(features.tolist(), programs.tolist()):
                info = self.features[feature]
                result[ids[column]][info.kind].append(info.slug)
        for by_kind in result.values():
            for slugs in by_kind.values():
                slugs.sort()
        return result


def _sort_key(values: np.ndarray, descending: bool) -> np.ndarray:
    """Non-negative keys that order `values` (with _BLANK) ascending or descending, blanks last."""
    values = values.astype(np.int64)
    blank = values == _BLANK
    present = values[~blank]
    if not len(present):
        return np.zeros(len(values), dtype=np.int64)
    low, high = int(present.min()), int(present.max())
    key = high - values if descending else values - low
    return np.where(blank, high - low + 1, key)


def _sorted_by(key: np.ndarray, order: np.ndarray) -> np.ndarray:
    """`order` (row numbers) stably re-sorted by the non-negative integer `key` of its rows: a
    least-significant-digit radix sort, 16 bits a pass (numpy's stable sort of uint16 is a
    counting sort), so a key of up to 65,535 costs one linear pass."""
    key = np.asarray(key, dtype=np.int64)
    order = np.asarray(order, dtype=np.int64)
    if not len(order):
        return order
    high, shift = int(key.max()), 0
    while True:
        digit = ((key[order] >> shift) & 0xFFFF).astype(np.uint16)
        order = order[np.argsort(digit, kind="stable")]
        shift += 16
        if high >> shift == 0:
            return order


def _packed(rows: np.ndarray) -> np.ndarray:
    """Boolean rows as bits in 64-bit words (zero-padded), for `np.bitwise_count`; written into
    a zeroed buffer rather than padded with np.pad (a copy more, on every request's mask)."""
    words = -(-rows.shape[1] // 64)
    out = np.zeros((rows.shape[0], words * 8), dtype=np.uint8)
    out[:, :-(-rows.shape[1] // 8)] = np.packbits(rows, axis=1)
    return out.view(np.uint64)


def _unpacked(bits: np.ndarray, size: int) -> np.ndarray:
    """The boolean rows that `_packed` packed (`size` columns)."""
    return np.unpackbits(bits.view(np.uint8), axis=1, count=size).view(bool)


def _page(order: np.ndarray, matching: np.ndarray, start: int, stop: int) -> tuple[int, np.ndarray]:
    """How many rows match, and the matching rows `start:stop` in `order` (every row once).

    A first page of a broad search is among the first few thousand rows of the order: those
    are looked at first (a share expected to hold the page, doubled until it does) rather than
    all of them; a narrow search or a deep page reads the whole order."""
    count = int(np.count_nonzero(matching))
    size = len(order)
    if start >= count:  # past the last match
        return count, order[:0]
    if stop <= count:
        look = int(stop * size / count * 1.5) + 256
        taken, found, at = [], 0, 0
        while look * 4 < size and at < size:
            part = order[at:at + look]
            hits = part[matching[part]]
            taken.append(hits)
            found += len(hits)
            at += look
            if found >= stop:
                return count, np.concatenate(taken)[start:stop]
            look *= 2
        rest = order[at:]
        taken.append(rest[matching[rest]])
        return count, np.concatenate(taken)[start:stop]
    return count, order[matching[order]][start:stop]


class _Orders(dict):
    """Row orders by sort: the stored ones (the dict's own items, all that `to_bytes` and
    `layout` see) and the others, worked out by `work_out` the first time one is asked for
    and kept beside them (per index and process)."""

    def __init__(self, stored: Mapping[str, np.ndarray], work_out: Callable[[str], np.ndarray]):
        super().__init__(stored)
        # A weak reference to the index's method: no cycle, so an index no longer used is freed
        # at once by reference counting, not whenever the cyclic collector next runs.
        self._work_out, self._worked_out = weakref.WeakMethod(work_out), {}

    def __getitem__(self, sort: str) -> np.ndarray:
        if dict.__contains__(self, sort):
            return dict.__getitem__(self, sort)
        found = self._worked_out.get(sort)
        if found is None:
            found = self._worked_out[sort] = self._work_out()(sort)
        return found

    def get(self, sort: str, default=None):
        try:
            return self[sort]
        except KeyError:
            return default


@dataclass(frozen=True)
class FacetTable:
    """Every facet option as a row of packed bits (`bits`); `spans[name]` the rows of a facet,
    `keys[name]` their option values, `widened` the facets counted without their own filter."""

    bits: np.ndarray
    spans: dict[str, tuple[int, int]]
    keys: dict[str, list[str]]
    widened: frozenset[str]
    totals: np.ndarray = field(init=False)  # each row's set bits: its count when every program matches

    def __post_init__(self) -> None:
        object.__setattr__(self, "totals", np.bitwise_count(self.bits).sum(axis=1, dtype=np.int64))

    def counts(self, rows: slice, mask: np.ndarray) -> np.ndarray:
        """For the option rows `rows`: how many programs of `mask` (booleans) each has."""
        if np.all(mask):
            return self.totals[rows].copy()
        return _bit_counts(self.bits[rows], mask)


_scratch = threading.local()  # per thread: _bit_counts' buffers, by shape


def _bit_counts(bits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """For each row of packed `bits`: how many of its set bits `mask` (booleans) has too.
    The AND and the counts go into buffers kept per thread (a fresh megabyte would be
    page-faulted in on every request)."""
    packed = _packed(mask[np.newaxis, :])[0]
    kept = _scratch.__dict__.setdefault("buffers", {})
    anded, counted = kept.get(bits.shape) or kept.setdefault(
        bits.shape, (np.empty(bits.shape, dtype=np.uint64), np.empty(bits.shape, dtype=np.uint8)))
    if len(kept) > 16:  # the shapes of another catalog's tables
        kept.clear()
    np.bitwise_and(bits, packed, out=anded)
    np.bitwise_count(anded, out=counted)
    # Summed as uint32 (a row counts at most one bit per program): half the time of int64.
    return counted.sum(axis=1, dtype=np.uint32).astype(np.int64)


def _fold_all(texts) -> list[str]:
    """`fold` of each text: each distinct text once, plain ASCII (most) by `str.lower`."""
    texts = list(texts)
    folded = {text: text.lower() if text.isascii() else fold(text) for text in dict.fromkeys(texts)}
    return list(map(folded.__getitem__, texts))


def _words_all(texts: list[str]) -> list[list[str]]:
    """`words` of each text (see `_fold_all`)."""
    return [folded_words(folded) for folded in _fold_all(texts)]


def _codes(values, codes: list[str]) -> np.ndarray:
    """Positions in `codes` (-1 for a value not there, such as a blank)."""
    if isinstance(values, _Coded):
        assert values.choices == tuple(codes), (values.choices, codes)
        return np.asarray(values)
    position = defaultdict(lambda: _BLANK, {code: i for i, code in enumerate(codes)})
    return np.fromiter(map(position.__getitem__, values), dtype=np.int16, count=len(values))


def _chosen(column: np.ndarray, codes: list[str], values) -> np.ndarray:
    """Rows whose code is one of `values` (a blank, -1, is none of them): one comparison per
    value, OR-ed. A comparison is a hundredth of a lookup table's gather (`table[column]`,
    about 0.3 ms at 100,000 rows), so it stays ahead for any number of values a request can hold."""
    chosen = sorted({codes.index(v) for v in values})
    mask = column == chosen[0]
    for code in chosen[1:]:
        mask |= column == code
    return mask


def _flags(values) -> np.ndarray:
    """True for a true value; None, 0 and False are no."""
    if isinstance(values, np.ndarray):
        return values.astype(bool)
    return np.array([bool(v) for v in values], dtype=bool)


def _numbers(values) -> np.ndarray:
    """Whole numbers, None as _BLANK."""
    if isinstance(values, np.ndarray):
        return values.astype(np.int32)
    floats = np.array(values, dtype=np.float64)  # None becomes NaN
    return np.where(np.isnan(floats), _BLANK, floats).astype(np.int32)


_EPOCH = date(1970, 1, 1).toordinal()


def _ordinals(values) -> np.ndarray:
    """Dates (or ISO date text, as SQLite's driver hands them) as day numbers, None as _BLANK."""
    if isinstance(values, np.ndarray):
        return values.astype(np.int32)
    values = list(values)
    if isinstance(next((v for v in values if v is not None), None), str):
        days = np.array([v or "NaT" for v in values], dtype="datetime64[D]")
        blank = np.isnat(days)
        numbers = days.astype(np.int64) + _EPOCH
        return np.where(blank, _BLANK, numbers).astype(np.int32)
    return np.array([_BLANK if v is None else v.toordinal() for v in values], dtype=np.int32)


def _plain_columns(connection) -> dict[str, list]:
    """Every INDEX_COLUMNS column as the list of its values in id order, a row at a time."""
    c = programs.c
    rows = _driver_rows(connection, select(*(c[name] for name in INDEX_COLUMNS)).order_by(c.id))
    values = list(zip(*rows)) if rows else [()] * len(INDEX_COLUMNS)
    return {name: list(value) for name, value in zip(INDEX_COLUMNS, values)}


# Reading the catalog in a few values, not a few million -------------------------------
#
# A row-by-row read hands the driver 100,000 rows of two dozen values, each made into a
# Python object: about half a second. Instead the database packs every column the index
# keeps as a number (a choice's position, a flag, a whole number, a date's day number, a
# ZIP code) into a few 63-bit integers per program, and joins those, the ids and each text
# column into one long text per column, in a single scan: one statement, one row, a dozen
# values. numpy reads the numbers back (`np.fromstring`) and unpacks them with shifts.


@dataclass(frozen=True)
class _Field:
    """One column read as a number: `sql` (per dialect) gives 0 for blank, else 1 + the value
    (or 1 + the position of a choice), in `bits` bits."""

    name: str
    kind: str  # "choice", "flag", "whole", "date", "zip"
    bits: int
    choices: tuple[str, ...] = ()
    low: int = 0

    def sql(self, dialect: str) -> str:
        column = self.name
        if self.kind == "choice":  # a CASE: in SQLite a fraction of the cost of finding the value in a text
            cases = " ".join(f"WHEN '{choice}' THEN {i + 1}" for i, choice in enumerate(self.choices))
            return f"CASE {column} {cases} ELSE 0 END"
        if self.kind == "flag":
            return f"coalesce(CAST({column} AS INTEGER) + 1, 0)"
        if self.kind == "whole":
            return f"coalesce({column} - {self.low - 1}, 0)"
        if self.kind == "date":
            if dialect == "postgresql":
                return f"coalesce({column} - DATE '0001-01-01' + 1, 0)"
            return f"coalesce(CAST(julianday({column}) - 1721424.5 AS INTEGER), 0)"
        if dialect == "postgresql":  # zip: five digits, as `places.zip_points` reads them
            return f"CASE WHEN {column} ~ '^[0-9]{{5}}$' THEN CAST({column} AS INTEGER) + 1 ELSE 0 END"
        return f"CASE WHEN {column} GLOB '[0-9][0-9][0-9][0-9][0-9]' THEN CAST({column} AS INTEGER) + 1 ELSE 0 END"

    @property
    def width(self) -> int:
        """How long every value is, for a field read as fixed-width text rather than packed in
        a word (0): ZIP codes, and a choice whose choices are all as long (state, intern year).
        The database then only joins the values (blank as dashes): no CASE, no GLOB per row."""
        if self.kind == "zip":
            return 5
        if self.kind == "choice" and len({len(choice) for choice in self.choices}) == 1:
            return len(self.choices[0])
        return 0

    def fixed_values(self, text: str, count: int):
        """This field's column from the joined text of its `width`-character values, as
        `values` gives it; None (read row by row) unless every value has that width in ASCII."""
        if len(text) != count * self.width or not text.isascii():
            return None
        data = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(count, self.width)
        if self.kind == "zip":  # five digits, as `places.zip_points` reads them; else none
            digits = data.astype(np.int64) - ord("0")
            valid = np.all((digits >= 0) & (digits <= 9), axis=1)
            return _ZipNumbers(np.where(valid, digits @ (10 ** np.arange(4, -1, -1)), -1))
        values = data.view(f"S{self.width}").ravel()
        order = np.argsort(np.array(self.choices, dtype=f"S{self.width}"))
        known = np.array(self.choices, dtype=f"S{self.width}")[order]
        at = np.minimum(np.searchsorted(known, values), len(known) - 1)
        return _Coded(np.where(known[at] == values, order[at], _BLANK), self.choices)

    def values(self, packed: np.ndarray):
        """This field's column from its 0-or-1-plus numbers: choice positions as _codes gives
        them, flags as bools (true only), numbers and day numbers with _BLANK, ZIP codes as
        5-digit text."""
        if self.kind == "choice":
            return _Coded(packed.astype(np.int16) - 1, self.choices)
        if self.kind == "flag":
            return packed == 2
        if self.kind == "zip":
            return _ZipNumbers(packed.astype(np.int64) - 1)
        values = packed.astype(np.int32) + (self.low - 1 if self.kind == "whole" else 0)
        return np.where(packed == 0, _BLANK, values).astype(np.int32)


class _Coded(np.ndarray):
    """A choice column already coded (positions in `choices`, _BLANK for none)."""

    def __new__(cls, codes: np.ndarray, choices: tuple[str, ...]):
        coded = np.asarray(codes, dtype=np.int16).view(cls)
        coded.choices = tuple(choices)
        return coded

    def __array_finalize__(self, obj):
        self.choices = getattr(obj, "choices", ())


class _ZipNumbers(np.ndarray):
    """A ZIP code column as numbers (-1: none, or not five digits)."""

    def __new__(cls, numbers: np.ndarray):
        return np.asarray(numbers, dtype=np.int64).view(cls)


_TEXT_COLUMNS = ("program_code", "name", "institution", "city")
_CODE_ORDER = "rows by program_code"  # a key of the columns `_packed_columns` gives, when checked
_SEPARATOR = "\x1f"  # the unit separator, between the texts of one column


def _fields() -> tuple[_Field, ...]:
    """The number fields of INDEX_COLUMNS, from the column registry."""
    by_name = {column.name: column for column in PROGRAM_COLUMNS}
    fields = []
    for name in INDEX_COLUMNS:
        column = by_name.get(name)
        if name in ("id", *_TEXT_COLUMNS):
            continue
        if name == "region" or column.rule in ("choice", "state"):
            choices = tuple(REGION_CODES if name == "region" else STATE_CODES if column.rule == "state" else column.choices)
            assert all("'" not in choice for choice in choices), name
            bits = int(len(choices) + 1).bit_length()
            fields.append(_Field(name, "choice", bits, choices))
        elif column.rule in ("yes_no", "tri_state"):
            fields.append(_Field(name, "flag", 2))
        elif column.rule == "whole":
            fields.append(_Field(name, "whole", int(column.high - column.low + 2).bit_length(), low=column.low))
        elif column.rule in ("date", "past_date"):
            fields.append(_Field(name, "date", 22))  # day numbers up to 9999-12-31
        elif column.rule == "zip":
            fields.append(_Field(name, "zip", 17))
        else:
            raise AssertionError(f"no packed form for {name} ({column.rule})")
    return tuple(fields)


def _words_of(fields: tuple[_Field, ...]) -> list[list[tuple[_Field, int]]]:
    """The fields laid out in 63-bit words: (field, shift) per word, in order."""
    words, word, used = [], [], 0
    for f in fields:
        if used + f.bits > 63:
            words.append(word)
            word, used = [], 0
        word.append((f, used))
        used += f.bits
    return [*words, word] if word else words


_PACKED_WORDS = _words_of(tuple(f for f in _fields() if not f.width))
_FIXED_FIELDS = tuple(f for f in _fields() if f.width)
assert all(set(choice) != {"-"} for f in _FIXED_FIELDS for choice in f.choices)  # dashes: blank


def _packed_statement(dialect: str) -> str:
    if dialect == "postgresql":
        def joined(expression, separator="','"):
            return f"string_agg(CAST({expression} AS TEXT), {separator})"
        number, separator = "CAST({} AS BIGINT)", "chr(31)"
    else:
        def joined(expression, separator="','"):
            return f"group_concat({expression}, {separator})"
        number, separator = "({})", "char(31)"
    wholes = [f for word in _PACKED_WORDS for f, _ in word if f.kind == "whole"]
    # A value the packed read cannot take as it is: a whole number outside its bits, or a
    # fixed-width text of another length (two of them could cancel out in the joined text's
    # length, shifting every value between them).
    outside = " OR ".join(
        [f"{f.name} NOT BETWEEN {f.low} AND {f.low + (1 << f.bits) - 2}" for f in wholes]
        + [f"length(coalesce({f.name}, '{'-' * f.width}')) <> {f.width}" for f in _FIXED_FIELDS]
    ) or "0 = 1"
    parts = [f"sum(CASE WHEN {outside} THEN 1 ELSE 0 END)", joined("id")]
    for word in _PACKED_WORDS:
        parts.append(joined(" | ".join(f"({number.format(f.sql(dialect))} << {shift})" for f, shift in word)))
    parts += [joined(f"coalesce({f.name}, '{'-' * f.width}')", "''") for f in _FIXED_FIELDS]
    parts += [joined(f"coalesce({name}, '')", separator) for name in _TEXT_COLUMNS]
    if dialect == "postgresql":
        by_code = "(SELECT string_agg(CAST(id AS TEXT), ',' ORDER BY program_code COLLATE \"C\") FROM programs)"
    else:  # SQLite aggregates in the subquery's order (its unique index on program_code); checked
        by_code = "(SELECT group_concat(id, ',') FROM (SELECT id FROM programs ORDER BY program_code))"
    return f"SELECT count(*), {', '.join(parts)}, {by_code} FROM programs"


def _packed_columns(connection) -> dict | None:
    """INDEX_COLUMNS as `_plain_columns` gives them, read in one scan (see above): numbers as
    arrays, texts as lists; None (read them row by row) when a text holds the separator or a
    number does not fit its bits."""
    values = list(_driver_rows(connection, sql_text(_packed_statement(connection.dialect.name)))[0])
    count, outside = values[0], values[1]
    if not count:
        return {name: [] for name in INDEX_COLUMNS}
    if outside:  # a whole number outside its range, a text not of its width (never written by the loader)
        return None
    # Each value of the row is let go of once parsed (`_taken`): the texts are most of the
    # build's peak memory, and a text's split parts would otherwise live beside the text.
    ids = np.fromstring(_taken(values, 2), dtype=np.int64, sep=",")
    order = None if np.all(ids[1:] > ids[:-1]) else np.argsort(ids, kind="stable")
    columns = {"id": ids if order is None else ids[order]}
    for at, word in enumerate(_PACKED_WORDS, start=3):
        numbers = np.fromstring(_taken(values, at), dtype=np.int64, sep=",")
        if order is not None:
            numbers = numbers[order]
        for f, shift in word:
            columns[f.name] = f.values((numbers >> shift) & ((1 << f.bits) - 1))
    for at, f in enumerate(_FIXED_FIELDS, start=3 + len(_PACKED_WORDS)):
        found = f.fixed_values(_taken(values, at), count)
        if found is None:  # a value not of its field's width
            return None
        columns[f.name] = found if order is None else found[order]
    for at, name in enumerate(_TEXT_COLUMNS, start=3 + len(_PACKED_WORDS) + len(_FIXED_FIELDS)):
        texts = _taken(values, at).split(_SEPARATOR)
        if len(texts) != count:  # a text holds the separator
            return None
        columns[name] = texts if order is None else [texts[i] for i in order.tolist()]
    by_code = _taken(values, len(values) - 1)
    code_order = np.searchsorted(columns["id"], np.fromstring(by_code, dtype=np.int64, sep=","))
    del by_code
    codes = columns["program_code"]
    in_order = [codes[row] for row in code_order.tolist()]
    if len(code_order) == count and all(map(operator.lt, in_order, islice(in_order, 1, None))):
        columns[_CODE_ORDER] = code_order
    return columns


def _reusable_places(connection, index: ProgramIndex) -> dict[str, np.ndarray] | None:
    """The map's places stored with the newest stored index, if they are `index`'s: that index
    has this code's format and `places_version`, and the same programs (ids) at the same
    latitudes and longitudes. Only those arrays are read (a few MB of the stored bytes)."""
    newest = connection.execute(select(func.max(finder_index.c.version))).scalar()
    if newest is None:
        return None
    read = functools.partial(_stored_ranges, connection, newest)
    try:
        (start,) = read([(0, len(_MAGIC) + 4)])
        if not start.startswith(_MAGIC):
            return None
        base = len(_MAGIC) + 4 + int.from_bytes(start[len(_MAGIC):], "little")
        header = _unpack_arrays(read([(0, base)])[0], arrays=False)[1]
        if header["plain"].get("places_version") != index.places_version:
            return None
        wanted = [e for e in header["arrays"]
                  if e["name"] in ("ids", "latitude", "longitude") or e["name"].startswith(f"map_places{_KEY}")]
        if any("same_as" in e for e in wanted):  # an array stored as another's: not read in parts here
            return None
        parts = read([(base + e["at"], e["bytes"]) for e in wanted])
        found = {name: array for entry, part in zip(wanted, parts)
                 for name, array in _arrays_in(part, 0, [entry | {"at": 0}])}
    except (ValueError, KeyError, TypeError, AttributeError):  # not this code's, or damaged
        return None
    for name in ("ids", "latitude", "longitude"):
        mine = getattr(index, name)
        if name not in found or found[name].dtype != mine.dtype or not np.array_equal(found[name], mine, equal_nan=True):
            return None
    stored = {name.split(_KEY, 1)[1]: array for name, array in found.items() if name.startswith(f"map_places{_KEY}")}
    return stored or None


def _stored_ranges(connection, version: int, ranges: list[tuple[int, int]]) -> list[bytes]:
    """Byte ranges (start, length) of the stored index of `version`, read without the rest of
    it: SQLite's incremental blob I/O, PostgreSQL's substr of the (uncompressed, out of line)
    bytea, which fetches only the chunks that hold them. ValueError if the row is gone."""
    data = finder_index.c.data
    if connection.dialect.name == "sqlite":
        rowid = connection.execute(select(literal_column("rowid")).select_from(finder_index)
                                   .where(finder_index.c.version == version)).scalar()
        if rowid is None:
            raise ValueError(f"no stored index of version {version}")
        with connection.connection.driver_connection.blobopen("finder_index", "data", rowid, readonly=True) as blob:
            found = []
            for start, length in ranges:
                blob.seek(start)
                found.append(blob.read(length))
            return found
    row = connection.execute(select(*(func.substr(data, start + 1, length) for start, length in ranges))
                             .where(finder_index.c.version == version), execution_options={BINARY_RESULTS: True}).first()
    if row is None:
        raise ValueError(f"no stored index of version {version}")
    return [bytes(part) for part in row]


def _taken(values: list, at: int):
    """values[at], no longer held by `values`."""
    value, values[at] = values[at], None
    return value


def _links_by_feature(connection) -> dict[int, np.ndarray]:
    """The program ids of each feature. The database packs every (program, feature) pair into
    one number and all of them into one text: a fraction of the time of a row per pair."""
    pf = program_features.c
    span = (connection.execute(select(func.max(pf.feature_id))).scalar() or 0) + 1
    packed = cast(pf.program_id * span + pf.feature_id, String)
    if connection.dialect.name == "postgresql":
        joined = func.string_agg(packed, literal_column("','"))
    else:
        joined = func.group_concat(packed, literal_column("','"))
    values = list(_driver_rows(connection, select(joined).select_from(program_features))[0])
    if not values[0]:
        return {}
    program_ids, feature_ids = np.divmod(np.fromstring(_taken(values, 0), dtype=np.int64, sep=","), span)
    # Small feature ids: numpy's stable sort of uint16 is a counting sort, linear in the links.
    order = np.argsort(feature_ids.astype(np.uint16) if span <= 1 << 16 else feature_ids, kind="stable")
    feature_ids, program_ids = feature_ids[order], program_ids[order]
    del order
    starts = np.flatnonzero(np.concatenate(([True], feature_ids[1:] != feature_ids[:-1])))
    return {int(feature_ids[a]): program_ids[a:b] for a, b in zip(starts, [*starts[1:], len(feature_ids)])}


def _driver_rows(connection, statement) -> list[tuple]:
    """All rows of `statement` as the driver's plain tuples, without SQLAlchemy's per-row work
    (the statement still goes through the engine, so its events see it)."""
    # Only the index's own statements come here; their few values are whole numbers.
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    result = connection.exec_driver_sql(str(compiled))
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


_FORMAT = "5"  # bump when an attribute keeps its name and kind but changes its meaning
# Rebuilt by _set_features and from_bytes (`has_feature` from `feature_bits`: an eighth of
# the bytes); per-process caches (the last origins, the map's layout, the facet table, the
# orders by wishes met).
_DERIVED = ("feature_by_key", "feature_row", "has_feature", "_origins", "_map", "_facet_rows", "_wish_orders")
_KEY = "::"  # between a dict attribute's name and a key, in a stored array's name
# The stored index: MAGIC, the header's length (4 bytes, little-endian), the header (JSON), then
# each array's bytes at an offset that is a multiple of _ALIGN from the start of the buffer.
_MAGIC = b"finder-index\n"
_ALIGN = 64
_lock = threading.Lock()
logger = logging.getLogger(__name__)


def _packed_parts(arrays: Mapping[str, np.ndarray], header: dict) -> list:
    """`arrays` and `header` (plain JSON values) as the parts of one buffer for
    `_unpack_arrays`: bytes, and each array's memory as bytes (a view, not a copy); an array
    given under several names (the same object) is stored once."""
    placed, parts, size, first_name = [], [], 0, {}
    for name, array in arrays.items():
        if id(array) in first_name:
            placed.append({"name": name, "same_as": first_name[id(array)]})
            continue
        first_name[id(array)] = name
        data = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        placed.append({"name": name, "dtype": array.dtype.str, "shape": list(array.shape), "at": size,
                       "bytes": len(data)})
        parts += [data.data, bytes(-len(data) % _ALIGN)]
        size += len(data) + len(parts[-1])
    text = json.dumps(header | {"arrays": placed}).encode()
    start = len(_MAGIC) + 4 + len(text)
    text += b" " * (-start % _ALIGN)  # so the arrays start aligned
    return [_MAGIC, len(text).to_bytes(4, "little"), text, *parts]


def _unpack_arrays(data: bytes, arrays: bool = True) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays (read-only views of `data`, by name) and the header of `_packed_parts`.

    ValueError unless `data` is such a buffer of this code's _FORMAT, every array inside it with
    the size its dtype and shape give: another release's index, or a damaged one, is never read
    as this one. Only plain dtypes are accepted (never an object, so never a pickle)."""
    data = bytes(data) if not isinstance(data, bytes) else data
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 4:
        raise ValueError("not a stored finder index of this format")
    length = int.from_bytes(data[len(_MAGIC):len(_MAGIC) + 4], "little")
    base = len(_MAGIC) + 4 + length
    try:
        header = json.loads(data[len(_MAGIC) + 4:base])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("the stored finder index's header is damaged") from error
    found = header.get("format") if isinstance(header, dict) else None
    if found != _FORMAT:
        raise ValueError(f"a stored finder index of format {found!r}, not {_FORMAT!r}")
    if not arrays:  # the header only (`data` may be the buffer's first bytes)
        return {}, header
    try:
        return {name: array for name, array in _arrays_in(data, base, header["arrays"])}, header
    except (KeyError, TypeError) as error:
        raise ValueError("the stored finder index's header is damaged") from error


def _arrays_in(data: bytes, base: int, entries: list[dict]):
    """(name, array) of each entry of a stored index's header (see `_unpack_arrays`)."""
    arrays = {}
    for entry in entries:
        if "same_as" in entry:
            arrays[entry["name"]] = arrays[entry["same_as"]]
        else:
            dtype, shape = np.dtype(entry["dtype"]), tuple(entry["shape"])
            count = int(np.prod(shape, dtype=np.int64))
            start, stop = base + entry["at"], base + entry["at"] + entry["bytes"]
            if dtype.hasobject or count < 0 or count * dtype.itemsize != entry["bytes"] or entry["at"] < 0 or stop > len(data):
                raise ValueError(f"the stored finder index's array {entry['name']!r} does not fit its buffer")
            arrays[entry["name"]] = np.frombuffer(data, dtype=dtype, count=count, offset=start).reshape(shape)
        yield entry["name"], arrays[entry["name"]]


# An execution option: fetch this statement's results in PostgreSQL's binary format. The text
# format sends a bytea as hex, twice its size, and psycopg then decodes it: about 100 ms of
# CPU for a 20 MB stored index, against a few ms in binary (SQLite hands a blob over as is).
BINARY_RESULTS = "finder_binary_results"


@event.listens_for(Engine, "before_cursor_execute")
def _binary_results(connection, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and context.execution_options.get(BINARY_RESULTS) and hasattr(cursor, "format"):
        from psycopg.pq import Format  # only a psycopg cursor has a settable result format

        cursor.format = Format.BINARY


_VERSION = select(catalog_state.c.version).where(catalog_state.c.id == 1)  # built once: every request reads it


def read_version(connection) -> int:
    return connection.execute(_VERSION).scalar() or 0


# How long a process serves the previous version's index after it first saw a newer catalog
# version whose index is not stored yet, before it builds (and stores) that index itself. The
# change that committed the version publishes its index within seconds (`publish_index`);
# this only matters when that process died in between.
PUBLISH_GRACE = 15.0


@dataclass(frozen=True)
class Served:
    """The index a request uses, and the catalog version the database is at."""

    index: ProgramIndex
    version: int

    @property
    def behind(self) -> bool:
        """The index is of an earlier version: the newest one's is still being built."""
        return self.index.version < self.version


def publish_index(bind) -> ProgramIndex:
    """Build the index of the catalog as it is now, from one read snapshot, and store it.

    Called by every change right after it commits (`catalog.load_catalog`, the admin's delete):
    the build takes no lock, and the store is one short write of its own, so the database's
    write lock is never held for a build. A store that loses to a newer one stores nothing;
    one that cannot get the write lock in time is given up (requests then serve the previous
    version, and build it themselves after PUBLISH_GRACE).
    """
    index = ProgramIndex.load(bind)
    _store(bind, index)
    return index


def _store(bind, index: ProgramIndex, unreadable: bool = False) -> None:
    """Store `index` unless a newer one is stored; with `unreadable`, in place of a stored one
    of its own version too (which this code could not read: another release's format)."""
    parts = index.stored_parts()
    try:
        with engine_of(bind).begin() as connection:
            newest = connection.execute(select(func.max(finder_index.c.version))).scalar()
            if newest is not None and (newest > index.version or (newest == index.version and not unreadable)):
                return
            connection.execute(delete(finder_index).where(finder_index.c.version <= index.version))
            dialect = connection.dialect.name
            if dialect == "sqlite":
                _store_sqlite(connection, index.version, parts)
            elif dialect == "postgresql":
                _store_postgresql(connection, index.version, parts)
            else:
                connection.execute(insert(finder_index).values(version=index.version, data=b"".join(parts)))
    except Exception as error:  # SQLAlchemy's, or the driver's own from the blob or COPY writes
        if not is_lock_conflict(error):
            raise
        logger.warning("The finder index of catalog version %s was not stored: the database stayed locked",
                       index.version)


# The stored index is written a part at a time (`ProgramIndex.stored_parts`), never joined
# into one buffer: the driver would hold the whole buffer and a copy of it (the bound value,
# SQLite's record or libpq's message) while the INSERT runs, which was an import's peak of
# memory (30 MB at 100,000 programs, on top of the index itself).


def _store_sqlite(connection, version: int, parts: list) -> None:
    """Insert a row of the buffer's size, then write its parts into it in place (SQLite's
    incremental blob I/O, in the same transaction)."""
    inserted = connection.execute(sqlite_insert(finder_index).on_conflict_do_nothing()
                                  .values(version=version, data=func.zeroblob(sum(map(len, parts)))))
    if inserted.rowcount:
        rowid = connection.execute(select(literal_column("rowid")).select_from(finder_index)
                                   .where(finder_index.c.version == version)).scalar_one()
        with connection.connection.driver_connection.blobopen("finder_index", "data", rowid) as blob:
            for part in parts:
                blob.write(part)


_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # the binary COPY signature, no flags, no extension
_POSTGRES_EPOCH = datetime(2000, 1, 1)


def _store_postgresql(connection, version: int, parts: list) -> None:
    """COPY the row in PostgreSQL's binary format, the parts streamed as they are (in a
    savepoint: a row of this version stored meanwhile by another process stores nothing,
    as the INSERT's ON CONFLICT DO NOTHING did)."""
    from psycopg.errors import UniqueViolation

    built_at = (utcnow() - _POSTGRES_EPOCH) // timedelta(microseconds=1)
    row = (struct.pack(">hii", 3, 4, version) + struct.pack(">iq", 8, built_at)
           + struct.pack(">i", sum(map(len, parts))))
    try:
        with connection.begin_nested():
            with connection.connection.driver_connection.cursor() as cursor, \
                    cursor.copy("COPY finder_index (version, built_at, data) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(_COPY_HEADER + row)
                for part in parts:
                    copy.write(part)
                copy.write(struct.pack(">h", -1))
    except UniqueViolation:
        return


def stored_index(connection, version: int) -> ProgramIndex | None:
    """The stored index of `version` (or of a newer one, committed since), if there is one
    and it has this code's layout (one stored by an older release of the app has not)."""
    return _newest_stored(connection, newer_than=version - 1)


def _newest_stored(connection, newer_than: int) -> ProgramIndex | None:
    """The newest stored index if its version is above `newer_than` and it has this code's layout."""
    statement = (
        select(finder_index.c.version, finder_index.c.data)
        .where(finder_index.c.version > newer_than)
        .order_by(finder_index.c.version.desc())
        .limit(1)
    )
    row = connection.execute(statement, execution_options={BINARY_RESULTS: True}).first()
    if row is None:
        return None
    try:
        index = ProgramIndex.from_bytes(row.data)
    except ValueError:  # stored by another release of the app (or damaged): built anew
        return None
    return index if index.layout() == _empty_index().layout() else None


@functools.cache
def _empty_index() -> ProgramIndex:
    return ProgramIndex(0, {}, [], [])


def current_index(connection, cache: dict) -> ProgramIndex:
    """The index to answer with now (see `serve_index`)."""
    return serve_index(connection, cache).index


def serve_index(connection, cache: dict, version: int | None = None) -> Served:
    """The index of the catalog's current version, from `cache` or the database, or the
    previous version's while the new one is not stored yet.

    One cheap statement reads the version. When it moved, the process loads the newest stored
    index (one more statement). A change stores its version's index right after it commits,
    so for a moment a request may find the new version without its index: it is answered
    from the previous version (the page says so, `Served.behind`), never made to wait for a
    build. Built here, from one snapshot of the database (a connection of its own, whatever
    `connection` is in), and stored: the index when nothing usable is stored (a database from
    before migration 0008, or an index of another release's layout), or when the newest
    version's index has not appeared for PUBLISH_GRACE seconds. A request never waits for
    another thread's load or build when it has a previous index to answer with. `version`: the
    catalog version when the caller has just read it (`serve_with_rows`), so it is not read again.
    """
    if version is None:
        version = read_version(connection)
    index = cache.get("finder_index")
    if index is not None and index.version >= version:
        return Served(index, version)
    if not _lock.acquire(blocking=index is None):
        return Served(index, version)
    try:
        index = cache.get("finder_index")
        if index is None or index.version < version:
            newer = _newest_stored(connection, newer_than=-1 if index is None else index.version)
            index = newer or index
            if index is None or (index.version < version and _waited_out(cache, version)):
                index = ProgramIndex.load(connection)
                _store(connection, index, unreadable=True)
            cache["finder_index"] = index
    finally:
        _lock.release()
    return Served(index, version)


def _waited_out(cache: dict, version: int) -> bool:
    """Whether this process has seen `version` without its stored index for PUBLISH_GRACE seconds."""
    now = time.monotonic()
    since = cache.get("finder_index_missing")
    if since is None or since[0] != version:
        cache["finder_index_missing"] = since = (version, now)
    return now - since[1] >= PUBLISH_GRACE


class Answer(Protocol):
    """What a request works out from an index: the ids of the rows it shows (`serve_with_rows`)."""

    ids: Sequence[int]


A = TypeVar("A", bound=Answer)


def serve_with_rows(connection, cache: dict, answer: Callable[[ProgramIndex], A],
                    rows: PageRows) -> tuple[Served, A, list]:
    """Answer a request from the index of the catalog's current version in **one** statement
    when nothing changed: the cached index answers first (`answer(index)`, whose `ids` are the
    rows it shows), then one statement reads the catalog version and those rows together
    (`rows`). When the version has moved since the cached index, `serve_index` takes over with
    the version just read (the stored index loaded: statement 2), and the request is answered
    again from it with its rows (statement 3); when the new version's index is not stored yet,
    the answer already made from the previous one stands (`Served.behind`), its rows as they are
    now. The version and the rows come from one statement, so from one snapshot of the database.

    A process without a cached index (its first request) reads the version first, as
    `serve_index` does. Returns the index served, the answer and its rows in the order of its ids.
    """
    index = cache.get("finder_index")
    if index is None:
        served = serve_index(connection, cache)
        answered = answer(served.index)
        return served, answered, rows.read(connection, answered.ids)
    answered = answer(index)
    version, found = rows.read_with_version(connection, answered.ids)
    served = Served(index, version) if version <= index.version else serve_index(connection, cache, version)
    if served.index is not index:
        answered = answer(served.index)
        found = rows.read(connection, answered.ids)
    return served, answered, found


class PageRows:
    """Some columns of the programs of a page, by id, in the ids' order: a statement compiled
    once per database, run through the engine (its events see it) but read as the driver's
    tuples, each value through its column type's own result processor (SQLite's dates and
    flags), as named tuples. SQLAlchemy's Result and Row machinery cost as much as the
    database's work for a page of 25 programs (docs/performance.md).

    The ids go in as one parameter: a PostgreSQL array (`= ANY`), a JSON text on SQLite
    (`IN (SELECT value FROM json_each(?))`); both searched by the primary key.
    `read_with_version` also reads the catalog version, in the same statement (see `serve_with_rows`).
    """

    def __init__(self, columns: Sequence[str]):
        assert "id" in columns and "catalog_version" not in columns
        self.columns = tuple(columns)
        self.row = namedtuple("ProgramRow", self.columns)  # noqa: PYI024 (attribute access, as a Row's)
        self._compiled: dict[tuple[str, bool], tuple[str, list]] = {}

    def _statement(self, dialect, with_version: bool) -> tuple[str, list]:
        key = (dialect.name, with_version)
        if key not in self._compiled:
            if dialect.name == "postgresql":
                condition = programs.c.id == any_(bindparam("ids", type_=ARRAY(Integer)))
            else:
                condition = programs.c.id.in_(select(literal_column("value")).select_from(
                    func.json_each(bindparam("ids", type_=String))))
            selected = [programs.c[name] for name in self.columns]
            if with_version:
                version = (select(func.max(catalog_state.c.version).label("catalog_version"))
                           .where(catalog_state.c.id == literal_column("1")).subquery("catalog_version"))
                # LEFT JOINed to a one-row aggregate: one row even when no program is asked for
                # or found (and NULL, read as 0 as `read_version` does, without the version's row).
                statement = select(version.c.catalog_version, *selected).select_from(
                    version.outerjoin(programs, condition))
            else:
                statement = select(*selected).where(condition)
            processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected]
            self._compiled[key] = (str(statement.compile(dialect=dialect)), processors)
        return self._compiled[key]

    def _execute(self, connection, ids: Sequence[int], with_version: bool) -> tuple[int, list]:
        connection = connection.connection() if isinstance(connection, (Session, scoped_session)) else connection
        dialect = connection.dialect
        sql, processors = self._statement(dialect, with_version)
        value = list(ids) if dialect.name == "postgresql" else json.dumps(list(ids))
        result = connection.exec_driver_sql(sql, {"ids": value} if dialect.paramstyle == "pyformat" else (value,))
        try:
            tuples = result.cursor.fetchall()
        finally:
            result.close()
        at = 1 if with_version else 0
        convert = [(i + at, processor) for i, processor in enumerate(processors) if processor is not None]
        make, id_at = self.row._make, self.columns.index("id") + at
        found = {}
        for values in tuples:
            if values[id_at] is None:  # the version's row without a program
                continue
            if convert:
                values = list(values)
                for i, processor in convert:
                    values[i] = processor(values[i])
            found[values[id_at]] = make(values[at:])
        version = (tuples[0][0] or 0) if with_version and tuples else 0
        return version, [found[i] for i in ids if i in found]

    def read(self, connection, ids: Sequence[int]) -> list:
        """The rows of `ids`, in that order (a program gone meanwhile left out)."""
        return self._execute(connection, ids, False)[1] if ids else []

    def read_with_version(self, connection, ids: Sequence[int]) -> tuple[int, list]:
        """The catalog version, and the rows of `ids`, from one statement."""
        return self._execute(connection, ids, True)
