"""Editing single programs and measuring data quality. Plain SQLAlchemy, no Flask.

An edit is loaded as a one-row programs.csv through the catalog loader, so a
form obeys exactly the same column rules as an uploaded file. A form carries the
values it was opened with (signed); saving or deleting is refused when the stored
program differs from them by then, so two admins never silently undo each other.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Connection, Engine, and_, case, delete, exists, func, or_, select, true

from ..catalog import LoadResult, Source, bump_version, load_catalog, lock_catalog
from ..catalog.columns import BLANKABLE_COLUMNS
from ..catalog.display import column_label, readable
from ..catalog.export import format_cell
from ..catalog.schema import PROGRAM_COLUMN_NAMES
from ..catalog.tables import catalog_state, features, program_features, programs
from ..catalog.text import guard_formula
from ..catalog.vocab import FEATURE_COLUMNS
from ..programs.search import publish_index

FORM_SOURCE = "form"
# Optional columns whose blanks the dashboard counts (esir_available is never blank: blank = no).
OPTIONAL_COLUMNS = [column.name for column in BLANKABLE_COLUMNS]
_KIND_OF = {column: kind for kind, column in FEATURE_COLUMNS.items()}


def one_row_csv(cells: dict[str, str]) -> bytes:
    """A programs.csv of one row with the columns of `cells` (others stay as stored), guarded as the export guards them."""
    names = [name for name in PROGRAM_COLUMN_NAMES if name in cells]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    writer.writerow([guard_formula(cells[name] or "") for name in names])
    return out.getvalue().encode()


def save_program(engine: Engine, cells: dict[str, str], today: date | None = None,
                 expected_version: int | None = None) -> LoadResult:
    """Validate and upsert one program given as CSV cell texts (problems name the column)."""
    return load_catalog(engine, [Source(FORM_SOURCE, one_row_csv(cells))], today=today,
                        expected_version=expected_version)


def program_cells(record: dict) -> dict[str, str]:
    """A program's values as the CSV would write them (for filling the form)."""
    return {name: format_cell(record.get(name)) for name in PROGRAM_COLUMN_NAMES}


def stored_cells(connection: Connection, code: str) -> dict[str, str] | None:
    """The program's stored values as CSV cell texts, or None when there is no such program."""
    row = connection.execute(select(programs).where(programs.c.program_code == code)).first()
    if row is None:
        return None
    record = dict(row._mapping)
    record.update({column: [] for column in FEATURE_COLUMNS.values()})
    links = (select(features.c.kind, features.c.slug)
             .join(program_features, program_features.c.feature_id == features.c.id)
             .where(program_features.c.program_id == row.id))
    for kind, slug in connection.execute(links):
        record[FEATURE_COLUMNS[kind]].append(slug)
    return program_cells(record)


# -- forms that know what they were opened with ------------------------------------

_SALT = "admin-program-form"


def seal(secret: str, cells: dict[str, str]) -> str:
    """The values a form was opened with, signed, for its hidden field."""
    return URLSafeSerializer(secret, salt=_SALT).dumps(cells)


def unseal(secret: str, token: str | None) -> dict[str, str] | None:
    """The values a form was opened with, or None when the field is missing or was tampered with."""
    try:
        cells = URLSafeSerializer(secret, salt=_SALT).loads(token or "")
    except BadSignature:
        return None
    return cells if isinstance(cells, dict) else None


@dataclass
class FieldChange:
    """One field as people read it: its label, and the value before and after."""

    column: str
    label: str
    old: str
    new: str


@dataclass
class Conflict:
    """The program changed (or went) since the form was opened; nothing was written."""

    changes: list[FieldChange] = field(default_factory=list)
    deleted: bool = False


def field_changes(before: dict[str, str], after: dict[str, str], labels=None) -> list[FieldChange]:
    """The fields whose cell text differs, in column order, as people read them."""
    return [
        FieldChange(name, column_label(name), cell_readable(name, before.get(name, ""), labels),
                    cell_readable(name, after.get(name, ""), labels))
        for name in PROGRAM_COLUMN_NAMES
        if (before.get(name) or "") != (after.get(name) or "")
    ]


def cell_readable(column: str, cell: str, labels=None) -> str:
    """A CSV cell text as people read it (slug lists as their labels)."""
    if column in _KIND_OF:
        return readable(column, [slug for slug in cell.split(";") if slug], labels)
    return readable(column, cell, labels)


def catalog_version(connection: Connection) -> int:
    return connection.scalar(select(catalog_state.c.version).where(catalog_state.c.id == 1))


