"""Loading CSV files into the catalog: validate, compare, upsert, all or nothing.

Rows are read, checked and written in chunks inside one transaction, so a
file of any size needs little memory; the first problem stops the writing
(not the checking, every problem is reported) and the transaction is rolled
back at the end. A dry run does the same work and always rolls back.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from sqlalchemy import Connection, Engine, bindparam, delete, func, insert, select, text, update

from .columns import RULE_COLUMNS, STORED_COLUMNS, row_problems
from .csvfile import BrokenRecord, open_text, records
from .institutions import institution_key
from .problems import Invalid, Problem
from .schema import FEATURES, PROGRAMS, RowReader, feature_columns, kind_of_header, program_columns
from .tables import catalog_state, features, program_features, programs, utcnow
from .text import plural
from .vocab import FEATURE_COLUMNS, region_of
from .workbook import is_workbook, workbook_records

CHUNK = 1000
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
) -> LoadResult:
    """Load `sources` in order as one transaction and report what changed.

    Nothing is written when any file has a problem, on a dry run, or when
    `expected_version` is given and the catalog has changed since.
    """
    with engine.connect() as connection, connection.begin() as transaction:
        loader = _Loader(connection, today or date.today(), progress)
        if expected_version is not None and loader.version != expected_version:
            transaction.rollback()
            return LoadResult([], [], applied=False, version=loader.version, stale=True)
        for source in sources:
            loader.load_file(source)
        if prune:
            loader.prune()
        problems = sorted(loader.problems, key=lambda p: (loader.order[p.path], p.line))
        if problems or dry_run:
            transaction.rollback()
            return LoadResult(loader.results, problems, applied=False, version=loader.version)
        version = loader.finish()
    _refresh_statistics(engine, loader.results)
    return LoadResult(loader.results, [], applied=True, version=version)


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
    on SQLite it takes the database's write lock, so loads never interleave.
    """
    connection.execute(update(catalog_state).where(catalog_state.c.id == 1).values(version=catalog_state.c.version))
    return connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one()


def bump_version(connection: Connection) -> int:
    """Record that the catalog changed, and store the finder's index of the new version.

    Every app instance sees the new version on its next request and loads that index
    instead of building its own (finder/programs/search.py).
    """
    from ..programs.search import store_index

    connection.execute(
        update(catalog_state)
        .where(catalog_state.c.id == 1)
        .values(version=catalog_state.c.version + 1, changed_at=utcnow())
    )
    version = connection.execute(select(catalog_state.c.version).where(catalog_state.c.id == 1)).scalar_one()
    store_index(connection, version)
    return version


def read_vocabulary(connection: Connection) -> dict[str, dict[str, int]]:
    """Feature ids by kind and slug."""
    vocabulary: dict[str, dict[str, int]] = {kind: {} for kind in FEATURE_COLUMNS}
    for feature_id, kind, slug in connection.execute(select(features.c.id, features.c.kind, features.c.slug)):
        vocabulary.setdefault(kind, {})[slug] = feature_id
    return vocabulary


