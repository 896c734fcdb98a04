"""Every column of programs.csv, declared once.

Each entry says what a column holds (its rule and bounds), how people read it (label,
help text, how a blank reads, the group of facts it belongs to) and how the finder may
filter and sort on it. Everything else is derived from this list, never typed again:
the `programs` table (tables.py), the CSV rules (schema.py), the loader's insert and
update lists (load.py), the generator, the export, the JSON program object, the admin
edit form and dashboard, the program page and the compare table.

Adding a plain column is one entry here plus one migration (docs/architecture.md).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Boolean, Column, Date, Integer, SmallInteger, String, Text

from .vocab import FEATURE_KINDS, PROGRAM_TYPES, STATES, VISA_SPONSORSHIP

# The groups of facts, in the order the program page, the compare table and the finder's
# filter panel show them.
ROUTE, PLACE, APPLYING, TRAINING, FEATURES, PRACTICALITIES = GROUPS = (
    "Route", "Place", "Applying", "Training", "Features", "Practicalities",
)

# The rules a column may follow; schema.py holds what each one checks.
RULES = (
    "code", "text", "state", "choice", "whole", "yes_no", "tri_state", "slugs",
    "url", "past_date", "date", "email", "zip",
)

NOT_KNOWN = "Not known"


@dataclass(frozen=True)
class Filter:
    """A finder parameter on this column (contract section 3), for the filter engine.

    `how`: `any_of` (repeatable, a program matches any value), `all_of` (repeatable,
    every value), `flag` (`1`: only programs where the column is true), `at_least` /
    `at_most` (blank never matches), `at_most_or_blank` (blank matches),
    `within_months` (a date at most that many calendar months before today),
    `words` (keyword search), `near` (a ZIP code the distance is measured from).
    """

    parameter: str
    how: str
    label: str


@dataclass(frozen=True)
class Sort:
    """The finder's sorts on this column: `key` ascending and `-key` descending.

    A direction whose label is None does not exist (e.g. `deadline` is soonest first only).
    """

    key: str
    ascending: str | None
    descending: str | None


@dataclass(frozen=True)
class ProgramColumn:
    """One column of programs.csv: its rule, how it is stored and how people read it."""

    name: str
    rule: str
    label: str
    help: str = ""
    group: str | None = None  # None: shown on its own (the name as the heading, the description)
    required: bool = False
    low: int | None = None  # whole numbers: the bounds, inclusive
    high: int | None = None
    max_length: int | None = None  # text, URLs, e-mail addresses
    choices: Mapping[str, str] = field(default_factory=dict)  # value -> what people read
    blank_reads: str = NOT_KNOWN
    unit: tuple[str, str] | None = None  # whole numbers: ("month", "months")
    shown: str = "{}"  # whole numbers without a unit: how a value reads, e.g. "${:,}"
    feature_kind: str | None = None  # slug lists: the kind of feature they name
    repeats: bool = True  # values recur from row to row, so the loader memoises their checks
    index: bool = False  # a database index (the finder filters in memory; each index slows loads)
    stored_length: int | None = None  # a VARCHAR sized before the registry (kept as it is)
    filters: tuple[Filter, ...] = ()
    sort: Sort | None = None

    def __post_init__(self):
        assert self.rule in RULES, self.rule
        assert self.group is None or self.group in GROUPS, self.group

    # -- storage ---------------------------------------------------------------

    @property
    def stored(self) -> bool:
        """Whether the column is a column of the programs table (slug lists are links)."""
        return self.rule != "slugs"

    @property
    def blank(self) -> object:
        """The value of a blank cell, and of a new program's column absent from its file."""
        if self.rule == "yes_no":
            return False
        if self.rule == "slugs":
            return frozenset()
        return None

    @property
    def longest(self) -> int | None:
        """The length of the longest cell the rule can accept (None: no fixed limit)."""
        if self.max_length is not None:
            return self.max_length
        return {
            "code": 32, "state": 2, "whole": len(str(self.high)), "yes_no": 5, "tri_state": 5,
            "past_date": 10, "date": 10, "zip": 5,
            "choice": max((len(value) for value in self.choices), default=0),
        }.get(self.rule)

    def sql_type(self):
        if self.rule in ("yes_no", "tri_state"):
            return Boolean()
        if self.rule in ("past_date", "date"):
            return Date()
        if self.rule == "whole":
            return SmallInteger() if self.high <= 32767 else Integer()
        if self.rule == "text" and self.max_length > 300:
            return Text()
        return String(self.stored_length or self.longest)

    def sql_column(self) -> Column:
        """The column of the programs table."""
        return Column(
            self.name,
            self.sql_type(),
            nullable=not (self.required or self.rule == "yes_no"),
            unique=self.name == "program_code" or None,
            index=self.index or None,
            default=False if self.rule == "yes_no" else None,
        )

    # -- reading -----------------------------------------------------------------

    def show(self, value: object) -> str:
        """A stored value as people read it: a label, a number with its unit, or the blank's words."""
        if self.rule == "slugs":
            return ", ".join(sorted(value)) if value else self.blank_reads
        if value is None or (self.rule == "yes_no" and not value):
            return self.blank_reads
        if self.rule in ("yes_no", "tri_state"):
            return "Yes" if value else "No"
        if self.rule in ("choice", "state") and self.choices:
            return self.choices.get(value, str(value))
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        if self.unit:
            return f"{value} {self.unit[0] if value == 1 else self.unit[1]}"
        if self.rule == "whole":
            return self.shown.format(value)
        return str(value)

    def json_value(self, value: object) -> object:
        """A stored value in the JSON program object (contract section 4)."""
        if self.rule == "slugs":
            return sorted(value or ())
        if self.rule == "yes_no":
            return bool(value)
        if isinstance(value, date):
            return value.isoformat()
        return value


