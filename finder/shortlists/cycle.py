"""The application cycle's rules (signal limits, fee schedule, season dates) from seed/cycle.toml.

No Flask here: the app reads the file once at start (`finder.shortlists.planner_routes`), and
`flask seed cycle` checks a file for an admin. Every problem is reported at once, as
`PATH: key: message` (`PATH: line N: ...` when the file is not valid TOML).
"""

import difflib
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..catalog.vocab import PROGRAM_TYPES

SIGNAL_MAX = 50  # more than any cycle has had; a typo (60 for 6) is refused
FEE_MAX = 10_000  # US dollars for one tier
SEASON_KEYS = {
    "applications_open": "Applications open",
    "programs_receive": "Programs receive applications",
    "interviews_from": "Interview season starts",
    "interviews_until": "Interview season ends",
    "rank_list_deadline": "Rank order list deadline",
    "match_day": "Match Day",
}
TOP_KEYS = {"name", "source", "source_url", "checked_on", "signals", "season", "fees"}


class CycleError(ValueError):
    """A cycle file that cannot be used; `problems` lists every problem, each naming its key."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Tier:
    up_to: int | None  # None: no upper end (the last tier)
    total: int | None  # one price for the whole tier
    each: int | None  # or a price per application


@dataclass(frozen=True)
class Cycle:
    name: str
    source: str
    source_url: str | None
    checked_on: date
    gold: int
    silver: int
    shared_pool: bool
    season: dict[str, date]
    tiers: tuple[Tier, ...]
    specialties: dict[str, str]  # program_type -> ERAS specialty

    def limit(self, signal: str) -> int:
        return {"gold": self.gold, "silver": self.silver}.get(signal, 0)

    def pool(self, program_type: str | None) -> str:
        """The pool of signals a program draws from: one for all, or its specialty's own."""
        if self.shared_pool or program_type is None:
            return ""
        return self.specialties.get(program_type) or PROGRAM_TYPES.get(program_type, program_type)


def _nearest(key: str, known) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean “{close[0]}”?)" if close else ""


class _Checker:
    """Collects the problems of one file while reading its values."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.path}: {key}: {message}")

    def unknown(self, table: dict, known, prefix: str = "") -> None:
        for key in table:
            if key not in known:
                self.problem(prefix + key, "not a setting of the cycle file" + _nearest(key, known) + "; remove it")

    def table(self, data: dict, key: str) -> dict:
        value = data.get(key)
        if isinstance(value, dict):
            return value
        self.problem(key, "missing: the file needs a [" + key + "] section" if value is None else
                     f"must be a section [{key}], not a single value")
        return {}

    def text(self, data: dict, key: str, required: bool = True, longest: int = 300) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "missing: give it as text in quotes" if value is None else "must be text in quotes, not empty")
            return None
        if len(value) > longest:
            self.problem(key, f"is {len(value)} characters long; at most {longest} are allowed")
        return value.strip()

    def whole(self, data: dict, key: str, low: int, high: int, label: str = "") -> int | None:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            shown = "missing" if value is None else f"“{value}” is not allowed"
            self.problem(label or key, f"{shown}: give a whole number from {low} to {high}, without quotes")
            return None
        return value

    def day(self, data: dict, key: str, label: str) -> date | None:
        value = data.get(key)
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        shown = "missing" if value is None else f"“{value}” is not a date"
        self.problem(label, f"{shown}: give a date as YYYY-MM-DD, without quotes (for example 2026-09-24)")
        return None


def parse_cycle(text: str, path: str = "seed/cycle.toml") -> Cycle:
    """The cycle of a file's text; CycleError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CycleError([f"{path}: {error}"]) from None
    check = _Checker(path)
    check.unknown(data, TOP_KEYS)
    name = check.text(data, "name", longest=120)
    source = check.text(data, "source")
    source_url = check.text(data, "source_url", required=False)
    if source_url and not source_url.startswith(("https://", "http://")):
        check.problem("source_url", "must be an address starting with https:// or http://")
    checked_on = check.day(data, "checked_on", "checked_on")
    signals = check.table(data, "signals")
    check.unknown(signals, {"gold", "silver", "shared_pool"}, "signals.")
    gold = check.whole(signals, "gold", 0, SIGNAL_MAX, "signals.gold")
    silver = check.whole(signals, "silver", 0, SIGNAL_MAX, "signals.silver")
    shared = signals.get("shared_pool")
    if not isinstance(shared, bool):
        check.problem("signals.shared_pool", "missing: give true or false, without quotes" if shared is None else
                      f"“{shared}” is not allowed: give true or false, without quotes")
    season = _season(check, check.table(data, "season"))
    fees = check.table(data, "fees")
    check.unknown(fees, {"tiers", "specialties"}, "fees.")
    tiers = _tiers(check, fees.get("tiers"))
    specialties = _specialties(check, fees.get("specialties"))
    if check.problems:
        raise CycleError(check.problems)
    return Cycle(name, source, source_url, checked_on, gold, silver, shared, season, tiers, specialties)


