"""Editing single programs and measuring data quality. Plain SQLAlchemy, no Flask.

An edit is loaded as a one-row programs.csv through the catalog loader, so a
form obeys exactly the same column rules as an uploaded file.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, and_, delete, exists, func, or_, select

from ..catalog import LoadResult, Source, bump_version, load_catalog, lock_catalog
from ..catalog.columns import BLANKABLE_COLUMNS
from ..catalog.export import format_cell
from ..catalog.schema import PROGRAM_COLUMN_NAMES
from ..catalog.tables import features, program_features, programs
from ..catalog.text import guard_formula
from ..catalog.vocab import FEATURE_COLUMNS

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


def save_program(engine: Engine, cells: dict[str, str], today: date | None = None) -> LoadResult:
    """Validate and upsert one program given as CSV cell texts (problems name the column)."""
    return load_catalog(engine, [Source(FORM_SOURCE, one_row_csv(cells))], today=today)


def program_cells(record: dict) -> dict[str, str]:
    """A program's values as the CSV would write them (for filling the form)."""
    return {name: format_cell(record.get(name)) for name in PROGRAM_COLUMN_NAMES}


def delete_program(engine: Engine, code: str) -> bool:
    """Remove one program (and its feature links); False when there is none."""
    with engine.begin() as connection:
        lock_catalog(connection)
        program_id = connection.scalar(select(programs.c.id).where(programs.c.program_code == code))
        if program_id is None:
            return False
        connection.execute(delete(program_features).where(program_features.c.program_id == program_id))
        connection.execute(delete(programs).where(programs.c.id == program_id))
        bump_version(connection)
    return True


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
    blank: int
    total: int


def completeness(connection: Connection) -> list[Completeness]:
    total = connection.scalar(select(func.count()).select_from(programs))
    def blanks(column: str) -> int:
        return connection.scalar(select(func.count()).select_from(programs).where(blank_condition(column)))

    return [Completeness(column, blanks(column), total) for column in OPTIONAL_COLUMNS]


def count_stale(connection: Connection, today: date) -> int:
    return connection.scalar(select(func.count()).select_from(programs).where(stale_condition(today)))


def list_programs(connection: Connection, *, blank: str | None = None, stale_on: date | None = None,
                  ids: list[int] | None = None, limit: int = 500) -> list:
    """Programs (code, name, institution, verified on), optionally only those blank in a column, stale,
    or among `ids`."""
    conditions = []
    if ids is not None:
        conditions.append(programs.c.id.in_(ids[:limit]))
    if blank:
        conditions.append(blank_condition(blank))
    if stale_on:
        conditions.append(stale_condition(stale_on))
    query = select(programs.c.program_code, programs.c.name, programs.c.institution, programs.c.data_verified_on)
    if conditions:
        query = query.where(and_(*conditions))
    return connection.execute(query.order_by(programs.c.program_code).limit(limit)).all()