PROGRAM_COLUMNS: tuple[ProgramColumn, ...] = (
    ProgramColumn(
        "program_code", "code", "Program code", group=PRACTICALITIES, required=True, repeats=False,
        help="1–32 characters of A–Z, a–z, 0–9, - or _; the key for updates (an ACGME program number fits).",
    ),
    ProgramColumn(
        "name", "text", "Name", max_length=200, required=True, repeats=False,
        help="The program's name, 1–200 characters.",
        filters=(Filter("q", "words", "Keywords"),),
        sort=Sort("name", "Name (A to Z)", "Name (Z to A)"),
    ),
    ProgramColumn(
        "institution", "text", "Institution", group=PLACE, max_length=200, required=True,
        help="The hospital or university, 1–200 characters; programs of the same institution are linked.",
        filters=(Filter("q", "words", "Keywords"),),
    ),
    ProgramColumn(
        "city", "text", "City", group=PLACE, max_length=100, required=True,
        help="1–100 characters.",
        filters=(Filter("q", "words", "Keywords"),),
    ),
    ProgramColumn(
        "state", "state", "State", group=PLACE, required=True,
        choices={code: name for code, (name, _) in STATES.items()},
        help="The USPS code of a US state, DC or PR, e.g. MA.",
        filters=(Filter("state", "any_of", "State"), Filter("q", "words", "Keywords")),
        sort=Sort("state", "State", None),
    ),
    ProgramColumn(
        "program_type", "choice", "Program type", group=ROUTE, required=True,
        choices=PROGRAM_TYPES, stored_length=24,
        help="integrated_ir, independent_ir, diagnostic_radiology or fellowship.",
        filters=(Filter("type", "any_of", "Program type"),),
    ),
    ProgramColumn(
        "length_years", "whole", "Length", group=ROUTE, required=True, low=1, high=7,
        unit=("year", "years"),
        help="Years of training in this program, 1–7.",
        filters=(Filter("max_length", "at_most", "Length at most (years)"),),
        sort=Sort("length", "Shortest first", "Longest first"),
    ),
    ProgramColumn(
        "positions_per_year", "whole", "Positions per year", group=APPLYING, low=0, high=100,
        help="Residents or fellows taken each year, 0–100.",
        filters=(Filter("min_positions", "at_least", "Positions per year at least"),),
        sort=Sort("positions", "Fewest positions first", "Most positions first"),
    ),
    ProgramColumn(
        "esir_available", "yes_no", "ESIR (Early Specialization in IR)", group=ROUTE,
        blank_reads="No",
        help="yes or no (blank = no); yes only for diagnostic radiology programs.",
        filters=(Filter("esir", "flag", "ESIR available"),),
    ),
    *(
        ProgramColumn(
            column, "slugs", FEATURE_KINDS[kind], group=FEATURES, feature_kind=kind, blank_reads="None listed",
            help=f"Slugs of {kind} features, separated by ;",
            filters=(Filter(kind, "all_of", FEATURE_KINDS[kind]),),
        )
        for kind, column in (("fellowship", "fellowships"), ("research", "research_features"),
                             ("mentorship", "mentorship_features"))
    ),
    ProgramColumn(
        "research_months", "whole", "Research months (protected, whole program)", group=TRAINING,
        low=0, high=24, unit=("month", "months"),
        help="Months of protected research time over the whole program, 0–24.",
        filters=(Filter("min_research_months", "at_least", "Research months at least"),),
        sort=Sort("research", "Fewest research months first", "Most research months first"),
    ),
    ProgramColumn(
        "visa_sponsorship", "choice", "Visa sponsorship", group=APPLYING, choices=VISA_SPONSORSHIP,
        stored_length=8,
        help="none, j1, h1b or j1_h1b (blank = unknown).",
        filters=(Filter("visa", "any_of", "Visa sponsorship"),),
    ),
    ProgramColumn(
        "website", "url", "Website", group=PRACTICALITIES, max_length=300, repeats=False,
        blank_reads="Not listed",
        help="An absolute http:// or https:// address, up to 300 characters.",
    ),
    ProgramColumn(
        "description", "text", "Description", max_length=2000, repeats=False, blank_reads="None given",
        help="Plain text, up to 2,000 characters (never shown as HTML).",
    ),
    ProgramColumn(
        "data_verified_on", "past_date", "Data verified on", group=PRACTICALITIES,
        blank_reads="Never verified",
        help="The day the program's details were last checked, YYYY-MM-DD, not in the future.",
        filters=(Filter("verified_within", "within_months", "Verified within (months)"),),
        sort=Sort("updated", None, "Most recently verified first"),
    ),
    # -- added in issue 15 (migration 0004): a file without them is as valid as before --
    ProgramColumn(
        "intern_year", "choice", "Intern year (PGY-1)", group=ROUTE,
        choices={"included": "Included (categorical)", "separate": "Separate preliminary year (advanced)"},
        help="included (the program includes the PGY-1 year) or separate (apply for a preliminary or "
             "transitional year on your own); only for integrated IR and diagnostic radiology programs.",
        filters=(Filter("intern_year", "any_of", "Intern year"),),
    ),
    ProgramColumn(
        "signals_accepted", "tri_state", "Preference signals (ERAS)", group=APPLYING,
        help="yes or no: whether the program takes part in ERAS preference signaling (blank = not known).",
        filters=(Filter("signals", "flag", "Takes preference signals"),),
    ),
    ProgramColumn(
        "interview_format", "choice", "Interview format", group=APPLYING,
        choices={"virtual": "Virtual", "in_person": "In person", "hybrid": "Hybrid"},
        help="virtual, in_person or hybrid (blank = not known).",
        filters=(Filter("interview_format", "any_of", "Interview format"),),
    ),
    ProgramColumn(
        "application_deadline", "date", "Application deadline", group=APPLYING,
        help="YYYY-MM-DD (may lie in the future).",
        sort=Sort("deadline", "Soonest deadline first", None),
    ),
    ProgramColumn(
        "step2_minimum", "whole", "Step 2 CK minimum", group=APPLYING, low=200, high=300,
        blank_reads="No minimum stated",
        help="The USMLE Step 2 CK score the program states as its minimum, 200–300 (blank = none stated).",
        filters=(Filter("my_step2", "at_most_or_blank", "My Step 2 CK score"),),
    ),
    ProgramColumn(
        "comlex_accepted", "tri_state", "COMLEX accepted instead of USMLE", group=APPLYING,
        help="yes or no: whether COMLEX is accepted in place of USMLE (blank = not known).",
        filters=(Filter("comlex", "flag", "Accepts COMLEX"),),
    ),
    ProgramColumn(
        "salary_pgy1", "whole", "First-year salary (PGY-1)", group=PRACTICALITIES, low=20000, high=200000,
        shown="${:,}",
        help="US dollars a year, 20000–200000.",
        filters=(Filter("min_salary", "at_least", "First-year salary at least"),),
        sort=Sort("salary", "Lowest salary first", "Highest salary first"),
    ),
    ProgramColumn(
        "ir_cases_per_year", "whole", "IR cases per year", group=TRAINING, low=0, high=100000, shown="{:,}",
        help="IR procedures a year at the program's sites, 0–100000.",
        filters=(Filter("min_cases", "at_least", "IR cases per year at least"),),
        sort=Sort("cases", "Fewest cases first", "Most cases first"),
    ),
    ProgramColumn(
        "ir_faculty", "whole", "IR faculty", group=TRAINING, low=0, high=500,
        help="Interventional radiology faculty members, 0–500.",
    ),
    ProgramColumn(
        "board_pass_rate", "whole", "Board pass rate (first attempt, last 5 years)", group=TRAINING,
        low=0, high=100, shown="{} %",
        help="Percent of graduates passing the ABR boards at the first attempt over the last 5 years, 0–100.",
        filters=(Filter("min_board_pass_rate", "at_least", "Board pass rate at least (%)"),),
    ),
    ProgramColumn(
        "program_director", "text", "Program director", group=PRACTICALITIES, max_length=200,
        help="The program director's name, up to 200 characters.",
    ),
    ProgramColumn(
        "contact_email", "email", "Contact e-mail", group=PRACTICALITIES, max_length=254, repeats=False,
        help="An e-mail address for applicants' questions, up to 254 characters.",
    ),
    ProgramColumn(
        "zip_code", "zip", "ZIP code", group=PLACE,
        help="5 digits, a ZIP code of the app's ZIP data; the program's location for distances.",
        filters=(Filter("near", "near", "Near ZIP code"),),
        sort=Sort("distance", "Nearest first", None),
    ),
)

