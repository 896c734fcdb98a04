"""The rows of the side-by-side comparison: one per registry column, in its groups; features one row each."""

from dataclasses import dataclass, field

from sqlalchemy import select

from ..catalog.columns import FEATURES, PROGRAM_COLUMNS, ProgramColumn, grouped
from ..models import Feature, Program
from .rules import bar_steps


@dataclass(frozen=True)
class Cell:
    text: str
    bar: int | None = None  # 0-20: the bar's width in 5 % steps, for numbers
    tick: bool | None = None  # for features: offered or not
    href: str | None = None


@dataclass
class Row:
    label: str
    cells: list[Cell]
    differs: bool = False


@dataclass
class Group:
    label: str
    rows: list[Row] = field(default_factory=list)


# Rows whose cells are links, and where they lead.
_LINKS = {"website": lambda value: value, "contact_email": lambda value: f"mailto:{value}"}


def _column_row(column: ProgramColumn, programs: list[Program]) -> Row:
    """One registry column as a row: its values as people read them, numbers with bars."""
    values = [getattr(p, column.name) for p in programs]
    steps = bar_steps(values) if column.rule == "whole" else [None] * len(values)
    link = _LINKS.get(column.name)
    cells = [
        Cell(column.show(value), bar=step, href=link(value) if link and value else None)
        for value, step in zip(values, steps)
    ]
    return Row(column.label, cells)


def _region_row(programs: list[Program]) -> Row:
    return Row("Region", [Cell(p.region_label) for p in programs])


def _feature_groups(column: ProgramColumn, programs: list[Program], vocabulary: list[Feature]) -> list[Group]:
    """A slug-list column as a group of one row per feature of its kind."""
    offered = [{(f.kind, f.slug) for f in p.features} for p in programs]
    group = Group(column.label)
    for feature in (f for f in vocabulary if f.kind == column.feature_kind):
        ticks = [(feature.kind, feature.slug) in have for have in offered]
        group.rows.append(Row(feature.label, [Cell("Yes" if tick else "No", tick=tick) for tick in ticks]))
    return [group] if group.rows else []


def _groups(programs: list[Program], vocabulary: list[Feature]) -> list[Group]:
    """The registry's groups in order; features one group per kind; the description last."""
    groups = []
    for label, columns in grouped():
        if label == FEATURES:
            for column in columns:
                groups.extend(_feature_groups(column, programs, vocabulary))
            continue
        group = Group(label)
        for column in columns:
            group.rows.append(_column_row(column, programs))
            if column.name == "state":
                group.rows.append(_region_row(programs))
        groups.append(group)
    about = [column for column in PROGRAM_COLUMNS if column.group is None and column.name != "name"]
    groups.append(Group("About", [_column_row(column, programs) for column in about]))
    return groups


def comparison(programs: list[Program], vocabulary: list[Feature]) -> list[Group]:
    """Every field of the programs as rows, grouped; a row differs when its values are not all equal."""
    groups = _groups(programs, vocabulary)
    for group in groups:
        for row in group.rows:
            row.differs = len({cell.text for cell in row.cells}) > 1
    return groups


def only_differences(groups: list[Group]) -> list[Group]:
    """The same groups with only the rows that differ (groups left empty are dropped)."""
    kept = [Group(group.label, [row for row in group.rows if row.differs]) for group in groups]
    return [group for group in kept if group.rows]


IR_TYPES = ("integrated_ir", "independent_ir")


def dr_offers(session, programs: list[Program], room: int) -> list[Program]:
    """The DR residencies of the compared IR programs' institutions that the comparison lacks.

    Most IR applicants also apply to DR, so the compare page offers to add them (at most `room`).
    Institutions match as everywhere (catalog/institutions.py: the stored institution_key).
    """
    keys = {p.institution_key for p in programs if p.program_type in IR_TYPES and p.institution_key}
    if not keys or room <= 0:
        return []
    shown = {p.id for p in programs}
    query = (
        select(Program)
        .where(Program.program_type == "diagnostic_radiology", Program.institution_key.in_(keys))
        .order_by(Program.name, Program.program_code)
    )
    return [p for p in session.scalars(query) if p.id not in shown][:room]