def _chunks(iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


class _Loader:
    def __init__(self, connection: Connection, today: date, progress: Progress | None):
        self.connection = connection
        self.today = today
        self.progress = progress
        self.version = lock_catalog(connection)
        self.problems: list[Problem] = []
        self.results: list[FileResult] = []
        self.order: dict[str | None, int] = {}
        # Slugs a programs file may name: those in the database and in earlier files.
        self.known_slugs = {kind: set(slugs) for kind, slugs in read_vocabulary(connection).items()}
        self.seen_keys: dict[str, set] = {}
        self.last_result: dict[str, FileResult] = {}

    def problem(self, path: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(line, column, message, path))

    # -- one file ---------------------------------------------------------

    def load_file(self, source: Source) -> None:
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
        self._read_rows(source.path, reader, rows, result, total)

    def _read_rows(self, path: str, reader: RowReader, rows, result: FileResult, total: int) -> None:
        key_of = _program_key if result.kind == PROGRAMS else _feature_key
        first_line: dict[object, int] = {}
        done = 0
        try:
            for chunk in _chunks(rows, CHUNK):
                read = []
                for line, cells in chunk:
                    values, errors = reader.read(cells)
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
                    self._apply(reader.present, valid, result)
                elif result.kind == FEATURES:
                    for _, values in valid:
                        self.known_slugs.setdefault(values["kind"], set()).add(values["slug"])
                done += len(chunk)
                if self.progress:
                    self.progress(path, done, total)
        except BrokenRecord as error:
            self.problem(path, error.line, "file", error.message)
        self.seen_keys[result.kind].update(first_line)

    def _check_stored_rows(self, path: str, present: frozenset[str], rows: list) -> set[int]:
        """Check the cross-column rules on each row as it will be stored; the lines that break one.

        A column absent from the file counts with its stored value (read for the whole chunk in
        one statement), or for a new program with the blank it will get.
        """
        absent = sorted(RULE_COLUMNS - present)
        stored = self._stored_values([values["program_code"] for _, values, _ in rows if "program_code" in values], absent)
        blanks = {name: _NEW_PROGRAM_BLANKS[name] for name in absent}
        broken = set()
        for line, values, _ in rows:
            row = {**stored.get(values.get("program_code"), blanks), **values}
            for column, message in row_problems(row, present):
                self.problem(path, line, column, message)
                broken.add(line)
        return broken

    def _stored_values(self, codes: list[str], columns: list[str]) -> dict[str, dict]:
        if not columns or not codes:
            return {}
        query = select(programs.c.program_code, *(programs.c[c] for c in columns))
        found = self.connection.execute(query.where(programs.c.program_code.in_(codes)))
        return {row[0]: dict(zip(columns, row[1:])) for row in found}

    def _apply(self, present: frozenset[str], rows: list, result: FileResult) -> None:
        if result.kind == FEATURES:
            self._apply_features(rows, result)
        else:
            self._apply_programs(present, rows, result)

    # -- features ---------------------------------------------------------

    def _apply_features(self, rows: list, result: FileResult) -> None:
        existing = {
            (row.kind, row.slug): row
            for row in self.connection.execute(select(features))
        }
        new, changed = [], []
        for line, values in rows:
            key = (values["kind"], values["slug"])
            self.known_slugs.setdefault(values["kind"], set()).add(values["slug"])
            row = existing.get(key)
            if row is None:
                new.append(values)
                continue
            diffs = [c for c in ("label", "description") if c in values and values[c] != getattr(row, c)]
            if not diffs:
                result.unchanged += 1
                continue
            changed.append({"_id": row.id, **{c: values[c] for c in diffs}})
            for column in diffs:
                self._note_change(result, line, f"{key[0]}:{key[1]}", column, getattr(row, column), values[column])
        if new:
            self.connection.execute(insert(features), [_feature_row(values) for values in new])
            self.__dict__.pop("_feature_ids", None)
        for values in changed:
            feature_id = values.pop("_id")
            self.connection.execute(update(features).where(features.c.id == feature_id).values(**values))
        result.added += len(new)
        result.updated += len(changed)

    # -- programs ---------------------------------------------------------

    def _apply_programs(self, present: frozenset[str], rows: list, result: FileResult) -> None:
        scalars = [c for c in present if c not in _LIST_KINDS and c != "program_code"]
        lists = [c for c in present if c in _LIST_KINDS]
        current = self._current_programs([values["program_code"] for _, values in rows], scalars, lists)
        new, changed = [], []
        for line, values in rows:
            code = values["program_code"]
            old = current.get(code)
            if old is None:
                new.append(values)
                continue
            diffs = [c for c in scalars + lists if values[c] != old[c]]
            if not diffs:
                result.unchanged += 1
                continue
            changed.append((old["id"], values, diffs))
            for column in diffs:
                self._note_change(result, line, code, column, old[column], values[column])
        self._insert_programs(new)
        self._update_programs(changed, scalars)
        result.added += len(new)
        result.updated += len(changed)

    def _current_programs(self, codes: list[str], scalars: list[str], lists: list[str]) -> dict[str, dict]:
        """The stored values of the given programs, for the given columns."""
        query = select(programs.c.id, programs.c.program_code, *(programs.c[c] for c in scalars))
        current = {
            row.program_code: dict(row._mapping)
            for row in self.connection.execute(query.where(programs.c.program_code.in_(codes)))
        }
        if lists:
            by_id = {row["id"]: row for row in current.values()}
            for row in by_id.values():
                row.update({column: set() for column in lists})
            links = (
                select(program_features.c.program_id, features.c.kind, features.c.slug)
                .join(features, features.c.id == program_features.c.feature_id)
                .where(program_features.c.program_id.in_(list(by_id)))
            )
            for program_id, kind, slug in self.connection.execute(links):
                column = FEATURE_COLUMNS.get(kind)
                if column in lists:
                    by_id[program_id][column].add(slug)
        return current

    def _insert_programs(self, rows: list[dict]) -> None:
        if not rows:
            return
        now = utcnow()
        store_date = self._store_date
        stamp = store_date(now)
        stored = []
        for values in rows:
            row = [values.get(c, _NEW_PROGRAM_BLANKS.get(c)) for c in _INSERT_COLUMNS]
            row[_REGION] = region_of(values["state"])
            row[_INSTITUTION_KEY] = institution_key(values["institution"])
            for position in _DATES:
                row[position] = store_date(row[position])
            stored.append((*row, stamp, stamp))
        _insert_rows(self.connection, programs, (*_INSERT_COLUMNS, "created_at", "updated_at"), stored)
        ids = dict(
            self.connection.execute(
                select(programs.c.program_code, programs.c.id).where(
                    programs.c.program_code.in_([values["program_code"] for values in rows])
                )
            ).all()
        )
        self._link([(ids[values["program_code"]], values) for values in rows], list(_LIST_KINDS))

    def _update_programs(self, changed: list, scalars: list[str]) -> None:
        """Rewrite the present columns of changed programs, then their feature links."""
        if not changed:
            return
        now = utcnow()
        rows = []
        for program_id, values, _ in changed:
            row = _program_row({c: values[c] for c in scalars}, now)
            rows.append({"b_id": program_id, **{f"b_{c}": v for c, v in row.items()}})
        columns = [name[2:] for name in rows[0] if name != "b_id"]
        statement = (
            update(programs)
            .where(programs.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        self.connection.execute(statement, rows)
        for column, kind in _LIST_KINDS.items():
            pairs = [(pid, values) for pid, values, diffs in changed if column in diffs]
            if pairs:
                self.connection.execute(
                    delete(program_features).where(
                        program_features.c.program_id.in_([pid for pid, _ in pairs]),
                        program_features.c.feature_id.in_(list(self.feature_ids[kind].values())),
                    )
                )
                self._link(pairs, [column])

    def _link(self, pairs: list, columns: list[str]) -> None:
        ids = self.feature_ids
        links = [
            (program_id, ids[_LIST_KINDS[column]][slug])
            for program_id, values in pairs
            for column in columns
            for slug in values.get(column, ())
        ]
        if links:
            _insert_rows(self.connection, program_features, ("program_id", "feature_id"), links)

    @property
    def _store_date(self) -> Callable:
        """Dates as the database stores them: SQLite keeps ISO text, as SQLAlchemy does."""
        if self.connection.dialect.name == "sqlite":
            return lambda value: None if value is None else str(value)
        return lambda value: value

    @property
    def feature_ids(self) -> dict[str, dict[str, int]]:
        if not hasattr(self, "_feature_ids"):
            self._feature_ids = read_vocabulary(self.connection)
        return self._feature_ids

    def _note_change(self, result: FileResult, line: int, key: str, column: str, old, new) -> None:
        if len(result.changes) < MAX_CHANGES:
            result.changes.append(Change(line, key, column, old, new))

    # -- prune and finish -------------------------------------------------

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
        for chunk in _chunks(gone, CHUNK):
            self.connection.execute(delete(program_features).where(program_features.c.program_id.in_(chunk)))
            self.connection.execute(delete(programs).where(programs.c.id.in_(chunk)))
        self.last_result[PROGRAMS].removed += len(gone)

    def _prune_features(self) -> None:
        keep = self.seen_keys[FEATURES]
        gone = {row.id: row for row in self.connection.execute(select(features)) if (row.kind, row.slug) not in keep}
        if not gone:
            return
        in_use = self.connection.execute(
            select(program_features.c.feature_id, func.count())
            .where(program_features.c.feature_id.in_(list(gone)))
            .group_by(program_features.c.feature_id)
        ).all()
        result = self.last_result[FEATURES]
        for feature_id, count in in_use:
            row = gone[feature_id]
            self.problem(
                result.path, 1, "file",
                f"--prune would remove {row.kind} '{row.slug}', which {plural(count, 'program')} still {'lists' if count == 1 else 'list'}; "
                f"remove it from programs.csv first (or in the same command)",
            )
        if not in_use:
            self.connection.execute(delete(features).where(features.c.id.in_(list(gone))))
            result.removed += len(gone)

    def finish(self) -> int:
        if any(result.changed for result in self.results):
            return bump_version(self.connection)
        return self.version


def _program_key(values: dict) -> object:
    return values.get("program_code")


def _feature_key(values: dict) -> object:
    if "kind" in values and "slug" in values:
        return (values["kind"], values["slug"])
    return None


# What a new program's row holds, in order: the registry's stored columns, then what is derived.
_INSERT_COLUMNS = (*(column.name for column in STORED_COLUMNS), "region", "institution_key")
_REGION = _INSERT_COLUMNS.index("region")
_INSTITUTION_KEY = _INSERT_COLUMNS.index("institution_key")
_DATES = [_INSERT_COLUMNS.index(c.name) for c in STORED_COLUMNS if c.rule in ("date", "past_date")]
_NEW_PROGRAM_BLANKS = {column.name: column.blank for column in STORED_COLUMNS}


def _insert_rows(connection: Connection, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert tuples with the driver's executemany, sparing SQLAlchemy's per-row work.

    On PostgreSQL the rows go through COPY, in the same transaction: psycopg's executemany
    sends one statement per row, several times slower for a large file.
    """
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    connection.exec_driver_sql(statement, rows)


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