def save_if_unchanged(engine: Engine, code: str, opened: dict[str, str], cells: dict[str, str],
                      today: date | None = None, attempts: int = 3) -> LoadResult | Conflict:
    """Save the form's cells only if the stored program still has the values the form was opened with.

    The version is read before the program, and the load requires that version: a change
    committed in between makes the load stale, and the check runs again.
    """
    for _ in range(attempts):
        with engine.connect() as connection:
            version = catalog_version(connection)
            current = stored_cells(connection, code)
            labels = feature_labels(connection)
        if current is None:
            return Conflict(deleted=True)
        if changes := field_changes(opened, current, labels):
            return Conflict(changes)
        result = save_program(engine, {**cells, "program_code": code}, today, expected_version=version)
        if not result.stale:
            return result
    return Conflict()


def feature_labels(connection: Connection) -> dict[tuple[str, str], str]:
    return {(kind, slug): label for kind, slug, label in
            connection.execute(select(features.c.kind, features.c.slug, features.c.label))}


def delete_program(engine: Engine, code: str, opened: dict[str, str] | None = None) -> Conflict | dict[str, str] | None:
    """Remove one program (and its feature links) and return the values it had.

    None when there is none; a Conflict (nothing removed) when `opened` is given and the
    stored program differs from it.
    """
    with engine.begin() as connection:
        lock_catalog(connection)
        current = stored_cells(connection, code)
        if current is None:
            return Conflict(deleted=True) if opened is not None else None
        if opened is not None and (changes := field_changes(opened, current, feature_labels(connection))):
            return Conflict(changes)
        program_id = connection.scalar(select(programs.c.id).where(programs.c.program_code == code))
        connection.execute(delete(program_features).where(program_features.c.program_id == program_id))
        connection.execute(delete(programs).where(programs.c.id == program_id))
        bump_version(connection)
    publish_index(engine)
    return current


def stale_before(today: date) -> date:
    """The day 12 months before `today` (29 February goes to 28 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def blank_condition(column: str):
    """Where a program leaves an optional column blank."""
    if column in _KIND_OF:
        has_one = exists().where(
            program_features.c.program_id == programs.c.id,
            program_features.c.feature_id == features.c.id,
            features.c.kind == _KIND_OF[column],
        )
        return ~has_one
    if column not in OPTIONAL_COLUMNS:
        raise KeyError(column)
    return programs.c[column].is_(None)


def stale_condition(today: date):
    return or_(programs.c.data_verified_on.is_(None), programs.c.data_verified_on < stale_before(today))


@dataclass
class Completeness:
    column: str
    label: str
    blank: int
    total: int


def completeness(connection: Connection) -> list[Completeness]:
    total = connection.scalar(select(func.count()).select_from(programs))
    def blanks(column: str) -> int:
        return connection.scalar(select(func.count()).select_from(programs).where(blank_condition(column)))

    return [Completeness(column.name, column.label, blanks(column.name), total) for column in BLANKABLE_COLUMNS]


def count_stale(connection: Connection, today: date) -> int:
    return connection.scalar(select(func.count()).select_from(programs).where(stale_condition(today)))


SORTS = {
    "code": "Program code",
    "name": "Name",
    "verified": "Verified longest ago first",
    "-verified": "Verified most recently first",
}
PER_PAGE = 50


@dataclass
class ProgramPage:
    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_programs(connection: Connection, *, q: str = "", blank: str | None = None, stale_on: date | None = None,
                  sort: str = "code", page: int = 1, per_page: int = PER_PAGE) -> ProgramPage:
    """A page of programs (code, name, institution, verified on): matching `q` in the name or code,
    optionally only those blank in a column or stale, sorted by `sort` (a key of SORTS)."""
    conditions = []
    if q.strip():
        for word in q.split():
            conditions.append(or_(func.lower(programs.c.name).contains(word.lower(), autoescape=True),
                                  func.lower(programs.c.program_code).contains(word.lower(), autoescape=True)))
    if blank:
        conditions.append(blank_condition(blank))
    if stale_on:
        conditions.append(stale_condition(stale_on))
    where = and_(true(), *conditions)
    total = connection.scalar(select(func.count()).select_from(programs).where(where))
    never = case((programs.c.data_verified_on.is_(None), 0), else_=1)
    order = {
        "code": [programs.c.program_code],
        "name": [func.lower(programs.c.name), programs.c.program_code],
        "verified": [never, programs.c.data_verified_on, programs.c.program_code],
        "-verified": [never.desc(), programs.c.data_verified_on.desc(), programs.c.program_code],
    }[sort]
    query = (select(programs.c.program_code, programs.c.name, programs.c.institution, programs.c.data_verified_on)
             .where(where).order_by(*order).limit(per_page).offset((page - 1) * per_page))
    return ProgramPage(connection.execute(query).all(), total, page, per_page)
