"""The rows of the side-by-side comparison: one per field, features as one row each."""

from dataclasses import dataclass, field

from ..catalog.vocab import FEATURE_KINDS
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


def _years(value: int) -> str:
    return f"{value} year{'' if value == 1 else 's'}"


def _number_row(label: str, values: list[int | None], show) -> Row:
    cells = [
        Cell("Not known" if value is None else show(value), bar=step)
        for value, step in zip(values, bar_steps(values))
    ]
    return Row(label, cells)


def _text_row(label: str, texts: list[str], hrefs: list[str | None] | None = None) -> Row:
    hrefs = hrefs or [None] * len(texts)
    return Row(label, [Cell(text, href=href) for text, href in zip(texts, hrefs)])


def _basics(programs: list[Program]) -> Group:
    group = Group("The program")
    group.rows = [
        _text_row("Institution", [p.institution for p in programs]),
        _text_row("City", [p.city for p in programs]),
        _text_row("State", [p.state_name for p in programs]),
        _text_row("Region", [p.region_label for p in programs]),
        _text_row("Program type", [p.type_label for p in programs]),
        _number_row("Length", [p.length_years for p in programs], _years),
        _number_row("Positions per year", [p.positions_per_year for p in programs], str),
        _text_row("ESIR available", ["Yes" if p.esir_available else "No" for p in programs]),
        _number_row("Protected research time", [p.research_months for p in programs],
                    lambda months: f"{months} month{'' if months == 1 else 's'}"),
        _text_row("Visa sponsorship", [p.visa_label or "Not known" for p in programs]),
        _text_row("Website", [p.website or "None given" for p in programs], [p.website for p in programs]),
        _text_row("Data verified on",
                  [p.data_verified_on.isoformat() if p.data_verified_on else "Not known" for p in programs]),
        _text_row("Description", [p.description or "None given" for p in programs]),
    ]
    return group


def _features(programs: list[Program], vocabulary: list[Feature]) -> list[Group]:
    offered = [{(f.kind, f.slug) for f in p.features} for p in programs]
    groups = []
    for kind, label in FEATURE_KINDS.items():
        group = Group(label)
        for feature in (f for f in vocabulary if f.kind == kind):
            ticks = [(feature.kind, feature.slug) in have for have in offered]
            group.rows.append(Row(feature.label, [Cell("Yes" if tick else "No", tick=tick) for tick in ticks]))
        if group.rows:
            groups.append(group)
    return groups


def comparison(programs: list[Program], vocabulary: list[Feature]) -> list[Group]:
    """Every field of the programs as rows, grouped; a row differs when its values are not all equal."""
    groups = [_basics(programs), *_features(programs, vocabulary)]
    for group in groups:
        for row in group.rows:
            row.differs = len({cell.text for cell in row.cells}) > 1
    return groups


def only_differences(groups: list[Group]) -> list[Group]:
    """The same groups with only the rows that differ (groups left empty are dropped)."""
    kept = [Group(group.label, [row for row in group.rows if row.differs]) for group in groups]
    return [group for group in kept if group.rows]
