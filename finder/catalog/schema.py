"""The columns of features.csv and programs.csv and the rule of every cell.

This is the one place a cell is checked: the command-line loader, the admin
upload and the admin edit form all read rows through `RowReader`. The program
columns and their rules are declared in `columns.py`; the rules that tie two
columns together are checked on the row as it will be stored (`columns.row_problems`,
called by the loader).
"""

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import places
from .columns import PROGRAM_COLUMN_NAMES, PROGRAM_COLUMNS, ProgramColumn  # noqa: F401 (PROGRAM_COLUMN_NAMES re-exported)
from .problems import Invalid, Problem
from .text import unguard_formula
from .vocab import FEATURE_KINDS, STATES

FEATURES = "features"
PROGRAMS = "programs"

# Feature slugs known to the loader, by kind: {"fellowship": {"pediatric_ir", ...}}.
Vocabulary = Mapping[str, Iterable[str]]

PROGRAM_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_CODE = PROGRAM_CODE
SLUG_LONGEST = 48
QUOTED_AT_MOST = 100  # a bad cell longer than this is not quoted back in a message
_SLUG = re.compile(r"[a-z0-9_]{1,48}")
_WHOLE = re.compile(r"[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ZIP = re.compile(r"[0-9]{5}")
# One @, no white space, a dot in the part after the @ (contract section 1).
_EMAIL = re.compile(r"[^@\s]+@[^@\s]*\.[^@\s]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# scheme://[user@]host[:port][/path?query#fragment], with no white space anywhere
_URL = re.compile(
    r"https?://(?:[^\s/?#@]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^\s/?#@:\[\]]+)(?::[0-9]{0,5})?(?:[/?#]\S*)?",
    re.IGNORECASE,
)
_MEMO_SIZE = 20_000
# A column's cells are checked together (`Column.read_all`) as one text, each cell on a line
# of its own: these patterns match such a text whose every line is blank or a valid cell. None
# of them matches a newline but the one between cells, so a text matches only when each of its
# cells does on its own (a cell holding a newline is told apart by counting them).
_CELLS = "(?:{0})?(?:\n(?:{0})?)*".format
_CODES = re.compile(_CELLS(_CODE.pattern))
_EMAILS = re.compile(_CELLS(_EMAIL.pattern))
_URLS = re.compile(_CELLS(_URL.pattern), re.IGNORECASE)
_TRUE = {"yes", "true", "1"}
_FALSE = {"no", "false", "0"}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the nearest choice, or nothing."""
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _text(max_len: int) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        if len(cell) > max_len:
            raise Invalid(f"is {len(cell):,} characters long; the limit is {max_len:,}")
        if found := _CONTROL.search(cell):
            raise Invalid(f"contains a control character (U+{ord(found.group()):04X})")
        return cell

    return parse


def _program_code(cell: str) -> str:
    if not _CODE.fullmatch(cell):
        raise Invalid(f"'{cell}' must be 1-32 characters of A-Z, a-z, 0-9, '-' or '_'")
    return cell


def _slug(cell: str) -> str:
    if not _SLUG.fullmatch(cell):
        hint = f" (did you mean '{cell.lower()}'?)" if _SLUG.fullmatch(cell.lower()) else ""
        raise Invalid(f"'{cell}' must be 1-48 characters of a-z, 0-9 or '_'{hint}")
    return cell


def _state(cell: str) -> str:
    code = cell.upper()
    if code not in STATES:
        raise Invalid(f"'{cell}' is not the USPS code of a US state, DC or PR")
    return code


def _choice(allowed: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(allowed)

    def parse(cell: str) -> str:
        if cell not in allowed:
            raise Invalid(f"'{cell}' is not one of {', '.join(allowed)}{did_you_mean(cell, allowed)}")
        return cell

    return parse


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(cell: str) -> int:
        if not _WHOLE.fullmatch(cell) or not low <= int(cell) <= high:
            raise Invalid(f"'{cell}' must be a whole number from {low} to {high}")
        return int(cell)

    return parse


def _boolean(cell: str) -> bool:
    word = cell.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise Invalid(f"'{cell}' must be yes or no (also true/false or 1/0)")


def _too_long(cell: str, max_len: int) -> None:
    if len(cell) > max_len:
        raise Invalid(f"is {len(cell):,} characters long; the limit is {max_len:,}")


def _website(max_len: int) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        _too_long(cell, max_len)
        if not _URL.fullmatch(cell):
            raise Invalid(f"'{cell}' must be an absolute http:// or https:// address")
        return cell

    return parse


def _email(max_len: int) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        _too_long(cell, max_len)
        if not _EMAIL.fullmatch(cell) or _CONTROL.search(cell):
            raise Invalid(f"'{cell}' must be an e-mail address: one @, no spaces, and a dot in the part after the @")
        return cell

    return parse


def _zip_code(cell: str) -> str:
    if not _ZIP.fullmatch(cell):
        hint = f" (a spreadsheet may have dropped its leading zeros: {cell.zfill(5)})" if cell.isdigit() and len(cell) < 5 else ""
        raise Invalid(f"'{cell}' must be a ZIP code of 5 digits{hint}")
    if not places.is_known_zip(cell):
        raise Invalid(f"'{cell}' is not a ZIP code in the app's ZIP data")
    return cell


def _date(cell: str) -> date:
    try:
        if not _ISO_DATE.fullmatch(cell):
            raise ValueError
        return date.fromisoformat(cell)
    except ValueError:
        raise Invalid(f"'{cell}' must be a date written YYYY-MM-DD") from None


def _past_date(today: date) -> Callable[[str], date]:
    def parse(cell: str) -> date:
        day = _date(cell)
        if day > today:
            raise Invalid(f"{cell} is in the future (today is {today.isoformat()})")
        return day

    return parse


def _slug_list(kind: str, known: Iterable[str]) -> Callable[[str], frozenset[str]]:
    known = frozenset(known)

    def parse(cell: str) -> frozenset[str]:
        slugs = frozenset(item.strip() for item in cell.split(";")) - {""}
        for slug in sorted(slugs):
            if len(slug) > SLUG_LONGEST:
                raise Invalid(f"has an item of {len(slug):,} characters; a {kind} slug has at most {SLUG_LONGEST}")
            if slug not in known:
                if not known:
                    hint = f" (no {kind} features are loaded: load features.csv first)"
                else:
                    hint = did_you_mean(slug, known)
                raise Invalid(f"unknown {kind} '{slug}'{hint}")
        return slugs

    return parse


def _no_control(lines: str) -> bool:
    return not _CONTROL.search(lines)


def _one_line_each(pattern: re.Pattern) -> Callable[[str, int], bool]:
    def check(lines: str, count: int) -> bool:
        return lines.count("\n") == count - 1 and pattern.fullmatch(lines) is not None

    return check


# What the rules that take most cells as they are ask of a column's cells, one per line (see
# `Column.read_all`): whether every cell of `lines` would pass the rule unchanged.
_PLAIN_RULES: dict[str, Callable[[str, int], bool]] = {
    "code": _one_line_each(_CODES),
    "text": lambda lines, count: _no_control(lines),
    "url": _one_line_each(_URLS),
    "email": lambda lines, count: _no_control(lines) and _one_line_each(_EMAILS)(lines, count),
}


@dataclass(frozen=True)
class Column:
    """One column of a CSV kind: its name, whether it is required, its rule."""

    name: str
    required: bool
    parse: Callable[[str], object]
    blank: object = None
    repeats: bool = True  # values recur from row to row, so reading them is memoised
    longest: int | None = None  # the longest cell the rule can accept (None: no fixed limit)
    # Whether cells that are already trimmed, unguarded and short enough all pass the rule as
    # they are, given them joined by newlines and their count (None: each cell is read alone).
    plain: Callable[[str, int], bool] | None = None

    def read(self, cell: str) -> object:
        """The value of a raw cell: trimmed, unguarded, parsed (raises Invalid).

        A cell longer than the longest value the column allows is that column's length
        problem, however long it is (contract section 1). One short enough to quote back
        says first what the column takes, by its rule ("'nine' must be a whole number from 1 to
        7 (it is 4 characters long; the limit is 1)"); a cell
        the rule accepts is an allowed value, so it is not too long ("007" for 1-7)."""
        cell = unguard_formula(cell.strip())
        if not cell:
            if self.required:
                raise Invalid("is required")
            return self.blank
        if self.longest is None or len(cell) <= self.longest:
            return self.parse(cell)
        too_long = f"is {len(cell):,} characters long; the limit is {self.longest:,}"
        if len(cell) > QUOTED_AT_MOST:
            raise Invalid(too_long)
        try:
            return self.parse(cell)
        except Invalid as error:
            reason = str(error)
            raise Invalid(reason if too_long in reason else f"{reason} (it {too_long})") from None

    def outcome(self, cell: str) -> object:
        """`read`, but an Invalid is returned rather than raised (for the fast path)."""
        try:
            return self.read(cell)
        except Invalid as error:
            return error

    def read_all(self, cells: tuple[str, ...]) -> Sequence[object]:
        """The outcome of each of `cells`, as `outcome` gives it, in order.

        A column whose rule has a `plain` check looks at all the cells at once first: when
        none needs trimming or unguarding, none is too long, only an optional column has blanks
        and the rule takes them all as they are, each cell is its own value (a blank, the
        column's blank). Otherwise, and for the other rules, each cell is read on its own."""
        if self.plain is not None and cells:
            lines = "\n".join(cells)
            if (tuple(map(str.strip, cells)) == cells and not lines.startswith("'") and "\n'" not in lines
                    and max(map(len, cells)) <= self.longest and (not self.required or "" not in cells)
                    and self.plain(lines, len(cells))):
                if "" not in cells:
                    return cells
                blank = self.blank
                return [cell or blank for cell in cells]
        return list(map(self.outcome, cells))


def feature_columns() -> list[Column]:
    return [
        Column("kind", True, _choice(FEATURE_KINDS), longest=max(len(kind) for kind in FEATURE_KINDS)),
        Column("slug", True, _slug, longest=SLUG_LONGEST),
        Column("label", True, _text(80), longest=80),
        Column("description", False, _text(500), longest=500),
    ]


def program_columns(vocabulary: Vocabulary, today: date) -> list[Column]:
    """The columns of programs.csv (from the registry); slug lists are checked against `vocabulary`."""
    return [
        Column(spec.name, spec.required, _rule(spec, vocabulary, today), blank=spec.blank, repeats=spec.repeats,
               longest=spec.longest, plain=_PLAIN_RULES.get(spec.rule))
        for spec in PROGRAM_COLUMNS
    ]


def _rule(spec: ProgramColumn, vocabulary: Vocabulary, today: date) -> Callable[[str], object]:
    """What a cell of the column must be, from the rule the registry names."""
    match spec.rule:
        case "code":
            return _program_code
        case "text":
            return _text(spec.max_length)
        case "state":
            return _state
        case "choice":
            return _choice(spec.choices)
        case "whole":
            return _whole(spec.low, spec.high)
        case "yes_no" | "tri_state":
            return _boolean
        case "slugs":
            return _slug_list(spec.feature_kind, vocabulary.get(spec.feature_kind, ()))
        case "url":
            return _website(spec.max_length)
        case "email":
            return _email(spec.max_length)
        case "past_date":
            return _past_date(today)
        case "date":
            return _date
        case "zip":
            return _zip_code
    raise ValueError(f"no rule {spec.rule!r}")


FEATURE_COLUMN_NAMES = [column.name for column in feature_columns()]


def kind_of_header(names: list[str]) -> str | None:
    """Which kind of file a header row belongs to, or None."""
    names = {name.strip().lower() for name in names}
    if "program_code" in names:
        return PROGRAMS
    if "slug" in names or "kind" in names:
        return FEATURES
    return None


class _Memo(dict):
    """Outcomes of the cells of a column seen before: memo[cell] works one out when it is new
    (and keeps it, up to _MEMO_SIZE cells). `invalid` holds every cell found invalid."""

    def __init__(self, outcome_of: Callable[[str], object]):
        super().__init__()
        self.outcome_of = outcome_of
        self.invalid: set[str] = set()

    def __missing__(self, cell: str) -> object:
        outcome = self.outcome_of(cell)
        if outcome.__class__ is Invalid:
            self.invalid.add(cell)
        if len(self) < _MEMO_SIZE:
            self[cell] = outcome
        return outcome

    def read_all(self, cells: tuple[str, ...]) -> list[object]:
        return list(map(self.__getitem__, cells))


class RowReader:
    """Reads the records of one file of a known kind, given its header row."""

    def __init__(self, columns: list[Column], header: list[str]):
        self.header_problems: list[Problem] = []
        known = {column.name: column for column in columns}
        seen: dict[str, int] = {}
        # Aligned with the header; None where a header cell is unusable.
        self.columns: list[Column | None] = []
        for position, raw in enumerate(header, start=1):
            name = raw.strip().lower()
            self.columns.append(known[name] if name in known and name not in seen else None)
            if not name:
                self._problem(f"column {position}", "the header cell is empty")
            elif name not in known:
                self._problem(raw.strip(), f"unknown column{did_you_mean(name, known)}")
            elif name in seen:
                self._problem(name, f"column appears twice (columns {seen[name]} and {position})")
            else:
                seen[name] = position
        for column in columns:
            if column.required and column.name not in seen:
                self._problem(column.name, "required column is missing")
        self.present = frozenset(seen)
        # Per column in use: its name, its outcome function, and a memo of the
        # outcomes of cells seen before when its values recur (a file's speed).
        self._readers = [(c.name, c.outcome, _Memo(c.outcome) if c.repeats else None)
                         for c in self.columns if c is not None]
        self._used = [c is not None for c in self.columns]
        self._names = tuple(name for name, _, _ in self._readers)
        self._read_alls = [c.read_all if memo is None else memo.read_all
                           for c, (_, _, memo) in zip(filter(None, self.columns), self._readers)]

    def _problem(self, column: str, message: str) -> None:
        self.header_problems.append(Problem(1, column, message))

    def read(self, cells: list[str]) -> tuple[dict[str, object], list[tuple[str, str]]]:
        """Values by column name, and (column, message) for each bad cell."""
        if len(cells) != len(self.columns):
            return {}, [("row", f"has {len(cells)} cells but the header has {len(self.columns)} columns")]
        values: dict[str, object] = {}
        errors: list[tuple[str, str]] = []
        if len(self._readers) < len(cells):
            cells = [cell for cell, used in zip(cells, self._used) if used]
        for (name, outcome_of, memo), cell in zip(self._readers, cells):
            outcome = outcome_of(cell) if memo is None else memo[cell]
            if outcome.__class__ is Invalid:
                errors.append((name, outcome.message))
            else:
                values[name] = outcome
        return values, errors

    def read_many(self, records: list[list[str]]) -> list[tuple[dict[str, object], Sequence[tuple[str, str]]]]:
        """`read` of each of `records`, a column at a time: each column's cells are checked
        together (`Column.read_all`, or its memo), and only a record with a bad cell is read
        again on its own, for its messages."""
        width = len(self.columns)
        if not records or any(len(cells) != width for cells in records):
            return list(map(self.read, records))
        columns = list(zip(*records))
        if len(self._readers) < width:
            columns = [cells for cells, used in zip(columns, self._used) if used]
        outcomes = [read_all(cells) for read_all, cells in zip(self._read_alls, columns)]
        read = [(dict(zip(self._names, row)), ()) for row in zip(*outcomes)]
        for (_, _, memo), cells, found in zip(self._readers, columns, outcomes):
            if found is cells or (memo is not None and memo.invalid.isdisjoint(cells)):
                continue  # every cell is its own value, or none is one the memo found invalid
            for position, outcome in enumerate(found):
                if outcome.__class__ is Invalid:
                    read[position] = self.read(records[position])
        return read
