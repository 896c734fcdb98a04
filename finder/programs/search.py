"""The finder's filter engine: an in-memory index of the catalog, with no Flask.

Every finder request (the page, its htmx partial, the JSON API, the pathway counts)
goes through `ProgramIndex`, so they can never disagree. The index holds one numpy
array per filterable column, one boolean row per feature, a prefix index of the
folded words of name, institution and city, and the row order of every sort. A
filter is a boolean mask; facet counts are masks counted once per option. Only the
rows of the page asked for are then read from the database.

The index is rebuilt when the catalog version (bumped by every change) moves, so app
instances sharing one database never serve stale results. Memory: about 150 bytes per
program plus the distinct words (roughly 20 MB at 100,000 programs).
"""

from __future__ import annotations

import bisect
import functools
import io
import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import chain

import numpy as np
from sqlalchemy import String, cast, delete, func, insert, literal_column, select

from ..catalog.tables import catalog_state, features, finder_index, program_features, programs
from ..catalog.text import fold, folded_words, words
from ..catalog.transactions import read_snapshot
from ..catalog.vocab import FEATURE_KINDS, PROGRAM_TYPES, REGIONS, STATES, VISAS_SPONSORED

SORTS = {
    "name": "Name (A to Z)",
    "-name": "Name (Z to A)",
    "state": "State",
    "length": "Shortest first",
    "-length": "Longest first",
    "positions": "Fewest positions first",
    "-positions": "Most positions first",
    "research": "Least research time first",
    "-research": "Most research time first",
    "updated": "Most recently verified first",
}
VISAS = {"j1": "J-1", "h1b": "H-1B"}
TYPE_CODES = list(PROGRAM_TYPES)
STATE_CODES = list(STATES)
REGION_CODES = list(REGIONS)
_BLANK = -1


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
    sort: str = "name"
    page: int = 1
    per_page: int = 25

    def without(self, name: str, value: str | None = None) -> Query:
        """This query with one parameter (or one value of a repeatable one) removed."""
        current = getattr(self, name)
        if isinstance(current, tuple) and value is not None:
            return replace(self, **{name: tuple(v for v in current if v != value)}, page=1)
        blank = {"q": "", "esir": False}.get(name, () if isinstance(current, tuple) else None)
        return replace(self, **{name: blank}, page=1)


# Parameters that filter (sort and paging do not), in the order chips show them.
FILTERS = (
    "q", "type", "state", "region", "esir", "fellowship", "research", "mentorship", "visa",
    "min_positions", "min_research_months", "max_length", "verified_within",
)
OR_GROUPS = ("type", "state", "region", "visa")


