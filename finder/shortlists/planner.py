"""The application planner's rules (contract section 7), with no Flask and no database.

Statuses, signals and their labels; signal limits and warnings; the counts shown on the page;
the fee estimate; the season strip's marks; the calendar file. Each function takes the entries
as (entry, program or None) pairs in rank order, as the routes read them.
"""

import calendar as month_names
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .cycle import SEASON_KEYS, Cycle

if TYPE_CHECKING:
    import icalendar

STATUSES = {
    "considering": "Considering",
    "applying": "Applying",
    "applied": "Applied",
    "interview_invited": "Interview invited",
    "interviewed": "Interviewed",
    "ranked": "Ranked",
    "withdrawn": "Withdrawn",
}
# How a count reads on the page: "12 applying, 3 interviews".
STATUS_COUNTS = {
    "considering": ("considering", "considering"),
    "applying": ("applying", "applying"),
    "applied": ("applied", "applied"),
    "interview_invited": ("interview invitation", "interview invitations"),
    "interviewed": ("interview", "interviews"),
    "ranked": ("ranked", "ranked"),
    "withdrawn": ("withdrawn", "withdrawn"),
}
SIGNALS = {"none": "No signal", "gold": "Gold signal", "silver": "Silver signal"}
RANKING = ("interviewed", "ranked")  # the entries of the rank order list
PREPARING = ("considering", "applying")  # whose application deadlines go in the calendar
FEE_STATUSES = ("applying", "applied")  # counted in the fee estimate
INTEGRATED_IR = "integrated_ir"
DR = "diagnostic_radiology"


class SignalLimit(ValueError):
    """A signal past the cycle's limit; the message names the limit."""


def name_of(entry, program) -> str:
    return program.name if program else entry.program_code


def status_counts(items) -> list[tuple[str, int, str]]:
    """(status, count, words) of the statuses that occur, in the order of the season."""
    counts = {status: 0 for status in STATUSES}
    for entry, _ in items:
        counts[entry.status] = counts.get(entry.status, 0) + 1
    return [(status, n, f"{n} {STATUS_COUNTS[status][n != 1]}") for status, n in counts.items() if n]


def counts_sentence(items) -> str:
    parts = [words for _, _, words in status_counts(items)]
    return ", ".join(parts) if parts else "No programs yet"


@dataclass(frozen=True)
class SignalUse:
    pool: str  # "" for the one shared pool, else a specialty
    signal: str
    used: int
    limit: int

    @property
    def words(self) -> str:
        return f"{self.signal.capitalize()} {self.used} of {self.limit}"


def signal_use(items, cycle: Cycle) -> list[SignalUse]:
    """How many gold and silver signals each pool has used, and its limits ("Gold 4 of 6")."""
    pools = [""] if cycle.shared_pool else sorted({cycle.pool(p.program_type) for _, p in items if p} or {""})
    use = []
    for pool in pools:
        for signal in ("gold", "silver"):
            used = sum(1 for entry, program in items if entry.signal == signal
                       and cycle.pool(program.program_type if program else None) == pool)
            use.append(SignalUse(pool, signal, used, cycle.limit(signal)))
    return use


def check_signal(items, code: str, signal: str, cycle: Cycle) -> None:
    """SignalLimit when giving `signal` to the entry of `code` would pass the cycle's limit."""
    if signal == "none":
        return
    target = next(((entry, program) for entry, program in items if entry.program_code == code), None)
    if target is None or target[0].signal == signal:
        return
    pool = cycle.pool(target[1].program_type if target[1] else None)
    used = sum(1 for entry, program in items if entry.signal == signal and entry.program_code != code
               and cycle.pool(program.program_type if program else None) == pool)
    limit = cycle.limit(signal)
    if used >= limit:
        whose = f" for {pool} programs" if pool else ""
        verb = "is" if limit == 1 else "are"
        raise SignalLimit(
            f"{limit} {signal} signal{'' if limit == 1 else 's'}{whose} {verb} already used "
            f"({cycle.name} allows {limit}). Take one back from another program before giving one to "
            f"{name_of(*target)}; nothing was changed."
        )


def signal_warning(program, signal: str) -> str | None:
    """A warning (never a refusal) when a signal goes to a program that may not take part."""
    if signal == "none" or program is None:
        return None
    if program.signals_accepted is False:
        return f"{program.name} does not take part in preference signaling: this signal may be wasted."
    if program.signals_accepted is None:
        return (f"It is not known whether {program.name} takes part in preference signaling: "
                "check with the program before you spend a signal on it.")
    return None


def needs_intern_year(program) -> bool:
    return program is not None and program.intern_year == "separate"


# Fees ---------------------------------------------------------------------------------------

