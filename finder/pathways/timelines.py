"""The routes into interventional radiology, as data, and where a program sits on them.

No Flask here: the pathways page, the program page's partial and the tests all read
the same `PATHWAYS`. Years are numbered from the start of training, which on the three
residency pathways is the PGY year (year 1 = PGY-1).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from ..programs.search import Query, current_index


# What a stage of training mostly is; the page colours stages by it and names it in text.
PHASES = {
    "internship": "Clinical internship",
    "diagnostic": "Diagnostic radiology",
    "esir": "Diagnostic radiology with early IR specialization",
    "interventional": "Interventional radiology",
    "fellowship": "Fellowship",
}


@dataclass(frozen=True)
class Stage:
    """A run of consecutive years of one pathway that share a phase."""

    first: int
    last: int
    phase: str
    title: str
    detail: str

    @property
    def years(self) -> int:
        return self.last - self.first + 1

    @property
    def phase_label(self) -> str:
        return PHASES[self.phase]


@dataclass(frozen=True)
class Pathway:
    """One route into IR: its stages year by year, and the finder filters that list its programs."""

    key: str
    title: str
    short_title: str
    program_noun: tuple[str, str]  # one program, several programs of the finder link
    summary: str
    entry: str
    outcome: str
    stages: tuple[Stage, ...]
    finder_filters: tuple[tuple[str, str], ...]
    year_label_format: str = "PGY-{}"
    optional: bool = False

    @property
    def years(self) -> int:
        return self.stages[-1].last

    def programs(self, count: int) -> str:
        """`1 fellowship`, `12 fellowships`."""
        return f"{count} {self.program_noun[0] if count == 1 else self.program_noun[1]}"

    def year_label(self, year: int) -> str:
        return self.year_label_format.format(year)

    def span_label(self, first: int, last: int) -> str:
        """`PGY-2`, `PGY-6 and PGY-7` or `PGY-2 to PGY-6`."""
        if first == last:
            return self.year_label(first)
        joiner = " and " if last == first + 1 else " to "
        return f"{self.year_label(first)}{joiner}{self.year_label(last)}"


INTERNSHIP = Stage(1, 1, "internship", "Clinical internship", "A year of general clinical medicine or surgery.")

INTEGRATED = Pathway(
    key="integrated",
    title="Integrated IR residency",
    short_title="the integrated IR route",
    program_noun=("integrated IR residency", "integrated IR residencies"),
    summary=(
        "One residency for all of IR training, chosen straight from medical school. Some programs "
        "include the internship year; others start at PGY-2."
    ),
    entry="The NRMP Main Match, in the last year of medical school.",
    outcome="The ABR certificate in interventional and diagnostic radiology (IR/DR).",
    stages=(
        INTERNSHIP,
        Stage(
            2, 4, "diagnostic", "Mostly diagnostic radiology",
            "Imaging of every body system, with some IR rotations.",
        ),
        Stage(
            5, 6, "interventional", "Mostly interventional radiology",
            "Image-guided procedures and the care of IR patients.",
        ),
    ),
    finder_filters=(("type", "integrated_ir"),),
)

ESIR = Pathway(
    key="esir",
    title="Diagnostic radiology with ESIR, then one independent IR year",
    short_title="the ESIR route",
    program_noun=("diagnostic radiology residency with ESIR", "diagnostic radiology residencies with ESIR"),
    summary=(
        "A diagnostic radiology residency that offers Early Specialization in IR (ESIR), "
        "followed by a single year of independent IR residency."
    ),
    entry=(
        "The NRMP Main Match into a diagnostic radiology residency that offers ESIR, which residents "
        "usually choose during the residency; the independent IR year is applied for separately."
    ),
    outcome="The ABR certificate in interventional and diagnostic radiology (IR/DR).",
    stages=(
        INTERNSHIP,
        Stage(2, 3, "diagnostic", "Diagnostic radiology", "Imaging of every body system."),
        Stage(
            4, 5, "esir", "Diagnostic radiology with ESIR",
            "IR rotations concentrated in the later years, with at least 500 image-guided procedures.",
        ),
        Stage(6, 6, "interventional", "Independent IR residency", "One year of IR, shortened by the ESIR training."),
    ),
    finder_filters=(("type", "diagnostic_radiology"), ("esir", "1")),
)

INDEPENDENT = Pathway(
    key="independent",
    title="Diagnostic radiology, then independent IR residency",
    short_title="the route through independent IR residency",
    program_noun=("independent IR residency", "independent IR residencies"),
    summary="A full diagnostic radiology residency, followed by two years of independent IR residency.",
    entry=(
        "The NRMP Main Match into diagnostic radiology; the independent IR residency is matched "
        "in its own cycle, usually during the diagnostic radiology years."
    ),
    outcome="The ABR certificate in interventional and diagnostic radiology (IR/DR).",
    stages=(
        INTERNSHIP,
        Stage(2, 5, "diagnostic", "Diagnostic radiology", "Imaging of every body system."),
        Stage(6, 7, "interventional", "Independent IR residency", "Two years of interventional radiology."),
    ),
    finder_filters=(("type", "independent_ir"),),
)

FELLOWSHIP = Pathway(
    key="fellowship",
    title="Optional fellowship after IR training",
    short_title="fellowships after IR training",
    program_noun=("fellowship", "fellowships"),
    summary=(
        "Extra training in one field after any of the routes above, for example pediatric IR, "
        "interventional oncology or neurointerventional surgery."
    ),
    entry="Applied for directly with each fellowship program, during or after IR training.",
    outcome="Deeper experience in one field; not needed for the IR/DR certificate.",
    stages=(Stage(1, 1, "fellowship", "Fellowship", "Usually one year, after IR training is complete."),),
    finder_filters=(("type", "fellowship"),),
    year_label_format="Year {} after IR training",
    optional=True,
)

PATHWAYS: tuple[Pathway, ...] = (INTEGRATED, ESIR, INDEPENDENT, FELLOWSHIP)
PATHWAYS_BY_KEY = {pathway.key: pathway for pathway in PATHWAYS}

# The longest residency pathway: the page draws all three on this many columns so they line up.
AXIS_YEARS = max(pathway.years for pathway in PATHWAYS if not pathway.optional)


def pathway_counts(connection, cache: dict | None = None) -> dict[str, int]:
    """How many programs each pathway's finder link lists now, by pathway key.

    `connection` is a SQLAlchemy Connection or Session; `cache` is where the finder keeps
    its index (an app passes its own, so the index is built once per catalog version).
    The counts come from the finder's own filter engine, so they equal the finder's.
    """
    index = current_index(connection, {} if cache is None else cache)
    return {pathway.key: index.count_matching(_finder_query(pathway)) for pathway in PATHWAYS}


def _finder_query(pathway: Pathway):
    filters = dict(pathway.finder_filters)
    return Query(type=(filters["type"],), esir=filters.get("esir") == "1")


@dataclass(frozen=True)
class Placement:
    """Where one program sits: the pathway it belongs to, the years it covers, and the same in words."""

    pathway: Pathway
    first: int
    last: int
    sentence: str
    note: str | None = None

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))

    @property
    def label(self) -> str:
        return self.pathway.span_label(self.first, self.last)


@dataclass(frozen=True)
class _Rule:
    """Which years of which pathway a kind of program covers (a program covers the last ones)."""

    pathway: Pathway
    first: int
    last: int
    usual_lengths: tuple[int, ...]
    sentence: str


_DR_WITH_ESIR = _Rule(
    ESIR, 1, 5, (4, 5), "This diagnostic radiology residency offers ESIR. It covers {span} of the ESIR route."
)
_DR_WITHOUT_ESIR = _Rule(
    INDEPENDENT, 1, 5, (4, 5),
    "This diagnostic radiology residency does not list ESIR. It covers {span} of the route through a full "
    "diagnostic radiology residency to independent IR residency.",
)
_ONE_YEAR_INDEPENDENT = _Rule(
    ESIR, 6, 6, (1, 2),
    "This independent IR residency covers {span} of the ESIR route: the one year of IR after a diagnostic "
    "radiology residency with ESIR (PGY-1 to PGY-5).",
)
_INDEPENDENT = _Rule(
    INDEPENDENT, 6, 7, (1, 2),
    "This independent IR residency covers {span} of the route through a full diagnostic radiology residency "
    "(PGY-1 to PGY-5) to independent IR residency.",
)
_INTEGRATED = _Rule(INTEGRATED, 1, 6, (5, 6), "This integrated IR residency covers {span} of the integrated IR route.")
_FELLOWSHIP = _Rule(
    FELLOWSHIP, 1, 1, (1,), "This fellowship is optional, taken after IR training on any of the routes into IR."
)


def _rule_for(program_type: str, length: int, esir: bool) -> _Rule | None:
    if program_type == "diagnostic_radiology":
        return _DR_WITH_ESIR if esir else _DR_WITHOUT_ESIR
    if program_type == "independent_ir":
        return _ONE_YEAR_INDEPENDENT if length == 1 else _INDEPENDENT
    return {"integrated_ir": _INTEGRATED, "fellowship": _FELLOWSHIP}.get(program_type)


def _field(program, name: str):
    if isinstance(program, Mapping):
        return program.get(name)
    return getattr(program, name, None)


def place_program(program) -> Placement | None:
    """Where `program` (anything with program_type, length_years, esir_available) sits on the pathways.

    A program covers the last `length_years` of the years its kind of program covers on its
    pathway; a length longer than those years is cut to fit and explained in `note`.
    None for a program without a known type or a whole-number length.
    """
    program_type, length = _field(program, "program_type"), _field(program, "length_years")
    if not isinstance(length, int) or isinstance(length, bool) or length < 1:
        return None
    rule = _rule_for(program_type, length, bool(_field(program, "esir_available")))
    if rule is None:
        return None
    first = max(rule.first, rule.last - length + 1)
    pathway = rule.pathway
    words = [rule.sentence.format(span=pathway.span_label(first, rule.last))]
    if first > rule.first:
        words.append(_done_before(pathway, rule.first, first - 1))
    words.extend(
        f"{stage.title} ({pathway.span_label(stage.first, stage.last)}) follows, applied for separately."
        for stage in pathway.stages
        if stage.first > rule.last
    )
    return Placement(pathway, first, rule.last, " ".join(words), _length_note(length, rule.usual_lengths))


def _done_before(pathway: Pathway, first: int, last: int) -> str:
    titles = [stage.title for stage in pathway.stages if stage.first <= last and stage.last >= first]
    what = ", ".join(title[0].lower() + title[1:] for title in titles)
    verb = "comes" if first == last else "come"
    return f"{pathway.span_label(first, last)} ({what}) {verb} before it, in a separate program."


def _length_note(length: int, usual: tuple[int, ...]) -> str | None:
    if length in usual:
        return None
    usual_words = " or ".join(str(years) for years in usual) + (" years" if max(usual) > 1 else " year")
    return (
        f"It lists {length} year{'s' if length > 1 else ''} of training, which is unusual for this kind of "
        f"program (usually {usual_words}). The picture shows where it most likely fits: ask the program "
        "which years it covers."
    )