BY_NAME: dict[str, ProgramColumn] = {column.name: column for column in PROGRAM_COLUMNS}
PROGRAM_COLUMN_NAMES: list[str] = [column.name for column in PROGRAM_COLUMNS]
STORED_COLUMNS: tuple[ProgramColumn, ...] = tuple(column for column in PROGRAM_COLUMNS if column.stored)
LIST_COLUMNS: tuple[ProgramColumn, ...] = tuple(column for column in PROGRAM_COLUMNS if not column.stored)
# Optional columns that can be blank (esir_available cannot: blank = no), for the dashboard.
BLANKABLE_COLUMNS: tuple[ProgramColumn, ...] = tuple(
    column for column in PROGRAM_COLUMNS if not column.required and column.rule != "yes_no"
)


def grouped(columns=PROGRAM_COLUMNS) -> list[tuple[str, list[ProgramColumn]]]:
    """The columns by group, in the order of GROUPS (columns without a group left out)."""
    return [(group, [c for c in columns if c.group == group]) for group in GROUPS
            if any(c.group == group for c in columns)]


# -- rules that tie two columns together ----------------------------------------------


@dataclass(frozen=True)
class OnlyForTypes:
    """A column that may hold a value (anything but its blank) only for some program types."""

    column: str
    types: tuple[str, ...]
    what: str  # the rule in words, up to the allowed types: "ESIR is offered only within"
    clear: str  # how to write the column's blank

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, "program_type")

    def may_break(self, rows: list[Mapping[str, object]]) -> list[int]:
        """The positions of those of `rows` that may break the rule: the others keep it (a blank,
        an allowed type, or a column of it missing)."""
        column, blank, types = self.column, BY_NAME[self.column].blank, self.types
        return [position for position, row in enumerate(rows)
                if row.get(column, blank) != blank and row.get("program_type", types[0]) not in types]

    def problem(self, row: Mapping[str, object], present: frozenset[str]) -> tuple[str, str] | None:
        value, program_type = row[self.column], row["program_type"]
        if value == BY_NAME[self.column].blank or program_type in self.types:
            return None
        allowed = " and ".join(self.types)
        rule = f"{self.what} {allowed} programs"
        if self.column in present:
            return self.column, f"{rule}, and this program is {program_type}: {self.clear}"
        stored = "yes" if value is True else value
        return self.column, (
            f"this program has {self.column} stored as {stored}, and {rule}, but this file makes it "
            f"{program_type}: add the {self.column} column and {self.clear} to clear it"
        )


