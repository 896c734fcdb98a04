"""Writing the catalog back out as programs.csv, safe to open in a spreadsheet."""

import csv
from collections.abc import Iterator
from datetime import date
from typing import TextIO

from sqlalchemy import Connection, select

from .schema import PROGRAM_COLUMN_NAMES
from .tables import features, program_features, programs
from .text import guard_formula
from .vocab import FEATURE_COLUMNS

CHUNK = 2000


def export_programs(connection: Connection, out: TextIO) -> int:
    """Write every program to `out` in programs.csv form; return how many.

    Rows come in program_code order, lists as sorted slugs, and any cell a
    spreadsheet would run as a formula is guarded with a leading `'`, which
    the loader removes again, so export and load round-trip exactly.
    """
    writer = csv.writer(out)
    writer.writerow(PROGRAM_COLUMN_NAMES)
    count = 0
    for record in program_records(connection):
        writer.writerow([guard_formula(format_cell(record[name])) for name in PROGRAM_COLUMN_NAMES])
        count += 1
    return count


def program_records(connection: Connection) -> Iterator[dict]:
    """Every program as a dict of CSV columns, in program_code order, in chunks."""
    after = ""
    while True:
        rows = connection.execute(
            select(programs).where(programs.c.program_code > after).order_by(programs.c.program_code).limit(CHUNK)
        ).all()
        if not rows:
            return
        slugs = _slugs_of(connection, [row.id for row in rows])
        for row in rows:
            record = dict(row._mapping)
            for kind, column in FEATURE_COLUMNS.items():
                record[column] = sorted(slugs.get((row.id, kind), ()))
            yield record
        after = rows[-1].program_code


def _slugs_of(connection: Connection, program_ids: list[int]) -> dict[tuple[int, str], list[str]]:
    query = (
        select(program_features.c.program_id, features.c.kind, features.c.slug)
        .join(features, features.c.id == program_features.c.feature_id)
        .where(program_features.c.program_id.in_(program_ids))
    )
    slugs: dict[tuple[int, str], list[str]] = {}
    for program_id, kind, slug in connection.execute(query):
        slugs.setdefault((program_id, kind), []).append(slug)
    return slugs


def format_cell(value: object) -> str:
    """A stored value as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ";".join(sorted(value))
    return str(value)