def months_before(today: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the end of a shorter month."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_month - date(year, month, 1)).days
    return date(year, month, min(today.day, last_day))


@dataclass
class Result:
    """One page of matches: their ids in order, the total and the facet counts."""

    count: int
    ids: list[int]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FeatureInfo:
    id: int
    kind: str
    slug: str
    label: str
    description: str | None


class ProgramIndex:
    """The catalog of one version, as arrays (see the module docstring)."""

    def __init__(self, version: int, rows: list, links: list, feature_rows: list):
        self.version = version
        self.size = len(rows)
        columns = list(zip(*rows)) if rows else [()] * 14
        (ids, codes, names, institutions, cities, states, regions, types, lengths, positions, esir,
         research_months, visas, verified) = columns
        self.ids = np.array(ids, dtype=np.int64)
        self.type = _codes(types, TYPE_CODES)
        self.state = _codes(states, STATE_CODES)
        self.region = _codes(regions, REGION_CODES)
        self.esir = np.array(esir, dtype=bool)
        self.length = _numbers(lengths)
        self.positions = _numbers(positions)
        self.research_months = _numbers(research_months)
        self.verified = _ordinals(verified)
        visa_codes = _codes(visas, list(VISAS_SPONSORED))
        self.visa = {code: np.isin(visa_codes, [i for i, v in enumerate(VISAS_SPONSORED) if code in VISAS_SPONSORED[v]])
                     for code in VISAS}
        self._set_features([FeatureInfo(*row) for row in feature_rows])
        self.has_feature = self._feature_matrix(links)
        self.feature_bits = _packed(self.has_feature)
        self._build_orders(names, codes)
        self._build_words(names, institutions, cities)

    def _set_features(self, features: list[FeatureInfo]) -> None:
        self.features = features
        self.feature_by_key = {(f.kind, f.slug): f for f in features}
        self.feature_row = {(f.kind, f.slug): i for i, f in enumerate(features)}

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
        c = programs.c
        rows = _driver_rows(connection, select(
            c.id, c.program_code, c.name, c.institution, c.city, c.state, c.region, c.program_type, c.length_years,
            c.positions_per_year, c.esir_available, c.research_months, c.visa_sponsorship, c.data_verified_on,
        ).order_by(c.id))
        links = _links_by_feature(connection)
        feature_rows = connection.execute(
            select(features.c.id, features.c.kind, features.c.slug, features.c.label, features.c.description)
            .order_by(features.c.kind, features.c.label, features.c.slug)
        ).all()
        return cls(version, rows, links, feature_rows)

    # Building ---------------------------------------------------------------

    def _feature_matrix(self, links) -> np.ndarray:
        """One boolean row per feature; `links` is (program_id, feature_id) pairs or, as `load`
        reads them, a mapping of feature id to an array of program ids."""
        matrix = np.zeros((len(self.features), self.size), dtype=bool)
        if not isinstance(links, Mapping):
            pairs = np.fromiter(chain.from_iterable(links), dtype=np.int64, count=2 * len(links)).reshape(-1, 2)
            links = {f.id: pairs[pairs[:, 1] == f.id, 0] for f in self.features}
        for row, feature in enumerate(self.features):
            program_ids = links.get(feature.id)
            if program_ids is not None and len(program_ids):
                matrix[row, self.rows_of(program_ids)] = True
        return matrix

    def _build_orders(self, names, codes) -> None:
        """Every sort's row order; ties go by folded name, then program_code, both ascending."""
        folded = _fold_all(names)
        distinct = sorted(set(folded))
        rank_of = dict(zip(distinct, range(len(distinct))))
        dense = np.fromiter(map(rank_of.__getitem__, folded), dtype=np.int64, count=self.size)
        by_name = np.lexsort((np.array(codes, dtype=str), dense)) if self.size else np.zeros(0, dtype=np.int64)
        name_rank = np.empty(self.size, dtype=np.int64)
        name_rank[by_name] = np.arange(self.size)
        self.name_rank = name_rank
        self.orders = {"name": by_name.astype(np.int64)}
        self.orders["-name"] = np.lexsort((name_rank, -dense))
        self.orders["state"] = np.lexsort((name_rank, self.state))
        for sort, column in (("length", self.length), ("positions", self.positions),
                             ("research", self.research_months)):
            blank = column == _BLANK
            self.orders[sort] = np.lexsort((name_rank, column, blank))
            self.orders["-" + sort] = np.lexsort((name_rank, -column, blank))
        self.orders["updated"] = np.lexsort((name_rank, -self.verified, self.verified == _BLANK))

    def _build_words(self, *texts) -> None:
        """The prefix index: sorted distinct words, and for each the rows whose texts hold it.

        Each distinct text (names, institutions and cities repeat) is split into words once;
        the (word, row) pairs are then laid out with array operations, grouped by word.
        """
        distinct = list(dict.fromkeys(chain.from_iterable(texts)))
        text_id = {text: i for i, text in enumerate(distinct)}
        per_column = [np.fromiter(map(text_id.__getitem__, column), dtype=np.int64, count=self.size)
                      for column in texts]
        text_words = [sorted(set(found)) for found in _words_all(distinct)]
        self.words = sorted({w for found in text_words for w in found})
        word_id = {w: i for i, w in enumerate(self.words)}
        counts = np.fromiter((len(found) for found in text_words), dtype=np.int64, count=len(distinct))
        flat = np.fromiter((word_id[w] for found in text_words for w in found), dtype=np.int64, count=int(counts.sum()))
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(distinct) else counts
        pair_words, pair_rows = [], []
        for ids in per_column:
            row_counts = counts[ids]
            total = int(row_counts.sum())
            row_starts = np.cumsum(row_counts) - row_counts
            within = np.arange(total) - np.repeat(row_starts, row_counts)
            pair_words.append(flat[np.repeat(starts[ids], row_counts) + within])
            pair_rows.append(np.repeat(np.arange(self.size, dtype=np.int32), row_counts))
        pair_words = np.concatenate(pair_words) if pair_words else np.zeros(0, dtype=np.int64)
        pair_rows = np.concatenate(pair_rows) if pair_rows else np.zeros(0, dtype=np.int32)
        # A stable sort of small integers is a radix sort: linear in the number of pairs.
        small = np.uint16 if len(self.words) <= np.iinfo(np.uint16).max else np.int32
        order = np.argsort(pair_words.astype(small), kind="stable")
        self.word_rows = pair_rows[order]
        offsets = np.zeros(len(self.words) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(pair_words, minlength=len(self.words)))
        self.word_offsets = offsets

    # Storing and loading ----------------------------------------------------

    def to_bytes(self) -> bytes:
        """The index as one .npz file (numpy arrays and JSON, never pickle), for `from_bytes`.

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
        arrays["_plain"] = np.frombuffer(json.dumps(plain).encode(), dtype=np.uint8)
        out = io.BytesIO()
        np.savez(out, allow_pickle=False, **arrays)
        return out.getvalue()

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
        index = cls.__new__(cls)
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            for name in stored.files:
                value = stored[name]
                if name == "_plain":
                    for key, plain in json.loads(value.tobytes()).items():
                        setattr(index, key, plain)
                elif name == "words":
                    text = value.tobytes().decode()
                    index.words = text.split("\n") if text else []
                elif _KEY in name:
                    group, key = name.split(_KEY, 1)
                    getattr(index, group, None) or setattr(index, group, {})
                    getattr(index, group)[key] = value
                else:
                    setattr(index, name, value)
        index._set_features([FeatureInfo(*f) for f in index.features])
        return index

    def rows_of(self, ids) -> np.ndarray:
        """Array positions of program ids (all known to the index)."""
        return np.searchsorted(self.ids, np.asarray(ids, dtype=np.int64))

    # Filtering --------------------------------------------------------------

    def masks(self, query: Query, today: date) -> dict[str, np.ndarray]:
        """One boolean mask per active filter parameter of `query`."""
        masks = {}
        if query.q:
            masks["q"] = self._keyword_mask(query.q)
        for name, column, codes in (("type", self.type, TYPE_CODES), ("state", self.state, STATE_CODES),
                                    ("region", self.region, REGION_CODES)):
            if getattr(query, name):
                chosen = np.zeros(len(codes), dtype=bool)  # a lookup table: faster than np.isin
                chosen[[codes.index(v) for v in getattr(query, name)]] = True
                masks[name] = chosen[column]
        if query.esir:
            masks["esir"] = self.esir
        for kind in FEATURE_KINDS:
            slugs = getattr(query, kind)
            if slugs:
                masks[kind] = np.logical_and.reduce([self.feature_column(kind, slug) for slug in slugs])
        if query.visa:
            masks["visa"] = np.logical_or.reduce([self.visa[v] for v in query.visa])
        if query.min_positions is not None:
            masks["min_positions"] = self.positions >= query.min_positions
        if query.min_research_months is not None:
            masks["min_research_months"] = self.research_months >= query.min_research_months
        if query.max_length is not None:
            masks["max_length"] = (self.length <= query.max_length) & (self.length != _BLANK)
        if query.verified_within is not None:
            masks["verified_within"] = self.verified >= months_before(today, query.verified_within).toordinal()
        return masks

    def feature_column(self, kind: str, slug: str) -> np.ndarray:
        row = self.feature_row.get((kind, slug))
        if row is None:
            return np.zeros(self.size, dtype=bool)
        return self.has_feature[row]

    def _keyword_mask(self, text: str) -> np.ndarray:
        mask = np.ones(self.size, dtype=bool)
        for word in set(words(text)):
            low = bisect.bisect_left(self.words, word)
            high = bisect.bisect_left(self.words, word + "\U0010ffff", lo=low)
            hit = np.zeros(self.size, dtype=bool)
            hit[self.word_rows[self.word_offsets[low]:self.word_offsets[high]]] = True
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
        order = self.orders[query.sort]
        ordered = order[matching[order]]
        start = (query.page - 1) * query.per_page
        page_rows = ordered[start:start + query.per_page]
        result = Result(int(ordered.size), self.ids[page_rows].tolist())
        if facets:
            result.facets = self._facets(masks, matching)
        return result

    def _facets(self, masks, matching) -> dict[str, dict[str, int]]:
        """For each option: how many programs match if it is ticked along with the other filters.

        An OR group is counted without its own filter (ticking one more of its options widens
        it); an AND group and ESIR are counted with the option added to everything else.
        """
        facets = {}
        for name, column, codes in (("type", self.type, TYPE_CODES), ("state", self.state, STATE_CODES),
                                    ("region", self.region, REGION_CODES)):
            base = self._combine(masks, skip=name) if name in masks else matching
            counts = np.bincount(column[base], minlength=len(codes))
            facets[name] = dict(zip(codes, counts.tolist()))
        base = self._combine(masks, skip="visa") if "visa" in masks else matching
        facets["visa"] = {code: int(np.count_nonzero(base & column)) for code, column in self.visa.items()}
        facets["esir"] = {"1": int(np.count_nonzero(matching & self.esir))}
        per_feature = self._feature_counts(matching)
        for kind in FEATURE_KINDS:
            facets[kind] = {f.slug: per_feature[i] for i, f in enumerate(self.features) if f.kind == kind}
        return facets

    def _feature_counts(self, matching: np.ndarray) -> list[int]:
        """How many of the `matching` rows have each feature, all features in one pass: the
        feature rows and the mask as packed bits, AND-ed and counted 64 bits at a time."""
        if not len(self.features):
            return []
        bits = _packed(matching[np.newaxis, :])
        return np.bitwise_count(self.feature_bits & bits).sum(axis=1, dtype=np.int64).tolist()

    def slugs_by_program(self, ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
        """The feature slugs of some programs, by id and kind (sorted)."""
        result = {}
        for program_id, row in zip(ids, self.rows_of(list(ids))):
            by_kind: dict[str, list[str]] = {kind: [] for kind in FEATURE_KINDS}
            for i in np.flatnonzero(self.has_feature[:, row]):
                by_kind[self.features[i].kind].append(self.features[i].slug)
            result[program_id] = {kind: sorted(slugs) for kind, slugs in by_kind.items()}
        return result


def _packed(rows: np.ndarray) -> np.ndarray:
    """Boolean rows as bits in 64-bit words (zero-padded), for `np.bitwise_count`."""
    packed = np.packbits(rows, axis=1)
    padding = -packed.shape[1] % 8
    if padding:
        packed = np.pad(packed, ((0, 0), (0, padding)))
    return packed.view(np.uint64)


def _fold_all(texts) -> list[str]:
    """`fold` of each text: each distinct text once, plain ASCII (most) by `str.lower`."""
    texts = list(texts)
    folded = {text: text.lower() if text.isascii() else fold(text) for text in dict.fromkeys(texts)}
    return list(map(folded.__getitem__, texts))


def _words_all(texts: list[str]) -> list[list[str]]:
    """`words` of each text (see `_fold_all`)."""
    return [folded_words(folded) for folded in _fold_all(texts)]


def _codes(values, codes: list[str]) -> np.ndarray:
    """Positions in `codes` (0 for a value not there, such as a blank)."""
    position = defaultdict(int, {code: i for i, code in enumerate(codes)})
    return np.fromiter(map(position.__getitem__, values), dtype=np.int16, count=len(values))


def _numbers(values) -> np.ndarray:
    """Whole numbers, None as _BLANK."""
    floats = np.array(values, dtype=np.float64)  # None becomes NaN
    return np.where(np.isnan(floats), _BLANK, floats).astype(np.int32)


_EPOCH = date(1970, 1, 1).toordinal()


def _ordinals(values) -> np.ndarray:
    """Dates (or ISO date text, as SQLite's driver hands them) as day numbers, None as _BLANK."""
    values = list(values)
    if isinstance(next((v for v in values if v is not None), None), str):
        days = np.array([v or "NaT" for v in values], dtype="datetime64[D]")
        blank = np.isnat(days)
        numbers = days.astype(np.int64) + _EPOCH
        return np.where(blank, _BLANK, numbers).astype(np.int32)
    return np.array([_BLANK if v is None else v.toordinal() for v in values], dtype=np.int32)


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
    (text,) = _driver_rows(connection, select(joined).select_from(program_features))[0]
    if not text:
        return {}
    program_ids, feature_ids = np.divmod(np.array(text.split(","), dtype=np.int64), span)
    order = np.argsort(feature_ids, kind="stable")
    feature_ids, program_ids = feature_ids[order], program_ids[order]
    starts = np.flatnonzero(np.concatenate(([True], feature_ids[1:] != feature_ids[:-1])))
    return {int(feature_ids[a]): program_ids[a:b] for a, b in zip(starts, [*starts[1:], len(order)])}


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


_FORMAT = "1"  # bump when an attribute keeps its name and kind but changes its meaning
_DERIVED = ("feature_by_key", "feature_row")  # rebuilt from `features` by _set_features
_KEY = "::"  # between a dict attribute's name and a key, in a stored array's name
_lock = threading.Lock()


def read_version(connection) -> int:
    return connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar() or 0


def store_index(connection, version: int) -> ProgramIndex:
    """Build the index of `version` from `connection`'s transaction and store it there.

    Called by the change that bumps the catalog version (`catalog.load.bump_version`), in its
    transaction, so the version and its index commit together; older ones are dropped.
    """
    index = ProgramIndex._read(connection)
    connection.execute(delete(finder_index))
    connection.execute(insert(finder_index).values(version=version, data=index.to_bytes()))
    return index


def stored_index(connection, version: int) -> ProgramIndex | None:
    """The stored index of `version` (or of a newer one, committed since), if there is one
    and it has this code's layout (one stored by an older release of the app has not)."""
    row = connection.execute(
        select(finder_index.c.version, finder_index.c.data).order_by(finder_index.c.version.desc()).limit(1)
    ).first()
    if row is None or row.version < version:
        return None
    index = ProgramIndex.from_bytes(row.data)
    return index if index.layout() == _empty_index().layout() else None


@functools.cache
def _empty_index() -> ProgramIndex:
    return ProgramIndex(0, [], [], [])


def current_index(connection, cache: dict) -> ProgramIndex:
    """The index of the catalog's current version, from `cache`, the database, or built now.

    One cheap statement reads the version. When it moved, the process loads the index the
    change stored with it (one more statement); only a catalog without a stored index (a
    database from before migration 0008, until its next change) is built here, from one
    snapshot of the database (a connection of its own, whatever `connection` is in).
    """
    version = read_version(connection)
    index = cache.get("finder_index")
    if index is not None and index.version >= version:
        return index
    with _lock:
        index = cache.get("finder_index")
        if index is None or index.version < version:
            index = stored_index(connection, version) or ProgramIndex.load(connection)
            cache["finder_index"] = index
    return index