def _season(check: _Checker, table: dict) -> dict[str, date]:
    check.unknown(table, SEASON_KEYS, "season.")
    season = {key: check.day(table, key, f"season.{key}") for key in SEASON_KEYS}
    days = [season[key] for key in SEASON_KEYS]
    if None not in days:
        for (first, earlier), (second, later) in zip(zip(SEASON_KEYS, days), list(zip(SEASON_KEYS, days))[1:]):
            if later < earlier:
                check.problem(f"season.{second}", f"{later} lies before season.{first} ({earlier}); "
                              "the season's dates must follow one another in the order of the file")
    return season


def _tiers(check: _Checker, value) -> tuple[Tier, ...]:
    if not isinstance(value, list) or not value:
        check.problem("fees.tiers", "missing: give a list of tiers, e.g. tiers = [{ up_to = 10, total = 99 }, { each = 26 }]")
        return ()
    tiers, previous = [], 0
    for number, item in enumerate(value, 1):
        key = f"fees.tiers, tier {number}"
        if not isinstance(item, dict):
            check.problem(key, "must be written { up_to = N, total = N } or { up_to = N, each = N }")
            continue
        check.unknown(item, {"up_to", "total", "each"}, key + ": ")
        last = number == len(value)
        up_to = None
        if "up_to" in item or not last:
            up_to = check.whole(item, "up_to", previous + 1, 10_000, key + ": up_to")
        if ("total" in item) == ("each" in item):
            check.problem(key, "give either total (one price for the tier) or each (a price per application)")
        total = check.whole(item, "total", 0, FEE_MAX, key + ": total") if "total" in item else None
        each = check.whole(item, "each", 0, FEE_MAX, key + ": each") if "each" in item else None
        if last and up_to is not None:
            check.problem(key, "the last tier must have no up_to, so that every number of applications has a price")
        tiers.append(Tier(up_to, total, each))
        previous = up_to or previous
    return tuple(tiers)


def _specialties(check: _Checker, value) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        check.problem("fees.specialties", "missing: give a section [fees.specialties] naming the ERAS specialty of each program type")
        return {}
    check.unknown(value, PROGRAM_TYPES, "fees.specialties.")
    names = {key: _specialty(check, value, key) for key in value if key in PROGRAM_TYPES}
    return {key: name for key, name in names.items() if name}


def _specialty(check: _Checker, table: dict, key: str) -> str | None:
    value = table[key]
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        check.problem(f"fees.specialties.{key}", "must be the specialty's name in quotes, 1 to 100 characters")
        return None
    return value.strip()


def load_cycle(path: Path | str) -> Cycle:
    """The cycle of a file; CycleError naming every problem (also when the file cannot be read)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CycleError([f"{path}: cannot be read ({error.__class__.__name__}: {error})"]) from None
    return parse_cycle(text, str(path))
