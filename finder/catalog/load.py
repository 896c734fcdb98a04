"""Loading CSV files into the catalog: validate, compare, upsert, all or nothing.

A load has two phases (see `load_catalog`). Checking reads the files a chunk at a time
against one read snapshot, reports every problem and works out a `Plan` of the changes
(the first problem stops the planning, not the checking). The writing connection's
transaction is open meanwhile: as each chunk is checked its new programs are staged in that
connection's temporary tables (taking no lock) instead of being kept in the plan, so the plan
of a whole file's new rows is never held at once. Writing applies the plan in one short
transaction under the catalog's write lock: every per-row step is prepared before the lock
is taken, and the finder's index of the new version is built after the commit, from a
read snapshot, and stored in a short write of its own. A dry run, the admin preview and a
file with problems end after the first phase: they never take the write lock (a file with
problems rolls back whatever was staged; a dry run and the preview stage nothing).
"""

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, islice, repeat
from operator import itemgetter

from sqlalchemy import Connection, Engine, delete, insert, select, text, update

from .columns import RULE_COLUMNS, STORED_COLUMNS, rows_problems
from .csvfile import BrokenRecord, delimiter_name, open_text, other_delimiter, records
from .institutions import institution_key
from .problems import Invalid, Problem
from .schema import (FEATURE_COLUMN_NAMES, FEATURES, PROGRAM_COLUMN_NAMES, PROGRAMS, RowReader, feature_columns,
                     kind_of_header, program_columns)
from .tables import catalog_state, features, program_features, programs, utcnow
from .text import plural
from .transactions import read_snapshot
from .vocab import FEATURE_COLUMNS, region_of
from .workbook import is_workbook, workbook_records

CHUNK = 1000
KNOWN_COLUMN_NAMES = frozenset(PROGRAM_COLUMN_NAMES) | frozenset(FEATURE_COLUMN_NAMES)
MAX_CHANGES = 2000  # changed fields kept for a preview; the counts are always complete

# A progress callback: (path, records done, lines in the file).
Progress = Callable[[str, int, int], None]

_LIST_KINDS = {column: kind for kind, column in FEATURE_COLUMNS.items()}