def tier_cost(count: int, cycle: Cycle) -> int:
    """What `count` applications to one specialty cost under the cycle's tiers."""
    cost, start = 0, 0
    for tier in cycle.tiers:
        end = count if tier.up_to is None else min(count, tier.up_to)
        if end <= start:
            break
        cost += tier.total if tier.total is not None else tier.each * (end - start)
        start = end
    return cost


@dataclass
class FeeEstimate:
    lines: list[tuple[str, int, int]] = field(default_factory=list)  # (specialty, applications, dollars)
    not_counted: list[str] = field(default_factory=list)  # names of entries no specialty covers
    total: int = 0


def fee_estimate(items, cycle: Cycle) -> FeeEstimate:
    """The application fees of the entries marked applying or applied, per specialty."""
    counts: dict[str, int] = {}
    estimate = FeeEstimate()
    for entry, program in items:
        if entry.status not in FEE_STATUSES:
            continue
        specialty = cycle.specialties.get(program.program_type) if program else None
        if specialty is None:
            estimate.not_counted.append(name_of(entry, program))
            continue
        counts[specialty] = counts.get(specialty, 0) + 1
    for specialty in sorted(counts):
        cost = tier_cost(counts[specialty], cycle)
        estimate.lines.append((specialty, counts[specialty], cost))
        estimate.total += cost
    return estimate


# The season strip ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    day: date
    kind: str  # "deadline", "interview" or "season"
    text: str
    x: float = 0.0


@dataclass
class Strip:
    months: list[tuple[float, str]]  # (x, "Oct 2026") of each month start
    marks: list[Mark]
    width: int


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def season_marks(items, cycle: Cycle) -> list[Mark]:
    """The dates of the plan in date order: the season's own, deadlines still to meet, interviews."""
    marks = [Mark(day, "season", SEASON_KEYS[key]) for key, day in cycle.season.items()]
    for entry, program in items:
        if program and program.application_deadline and entry.status in PREPARING:
            marks.append(Mark(program.application_deadline, "deadline", f"Application deadline: {program.name}"))
        if entry.interview_on:
            marks.append(Mark(entry.interview_on, "interview", f"Interview: {name_of(entry, program)}"))
    return sorted(marks, key=lambda mark: (mark.day, mark.kind, mark.text))


def season_strip(items, cycle: Cycle, width: int = 720) -> Strip:
    """Months on one axis from the first to the last date of the plan, each date a mark on it."""
    marks = season_marks(items, cycle)
    first = _month_index(min(mark.day for mark in marks))
    last = _month_index(max(mark.day for mark in marks))
    span = last - first + 1
    step = width / span

    def x(day: date) -> float:
        days = month_names.monthrange(day.year, day.month)[1]
        return round((_month_index(day) - first + (day.day - 1) / days) * step, 1)

    months = []
    for index in range(first, last + 1):
        year, month = divmod(index, 12)
        months.append((round((index - first) * step, 1), f"{month_names.month_abbr[month + 1]} {year}"))
    placed = [Mark(mark.day, mark.kind, mark.text, x(mark.day)) for mark in marks]
    return Strip(months, placed, width)


# The calendar -------------------------------------------------------------------------------

def _uid(shortlist_uid: str, kind: str, code: str, host: str) -> str:
    """A UID that stays the same across downloads (so a calendar app updates the event)."""
    digest = hashlib.sha256(f"{shortlist_uid}:{kind}:{code}".encode()).hexdigest()[:32]
    return f"{kind}-{digest}@{host}"


def _event(uid: str, day: date, summary: str, description: str, stamp) -> "icalendar.Event":
    import icalendar  # imported when first needed (0.1 s of every process start otherwise)

    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", date.fromordinal(day.toordinal() + 1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def calendar_file(shortlist_name: str, shortlist_uid: str, items, host: str, stamp) -> bytes:
    """RFC 5545: one all-day event per interview date, one per deadline of an entry still to apply."""
    import icalendar  # imported when first needed (0.1 s of every process start otherwise)

    cal = icalendar.Calendar()
    cal.add("prodid", "-//IR Program Finder//Shortlist planner//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{shortlist_name} (IR Program Finder)")
    for entry, program in items:
        name = name_of(entry, program)
        if entry.interview_on:
            cal.add_component(_event(_uid(shortlist_uid, "interview", entry.program_code, host), entry.interview_on,
                                     f"Interview: {name}", f"Interview day at {name} ({entry.program_code}).", stamp))
        if program and program.application_deadline and entry.status in PREPARING:
            cal.add_component(_event(
                _uid(shortlist_uid, "deadline", entry.program_code, host), program.application_deadline,
                f"Application deadline: {name}",
                f"Application deadline of {name} ({entry.program_code}); status on your list: "
                f"{STATUSES[entry.status].lower()}. Confirm the date with the program.", stamp))
    return cal.to_ical()