# Every rule that ties columns together, checked in one place (`row_problems`) on the row
# as it will be stored: a column absent from the file counts with its stored value.
ROW_RULES = (
    OnlyForTypes("esir_available", ("diagnostic_radiology",), "ESIR is offered only within",
                 "write no (or leave the cell blank)"),
    OnlyForTypes("intern_year", ("integrated_ir", "diagnostic_radiology"), "an intern year applies only to",
                 "leave the cell blank"),
)
RULE_COLUMNS: frozenset[str] = frozenset(name for rule in ROW_RULES for name in rule.columns)


def row_problems(row: Mapping[str, object], present: frozenset[str]) -> list[tuple[str, str]]:
    """(column, message) for each cross-column rule the row as it will be stored breaks.

    `row` holds the values the program will have (the file's, then stored values for columns
    absent from the file); `present` names the columns the file has. A rule whose columns are
    not all in `row` (a cell of them was invalid) is not checked: that cell is reported already.
    """
    problems = []
    for rule in ROW_RULES:
        if all(name in row for name in rule.columns) and (found := rule.problem(row, present)):
            problems.append(found)
    return problems


def rows_problems(rows: list[Mapping[str, object]], present: frozenset[str]) -> dict[int, list[tuple[str, str]]]:
    """`row_problems` of each of `rows` that has any, by its position: each rule first sets
    apart the rows that may break it, and only those are checked."""
    found = {}
    for position in sorted({position for rule in ROW_RULES for position in rule.may_break(rows)}):
        if problems := row_problems(rows[position], present):
            found[position] = problems
    return found