@dataclass(frozen=True)
class Source:
    """A file to load: the name to show in messages, and its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True)
class Change:
    """One field of one updated row: its old and its new value."""

    line: int
    key: str
    column: str
    old: object
    new: object


@dataclass
class FileResult:
    path: str
    kind: str | None = None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    changes: list[Change] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, "
            f"unchanged {self.unchanged}, removed {self.removed}"
        )

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass
class LoadResult:
    files: list[FileResult]
    problems: list[Problem]
    applied: bool
    version: int
    stale: bool = False
    written: bool = False  # a change was committed (so the finder's index of `version` is due)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.stale


def load_catalog(
    engine: Engine,
    sources: list[Source],
    *,
    prune: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    expected_version: int | None = None,
    progress: Progress | None = None,
    publish: bool = True,
) -> LoadResult:
    """Load `sources` in order as one transaction and report what changed.

    Two phases. Checking reads one snapshot of the database and works out every change
    without writing, so it takes no lock (on SQLite, no write lock): a dry run, the admin
    preview and a file with problems never block other writers. Writing then takes the
    catalog's write lock only to apply what the check worked out; if the catalog changed
    in between, the files are checked again under the lock.

    Nothing is written when any file has a problem, on a dry run, or when
    `expected_version` is given and the catalog has changed since.

    After a change is committed the finder's index of the new version is built and stored
    (`publish_index`); with `publish=False` the caller does it, once it has let go of what
    it no longer needs (the command-line loader frees the files' bytes first), when the
    result says `written`.
    """
    today = today or date.today()
    if dry_run:  # checked only: no writing connection, nothing staged
        with read_snapshot(engine) as connection:
            plan = check_catalog(connection, sources, prune=prune, today=today, progress=progress)
        if expected_version is not None and plan.version != expected_version:
            return LoadResult([], [], applied=False, version=plan.version, stale=True)
        return LoadResult(plan.results, plan.problems, applied=False, version=plan.version)
    for attempt in range(RECHECKS + 1):
        with engine.connect() as connection, connection.begin() as transaction:
            # Checked against a read snapshot; the new programs staged in this (writing)
            # connection's temporary tables a chunk at a time as they are checked: no lock yet.
            staging = _Staging(connection)
            with read_snapshot(engine) as reading:
                plan = check_catalog(reading, sources, prune=prune, today=today,
                                     progress=None if attempt else progress, staging=staging)
            if not attempt and expected_version is not None and plan.version != expected_version:
                transaction.rollback()
                return LoadResult([], [], applied=False, version=plan.version, stale=True)
            if plan.problems or not plan.changes_anything:
                transaction.rollback()  # whatever was staged goes with it
                ok = not plan.problems
                return LoadResult(plan.results, plan.problems, applied=ok, version=plan.version)
            writes = prepare_writes(plan, connection, staging)  # the rest staged: no lock taken yet
            version = lock_catalog(connection)
            if version == plan.version:
                version = write_prepared(connection, writes)
                break
            if expected_version is not None:
                transaction.rollback()
                return LoadResult([], [], applied=False, version=version, stale=True)
            if attempt == RECHECKS:  # lost the race every time: check under the lock, once
                staging.empty()
                plan = check_catalog(connection, sources, prune=prune, today=today, staging=staging)
                if plan.problems:
                    transaction.rollback()
                    return LoadResult(plan.results, plan.problems, applied=False, version=plan.version)
                if plan.changes_anything:
                    version = write_prepared(connection, prepare_writes(plan, connection, staging))
                break
            transaction.rollback()
        # Another change committed since the check: check (and stage) again, without the lock.
    writes = staging = None  # noqa: F841 (the rows are written: free them before the index is built)
    plan.new_programs, plan.changed_programs = {}, {}
    _refresh_statistics(engine, plan.results)
    if publish:
        from ..programs.search import publish_index

        publish_index(engine)
    return LoadResult(plan.results, [], applied=True, version=version, written=True)


@contextmanager
def collection_paused():
    """Pause Python's cyclic garbage collector while a load allocates a lot.

    The loader makes no reference cycles to speak of; reference counting frees its objects as
    usual. With the collector on, each of its passes over the older generations walks every
    object the load holds (a file's cells, the plan), again and again as they grow: a third of
    a 100,000-program check's time, and as much of the CSV reading's.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# How often a load whose check another change overtook checks again outside the write lock
# before it checks under it (which holds the lock for the whole check).
RECHECKS = 2


# After this many rows changed, PostgreSQL's planner statistics are refreshed at once
# instead of waiting for autovacuum, so the first queries after a big import plan well.
ANALYZE_AFTER_ROWS = 1000


def _refresh_statistics(engine: Engine, results: list[FileResult]) -> None:
    changed = sum(result.added + result.updated + result.removed for result in results)
    if engine.dialect.name != "postgresql" or changed < ANALYZE_AFTER_ROWS:
        return
    with engine.connect() as connection, connection.begin():
        connection.execute(text("ANALYZE programs, features, program_features"))


def lock_catalog(connection: Connection) -> int:
    """Take the catalog's write lock for this transaction; return its version.

    A no-op UPDATE of the single state row: on PostgreSQL it locks the row,
    on SQLite it takes the database's write lock, so writes never interleave.
    """
    connection.execute(update(catalog_state).where(catalog_state.c.id == 1).values(version=catalog_state.c.version))
    return connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one()


def bump_version(connection: Connection) -> int:
    """Record, in the changing transaction, that the catalog changed; return the new version.

    The finder's index of the new version is not built here, under the write lock: the
    change calls `finder.programs.search.publish_index` after it commits (docs/architecture.md).
    """
    connection.execute(
        update(catalog_state)
        .where(catalog_state.c.id == 1)
        .values(version=catalog_state.c.version + 1, changed_at=utcnow())
    )
    return connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one()


def read_vocabulary(connection: Connection) -> dict[str, dict[str, int]]:
    """Feature ids by kind and slug."""
    vocabulary: dict[str, dict[str, int]] = {kind: {} for kind in FEATURE_COLUMNS}
    for feature_id, kind, slug in connection.execute(select(features.c.id, features.c.kind, features.c.slug)):
        vocabulary.setdefault(kind, {})[slug] = feature_id
    return vocabulary


def _until_broken(rows, broken: list) -> Iterator:
    """The records of `rows` up to broken CSV syntax, which is put in `broken` instead of
    raised, so the records before it (in the same chunk too) are still checked."""
    try:
        yield from rows
    except BrokenRecord as error:
        broken.append(error)


def _may_hold_programs(source: Source) -> bool:
    """Whether `source` may be a programs file: anything but a readable CSV file whose header is
    a features file's (a file of neither kind is a problem, and then nothing is written)."""
    if is_workbook(source.path, source.data):
        return True
    try:
        _, header = next(records(open_text(source.data)))
    except (Invalid, StopIteration, BrokenRecord, UnicodeError):
        return True
    return kind_of_header(header) != FEATURES


def _chunks(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass
class Plan:
    """Every change a load makes, worked out by `check_catalog` before anything is written.

    Only rows that change are kept, compactly (a new program as one tuple, an updated one
    as its changed columns); unchanged rows cost nothing. Once a problem is found no more
    changes are kept.
    """

    version: int
    results: list[FileResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_features: dict[tuple[str, str], dict] = field(default_factory=dict)  # (kind, slug) -> row
    changed_features: dict[int, dict] = field(default_factory=dict)  # id -> new values of changed columns
    new_programs: dict[str, tuple] = field(default_factory=dict)  # program_code -> `_new_row`
    changed_programs: dict[int, dict] = field(default_factory=dict)  # id -> new values of changed columns
    removed_programs: list[int] = field(default_factory=list)
    removed_features: list[int] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return any(result.changed for result in self.results)


def check_catalog(connection: Connection, sources: list[Source], *, prune: bool, today: date,
                  progress: Progress | None = None, staging: "_Staging | None" = None) -> Plan:
    """Check `sources` against the database as `connection` sees it; write nothing.

    With `staging`, the new programs of the command's only programs file are staged there a
    chunk at a time, as soon as the chunk is checked, and are not kept in the plan: the plan
    of all of them is never held at once. (When several files may be programs files, a later
    one may change a program an earlier one adds, so the plan keeps them until it is written.)
    Once a problem is found nothing more is staged; the caller then rolls the staging back.
    """
    checker = _Checker(connection, today, progress)
    for index, source in enumerate(sources):
        checker.check_file(source, staging, sources[:index] + sources[index + 1:])
    if prune:
        checker.prune()
    plan = checker.plan
    plan.problems.sort(key=lambda p: (checker.order[p.path], p.line))
    return plan


class _Checker:
    """Phase one: reads the files and the stored rows, and fills a `Plan`."""

    def __init__(self, connection: Connection, today: date, progress: Progress | None):
        self.connection = connection
        self.today = today
        self.progress = progress
        self.plan = Plan(version=read_version(connection))
        self.problems = self.plan.problems
        self.results = self.plan.results
        self.order: dict[str | None, int] = {}
        # Slugs a programs file may name: those in the database and in earlier files.
        self.known_slugs = {kind: set(slugs) for kind, slugs in read_vocabulary(connection).items()}
        self.seen_keys: dict[str, set] = {}
        self.last_result: dict[str, FileResult] = {}
        self.stored_codes: set[str] | None = None  # every program code the database holds, once read
        self.staged: list[_Staging] = []  # where new programs went instead of the plan

    def problem(self, path: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(line, column, message, path))

    # -- one file ---------------------------------------------------------

    def check_file(self, source: Source, staging: "_Staging | None" = None, others: list[Source] = ()) -> None:
        result = FileResult(source.path)
        self.results.append(result)
        self.order.setdefault(source.path, len(self.order))
        try:
            if is_workbook(source.path, source.data):  # the same records as a CSV file's
                rows = workbook_records(source.data)
            else:
                rows = records(open_text(source.data))
        except Invalid as error:
            self.problem(source.path, 1, "file", error.message)
            return
        try:
            _, header = next(rows)
        except StopIteration:
            self.problem(source.path, 1, "file", "the file is empty: it needs at least a header row")
            return
        except BrokenRecord as error:
            self.problem(source.path, error.line, "file", error.message)
            return
        result.kind = kind_of_header(header)
        if result.kind is None and (delimiter := other_delimiter(header, KNOWN_COLUMN_NAMES)):
            self.problem(source.path, 1, "file",
                         f"this file uses {delimiter_name(delimiter)} between columns; save it with commas")
            return
        if result.kind is None:
            self.problem(
                source.path, 1, "file",
                "the header names neither programs.csv columns (program_code, name, ...) "
                "nor features.csv columns (kind, slug, label, description)",
            )
            return
        self.last_result[result.kind] = result
        self.seen_keys.setdefault(result.kind, set())
        columns = feature_columns() if result.kind == FEATURES else program_columns(self.known_slugs, self.today)
        reader = RowReader(columns, header)
        for problem in reader.header_problems:
            self.problem(source.path, problem.line, problem.column, problem.message)
        total = getattr(rows, "lines", None) or source.data.count(b"\n") or 1
        if staging is not None and result.kind == PROGRAMS and not any(map(_may_hold_programs, others)):
            self.staged.append(staging)
        else:
            staging = None
        self._read_rows(source.path, reader, rows, result, total, staging)

    def _read_rows(self, path: str, reader: RowReader, rows, result: FileResult, total: int,
                   staging: "_Staging | None") -> None:
        key_of = _program_key if result.kind == PROGRAMS else _feature_key
        first_line: dict[object, int] = {}
        done = 0
        syntax: list[BrokenRecord] = []  # the records before broken syntax are checked like any others
        for chunk in _chunks(_until_broken(rows, syntax), CHUNK):
            read = []
            for (line, _), (values, errors) in zip(chunk, reader.read_many([cells for _, cells in chunk])):
                for column, message in errors:
                    self.problem(path, line, column, message)
                key = key_of(values)
                if key in first_line:
                    column = "program_code" if result.kind == PROGRAMS else "slug"
                    self.problem(path, line, column, f"duplicate of line {first_line[key]}, which has the same {column}")
                    continue
                if key is not None:
                    first_line[key] = line
                read.append((line, values, not errors))
            if result.kind == PROGRAMS:
                broken = self._check_stored_rows(path, reader.present, read)
                read = [(line, values, ok and line not in broken) for line, values, ok in read]
            valid = [(line, values) for line, values, ok in read if ok]
            if not self.problems:
                self._compare(reader.present, valid, result)
                if staging is not None:  # no later row of the file can refer to these
                    staging.stage(self.plan)
            elif result.kind == FEATURES:
                for _, values in valid:
                    self.known_slugs.setdefault(values["kind"], set()).add(values["slug"])
            done += len(chunk)
            if self.progress:
                self.progress(path, done, total)
        for error in syntax:
            self.problem(path, error.line, "file", error.message)
        self.seen_keys[result.kind].update(first_line)

    def _check_stored_rows(self, path: str, present: frozenset[str], rows: list) -> set[int]:
        """Check the cross-column rules on each row as it will be stored; the lines that break one.

        A column absent from the file counts with its stored value (read for the whole chunk in
        one statement, as earlier files of the command leave it), or for a new program with the
        blank it will get.
        """
        absent = sorted(RULE_COLUMNS - present)
        stored = self._stored_values([values["program_code"] for _, values, _ in rows if "program_code" in values], absent)
        blanks = {name: _NEW_PROGRAM_BLANKS[name] for name in absent}
        if absent:
            as_stored = [{**stored.get(values.get("program_code"), blanks), **values} for _, values, _ in rows]
        else:
            as_stored = [values for _, values, _ in rows]
        broken = set()
        for position, problems in rows_problems(as_stored, present).items():
            line = rows[position][0]
            for column, message in problems:
                self.problem(path, line, column, message)
            broken.add(line)
        return broken

    def _stored_values(self, codes: list[str], columns: list[str]) -> dict[str, dict]:
        if not columns or not codes:
            return {}
        plan = self.plan
        query = select(programs.c.program_code, *(programs.c[c] for c in columns), programs.c.id)
        found = {}
        stored = self._stored(codes)
        for row in self.connection.execute(query.where(programs.c.program_code.in_(stored))) if stored else ():
            changes = plan.changed_programs.get(row[-1], {})
            found[row[0]] = {c: changes.get(c, value) for c, value in zip(columns, row[1:-1])}
        for code in codes:
            if code in plan.new_programs:
                planned = _new_values(plan.new_programs[code])
                found[code] = {c: planned[c] for c in columns}
        return found

    def _compare(self, present: frozenset[str], rows: list, result: FileResult) -> None:
        if result.kind == FEATURES:
            self._compare_features(rows, result)
        else:
            self._compare_programs(present, rows, result)

    # -- features ---------------------------------------------------------

    def _compare_features(self, rows: list, result: FileResult) -> None:
        plan = self.plan
        existing = {(row.kind, row.slug): row._asdict() for row in self.connection.execute(select(features))}
        for row in existing.values():
            row.update(plan.changed_features.get(row["id"], {}))
        for line, values in rows:
            key = (values["kind"], values["slug"])
            self.known_slugs.setdefault(values["kind"], set()).add(values["slug"])
            old = existing.get(key) or plan.new_features.get(key)
            if old is None:
                plan.new_features[key] = _feature_row(values)
                result.added += 1
                continue
            diffs = [c for c in ("label", "description") if c in values and values[c] != old[c]]
            if not diffs:
                result.unchanged += 1
                continue
            changes = {c: values[c] for c in diffs}
            if key in plan.new_features:
                plan.new_features[key].update(changes)
            else:
                plan.changed_features.setdefault(old["id"], {}).update(changes)
            for column in diffs:
                self._note_change(result, line, f"{key[0]}:{key[1]}", column, old[column], values[column])
            result.updated += 1

    # -- programs ---------------------------------------------------------

    def _compare_programs(self, present: frozenset[str], rows: list, result: FileResult) -> None:
        plan = self.plan
        scalars = [c for c in present if c not in _LIST_KINDS and c != "program_code"]
        lists = [c for c in present if c in _LIST_KINDS]
        current = self._current_programs([values["program_code"] for _, values in rows], scalars, lists)
        new_row = _new_row_of_every_column if present >= _EVERY_NEW_COLUMN else _new_row
        for line, values in rows:
            code = values["program_code"]
            old = current.get(code)
            if old is None:
                plan.new_programs[code] = new_row(values)
                result.added += 1
                continue
            diffs = [c for c in scalars + lists if values[c] != old[c]]
            if not diffs:
                result.unchanged += 1
                continue
            if code in plan.new_programs:
                plan.new_programs[code] = _new_row({**old, **values})
            else:
                plan.changed_programs.setdefault(old["id"], {}).update({c: values[c] for c in diffs})
            for column in diffs:
                self._note_change(result, line, code, column, old[column], values[column])
            result.updated += 1

    def _stored(self, codes: list[str]) -> list[str]:
        """Those of `codes` that the database holds (all its codes are read once, in one statement,
        so a chunk of new programs costs no look-up)."""
        if self.stored_codes is None:
            self.stored_codes = set(self.connection.execute(select(programs.c.program_code)).scalars())
        return [code for code in codes if code in self.stored_codes]

    def _current_programs(self, codes: list[str], scalars: list[str], lists: list[str]) -> dict[str, dict]:
        """The values of the given programs, for the given columns, as earlier files left them."""
        query = select(programs.c.id, programs.c.program_code, *(programs.c[c] for c in scalars))
        stored = self._stored(codes)
        current = {
            row.program_code: dict(row._mapping)
            for row in self.connection.execute(query.where(programs.c.program_code.in_(stored)))
        } if stored else {}
        if lists:
            by_id = {row["id"]: row for row in current.values()}
            for row in by_id.values():
                row.update({column: frozenset() for column in lists})
            links = (
                select(program_features.c.program_id, features.c.kind, features.c.slug)
                .join(features, features.c.id == program_features.c.feature_id)
                .where(program_features.c.program_id.in_(list(by_id)))
            )
            found: dict[tuple[int, str], set] = {}
            for program_id, kind, slug in self.connection.execute(links):
                column = FEATURE_COLUMNS.get(kind)
                if column in lists:
                    found.setdefault((program_id, column), set()).add(slug)
            for (program_id, column), slugs in found.items():
                by_id[program_id][column] = frozenset(slugs)
        for row in current.values():
            row.update(self.plan.changed_programs.get(row["id"], {}))
        for code in codes:
            if code in self.plan.new_programs:
                current[code] = _new_values(self.plan.new_programs[code])
        return current

    def _note_change(self, result: FileResult, line: int, key: str, column: str, old, new) -> None:
        if len(result.changes) < MAX_CHANGES:
            result.changes.append(Change(line, key, column, old, new))

    # -- prune ------------------------------------------------------------

    def prune(self) -> None:
        if self.problems:
            return
        if PROGRAMS in self.seen_keys:
            self._prune_programs()
        if FEATURES in self.seen_keys:
            self._prune_features()

    def _prune_programs(self) -> None:
        keep = self.seen_keys[PROGRAMS]
        gone = [pid for pid, code in self.connection.execute(select(programs.c.id, programs.c.program_code)) if code not in keep]
        self.plan.removed_programs = gone
        self.last_result[PROGRAMS].removed += len(gone)

    def _prune_features(self) -> None:
        keep = self.seen_keys[FEATURES]
        gone = {row.id: row for row in self.connection.execute(select(features)) if (row.kind, row.slug) not in keep}
        if not gone:
            return
        result = self.last_result[FEATURES]
        in_use = self._programs_listing(gone)
        for feature_id, count in in_use.items():
            row = gone[feature_id]
            self.problem(
                result.path, 1, "file",
                f"--prune would remove {row.kind} '{row.slug}', which {plural(count, 'program')} still {'lists' if count == 1 else 'list'}; "
                f"remove it from programs.csv first (or in the same command)",
            )
        if not in_use:
            self.plan.removed_features = list(gone)
            result.removed += len(gone)

    def _programs_listing(self, gone: dict) -> dict[int, int]:
        """How many programs list each of these features once the planned changes are made."""
        plan = self.plan
        removed = set(plan.removed_programs)
        counts: dict[int, int] = {}
        stored = select(program_features.c.feature_id, program_features.c.program_id).where(
            program_features.c.feature_id.in_(list(gone))
        )
        for feature_id, program_id in self.connection.execute(stored):
            column = FEATURE_COLUMNS[gone[feature_id].kind]
            if program_id not in removed and column not in plan.changed_programs.get(program_id, {}):
                counts[feature_id] = counts.get(feature_id, 0) + 1
        staged: dict[tuple[str, str], int] = {}
        for staging in self.staged:
            for key, count in staging.link_counts().items():
                staged[key] = staged.get(key, 0) + count
        for feature_id, row in gone.items():
            column = FEATURE_COLUMNS[row.kind]
            position = _NEW_COLUMNS.index(column)
            listing = staged.get((row.kind, row.slug), 0)
            listing += sum(1 for new in plan.new_programs.values() if row.slug in new[position])
            listing += sum(1 for changes in plan.changed_programs.values() if row.slug in changes.get(column, ()))
            if listing:
                counts[feature_id] = counts.get(feature_id, 0) + listing
        return counts


def read_version(connection: Connection) -> int:
    return connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one()


# -- phase two: writing ---------------------------------------------------------
#
# Everything done per row is done before the write lock is taken (during the check, a chunk at
# a time, `check_catalog(staging=...)`; what the plan still holds in `prepare_writes`): the rows
# as they will be stored and the feature links as (program code, kind, slug) are put into
# temporary tables of the writing connection (SQLite: `executemany`; PostgreSQL: COPY), the
# updates grouped by the columns they set, each as one JSON text. A temporary table is the
# connection's own: filling it takes no lock on the catalog's tables (on SQLite, not the
# database's write lock either). Under the lock (`write_prepared`) only a few statements run,
# each applying many rows in the database: new programs as one INSERT ... SELECT from their
# table, their links as one INSERT ... SELECT that joins it to programs and features (the
# database looks the ids up by program code and by kind and slug). One statement is one call
# into the database, so a writer never hands the interpreter lock back and forth with the
# app's other threads once per row (with busy reader threads, those hand-overs made a
# 5,000-row load hold SQLite's write lock for seconds). The finder's index of the new version
# is built after the commit (`finder.programs.search.publish_index`).

STAGED_PROGRAMS = "staged_programs"
STAGED_LINKS = "staged_links"
STAGE_CHUNK = 5000  # planned rows turned into stored rows (and freed from the plan) at a time
# SQLite: links staged this many to an INSERT statement, in half the time of one to a statement
# (a link's three short values cost less than the statement's step; a program's row gains nothing).
LINKS_PER_INSERT = 200


@dataclass
class Writes:
    """A `Plan` as the statements that apply it, worked out (and new rows staged) before the lock."""

    new_features: list[dict]
    changed_features: list[tuple[int, dict]]
    new_programs: int  # how many are staged in STAGED_PROGRAMS
    new_links: int  # how many are staged in STAGED_LINKS
    updates: list[tuple[tuple[str, ...], str]]  # (columns, JSON [{"id": ..., column: value}, ...])
    relinked: dict[str, list[int]]  # kind -> programs whose links of that kind are replaced
    changed_links: str | None  # JSON [[program_id, kind, slug], ...]
    removed_programs: list[int]
    removed_features: list[int]


def prepare_writes(plan: Plan, connection: Connection, staging: "_Staging | None" = None) -> Writes:
    """Every per-row step of applying `plan`: new programs and their links staged in temporary
    tables of `connection` (in its transaction, before the write lock), the rest worked out.

    `staging` holds what the check already staged (`check_catalog(staging=...)`); the new
    programs still in the plan are staged after those.
    """
    staging = staging or _Staging(connection)
    staging.stage(plan)
    now = staging.now
    groups: dict[tuple[str, ...], list[dict]] = {}
    relinked: dict[str, list[int]] = {}
    changed_links = []
    for program_id, values in plan.changed_programs.items():
        row = _program_row({c: v for c, v in values.items() if c not in _LIST_KINDS}, now)
        groups.setdefault(tuple(sorted(row)), []).append(
            {"id": program_id, **{c: _json_value(v) for c, v in row.items()}}
        )
        for column, kind in _LIST_KINDS.items():
            if column in values:
                relinked.setdefault(kind, []).append(program_id)
                changed_links.extend((program_id, kind, slug) for slug in sorted(values[column]))
    updates = [(columns, json.dumps(group, separators=(",", ":"))) for columns, group in groups.items()]
    return Writes(
        new_features=list(plan.new_features.values()),
        changed_features=list(plan.changed_features.items()),
        new_programs=staging.ordinal,
        new_links=staging.staged_links,
        updates=updates,
        relinked=relinked,
        changed_links=json.dumps(changed_links, separators=(",", ":")) if changed_links else None,
        removed_programs=list(plan.removed_programs),
        removed_features=list(plan.removed_features),
    )


class _Memo(dict):
    """memo[value] is function(value), worked out the first time it is asked for."""

    def __init__(self, function: Callable):
        super().__init__()
        self.function = function

    def __missing__(self, value):
        self[value] = result = self.function(value)
        return result


class _Staging:
    """The temporary tables a load fills before it takes the write lock, made by the first rows
    staged (a load without new programs makes none).

    SQLite: columns without a type, so each value stays as bound (the INSERT into programs
    gives it the column's affinity, as a plain INSERT would), created afresh on each load (a
    pooled connection may still hold the last load's, emptied) and dropped by `write_prepared`.
    PostgreSQL: of the programs table's own column types (so COPY converts each value as it
    would into programs), dropped at the end of the transaction whatever its outcome. An
    `ordinal` column keeps the file's order, so ids are given in it.
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"
        self.now = utcnow()
        self.created = False  # the tables are made by the first rows staged
        self.ordinal = 0  # rows staged
        self.staged_links = 0
        self.store = _json_value if self.sqlite else (lambda value: value)
        # Worked out once per distinct value: a file's institutions, days, states and slug lists recur.
        self.keys, self.days, self.ordered = _Memo(institution_key), _Memo(self.store), _Memo(sorted)
        self.regions = _Memo(region_of)

    def stage(self, plan: Plan) -> None:
        """Stage the plan's new programs and take them out of it.

        In chunks, each staged as soon as it is made, so a whole file's rows are never held
        twice; the plan has no more use for them once staged (a load that must check again
        stages anew).
        """
        planned, plan.new_programs = plan.new_programs, {}
        codes = list(planned)
        stamp = self.store(self.now)
        days, keys, ordered, regions = self.days, self.keys, self.ordered, self.regions
        for start in range(0, len(codes), STAGE_CHUNK):
            chunk = [planned.pop(code) for code in codes[start:start + STAGE_CHUNK]]
            rows, links = [], []
            for ordinal, new in enumerate(chunk, self.ordinal):  # a row as staged: the ordinal first
                row = [ordinal, *new[:_STORED]]
                for position in _STAGED_DATES:
                    row[position] = days[row[position]]
                row += (regions[new[_STATE]], keys[new[_INSTITUTION]], stamp, stamp)
                rows.append(row)
                code = repeat(new[_CODE])
                for kind, slugs in zip(_KINDS, new[_STORED:]):
                    if slugs:
                        links.extend(zip(code, repeat(kind), ordered[slugs]))
            del chunk
            self.programs(rows)
            self.links(links)

    def link_counts(self) -> dict[tuple[str, str], int]:
        """How many staged programs list each (kind, slug)."""
        if not self.staged_links:
            return {}
        query = f"SELECT kind, slug, count(*) FROM {STAGED_LINKS} GROUP BY kind, slug"
        return {(kind, slug): count for kind, slug, count in self.connection.exec_driver_sql(query)}

    def empty(self) -> None:
        """Take every staged row out again (a check under the lock stages anew)."""
        if self.created:
            for table in (STAGED_PROGRAMS, STAGED_LINKS):
                self.connection.exec_driver_sql(f"DELETE FROM {table}")
        self.ordinal = self.staged_links = 0

    def _create(self) -> None:
        connection = self.connection
        self.driver = connection.connection.driver_connection
        self.created = True
        columns = ", ".join(_STAGED_COLUMNS)
        if self.sqlite:
            for table in (STAGED_PROGRAMS, STAGED_LINKS):
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{table}")
            # The ordinal as the rowid: the rows are then read in the file's order, not sorted into it.
            connection.exec_driver_sql(f"CREATE TEMP TABLE {STAGED_PROGRAMS} (ordinal INTEGER PRIMARY KEY, {columns})")
            connection.exec_driver_sql(f"CREATE TEMP TABLE {STAGED_LINKS} (program_code, kind, slug)")
        else:
            # Room to sort the staged rows by ordinal in memory (4 MB by default: a 100,000-row
            # file's 42 MB went to disk), for this transaction only.
            connection.exec_driver_sql("SET LOCAL work_mem = '128MB'")
            connection.exec_driver_sql(
                f"CREATE TEMP TABLE {STAGED_PROGRAMS} ON COMMIT DROP AS "
                f"SELECT 0 AS ordinal, {columns} FROM programs WITH NO DATA")
            connection.exec_driver_sql(
                f"CREATE TEMP TABLE {STAGED_LINKS} (program_code text NOT NULL, kind text NOT NULL, "
                "slug text NOT NULL) ON COMMIT DROP")

    def programs(self, rows: list[list]) -> None:
        """Stage rows of ("ordinal", *_STAGED_COLUMNS), numbered on from the rows staged before."""
        if not rows:
            return
        if not self.created:
            self._create()
        self.ordinal += len(rows)
        self._put(STAGED_PROGRAMS, ("ordinal", *_STAGED_COLUMNS), rows)

    def links(self, links: list[tuple]) -> None:
        if links:
            self._put(STAGED_LINKS, ("program_code", "kind", "slug"), links, per_statement=LINKS_PER_INSERT)
            self.staged_links += len(links)

    def _put(self, table: str, columns: tuple[str, ...], rows: list, per_statement: int = 1) -> None:
        if self.sqlite:
            one = f"({', '.join('?' * len(columns))})"
            several = len(rows) - len(rows) % per_statement
            if several:
                self.driver.executemany(
                    f"INSERT INTO temp.{table} VALUES {', '.join([one] * per_statement)}",
                    [list(chain.from_iterable(rows[start:start + per_statement]))
                     for start in range(0, several, per_statement)])
            if several < len(rows):
                self.driver.executemany(f"INSERT INTO temp.{table} VALUES {one}", rows[several:])
        else:
            with self.driver.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def write_prepared(connection: Connection, writes: Writes) -> int:
    """Apply prepared `Writes` inside the caller's locked transaction; return the new version.

    A fixed number of statements for each kind of change, whatever the number of rows.
    """
    sqlite = connection.dialect.name == "sqlite"
    if writes.new_features:
        connection.execute(insert(features), writes.new_features)
    for feature_id, values in writes.changed_features:
        connection.execute(update(features).where(features.c.id == feature_id).values(**values))
    if writes.new_programs:
        columns = ", ".join(_STAGED_COLUMNS)
        connection.exec_driver_sql(
            f"INSERT INTO programs ({columns}) SELECT {columns} FROM {STAGED_PROGRAMS} ORDER BY ordinal")
    if writes.new_links:
        connection.exec_driver_sql(
            "INSERT INTO program_features (program_id, feature_id) SELECT p.id, f.id "
            f"FROM {STAGED_LINKS} AS s JOIN programs AS p ON p.program_code = s.program_code "
            "JOIN features AS f ON f.kind = s.kind AND f.slug = s.slug")
    if sqlite and writes.new_programs:
        for table in (STAGED_PROGRAMS, STAGED_LINKS):
            connection.exec_driver_sql(f"DROP TABLE temp.{table}")
    for columns, rows in writes.updates:
        if sqlite:
            assignments = ", ".join(f"{c} = json_extract(j.value, '$.{c}')" for c in columns)
            connection.execute(
                text(f"UPDATE programs SET {assignments} FROM json_each(:rows) AS j "
                     "WHERE programs.id = json_extract(j.value, '$.id')"),
                {"rows": rows},
            )
        else:  # the JSON objects as rows of the programs table's type: each value cast to its column's
            assignments = ", ".join(f"{c} = j.{c}" for c in columns)
            connection.execute(
                text(f"UPDATE programs AS p SET {assignments} "
                     "FROM json_populate_recordset(NULL::programs, CAST(:rows AS json)) AS j WHERE p.id = j.id"),
                {"rows": rows},
            )
    for kind, program_ids in writes.relinked.items():
        kind_ids = select(features.c.id).where(features.c.kind == kind).scalar_subquery()
        for chunk in _chunks(program_ids, CHUNK):
            connection.execute(delete(program_features).where(
                program_features.c.program_id.in_(chunk), program_features.c.feature_id.in_(kind_ids)))
    if writes.changed_links:
        _link_by_id(connection, writes.changed_links)
    for chunk in _chunks(writes.removed_programs, CHUNK):
        connection.execute(delete(program_features).where(program_features.c.program_id.in_(chunk)))
        connection.execute(delete(programs).where(programs.c.id.in_(chunk)))
    if writes.removed_features:
        connection.execute(delete(features).where(features.c.id.in_(writes.removed_features)))
    return bump_version(connection)


def _link_by_id(connection: Connection, links: str) -> None:
    """Insert feature links given as JSON [[program id, kind, slug], ...] in one statement;
    the database looks the feature ids up."""
    if connection.dialect.name == "sqlite":
        item = "json_extract(j.value, '$[{}]')".format
        source = "json_each(:links) AS j"
    else:
        item = "(j.value ->> {})".format
        source = "json_array_elements(CAST(:links AS json)) AS j(value)"
    connection.execute(
        text(f"INSERT INTO program_features (program_id, feature_id) SELECT CAST({item(0)} AS INTEGER), f.id "
             f"FROM {source} CROSS JOIN features AS f WHERE f.kind = {item(1)} AND f.slug = {item(2)}"),
        {"links": links},
    )


def _json_value(value):
    """A value as the SQLite JSON statements store it: dates and times as SQLAlchemy's text."""
    return None if value is None else str(value) if isinstance(value, (date, datetime)) else value


def _program_key(values: dict) -> object:
    return values.get("program_code")


def _feature_key(values: dict) -> object:
    if "kind" in values and "slug" in values:
        return (values["kind"], values["slug"])
    return None


# What a new program's row holds, in order: the registry's stored columns, then what is derived.
_INSERT_COLUMNS = (*(column.name for column in STORED_COLUMNS), "region", "institution_key")
# A planned new program (`Plan.new_programs`): its stored columns, then its slug lists.
_NEW_COLUMNS = (*(column.name for column in STORED_COLUMNS), *FEATURE_COLUMNS.values())
_STORED = len(STORED_COLUMNS)
_KINDS = tuple(_LIST_KINDS[column] for column in FEATURE_COLUMNS.values())  # of a planned row's slug lists
_CODE = _NEW_COLUMNS.index("program_code")
_STATE = _NEW_COLUMNS.index("state")
_INSTITUTION = _NEW_COLUMNS.index("institution")
_STAGED_COLUMNS = (*_INSERT_COLUMNS, "created_at", "updated_at")
# Where the dates are in a staged row ("ordinal", *_STAGED_COLUMNS).
_STAGED_DATES = [1 + _STAGED_COLUMNS.index(c.name) for c in STORED_COLUMNS if c.rule in ("date", "past_date")]
# What a new program holds in a column its file leaves out: each column's blank, no features.
_NEW_PROGRAM_BLANKS = {
    **{column.name: column.blank for column in STORED_COLUMNS},
    **{column: frozenset() for column in FEATURE_COLUMNS.values()},
}

_NEW_BLANKS = tuple(_NEW_PROGRAM_BLANKS[c] for c in _NEW_COLUMNS)


def _new_row(values: dict) -> tuple:
    """A new program's validated values as the plan keeps them (blank where the file has none)."""
    return tuple(map(values.get, _NEW_COLUMNS, _NEW_BLANKS))


# The same for a file with every column, whose valid rows have every value.
_new_row_of_every_column = itemgetter(*_NEW_COLUMNS)
_EVERY_NEW_COLUMN = frozenset(_NEW_COLUMNS)


def _new_values(row: tuple) -> dict:
    return dict(zip(_NEW_COLUMNS, row))


def _feature_row(values: dict) -> dict:
    return {
        "kind": values["kind"],
        "slug": values["slug"],
        "label": values["label"],
        "description": values.get("description"),
    }


def _program_row(values: dict, now) -> dict:
    """The stored columns of an updated program from its validated values."""
    row = {c: v for c, v in values.items() if c not in _LIST_KINDS}
    if "state" in row:
        row["region"] = region_of(row["state"])
    if "institution" in row:
        row["institution_key"] = institution_key(row["institution"])
    row["updated_at"] = now
    return row
