"""Shortlists in the database: create, find by token, and every edit, safe under concurrency.

Every edit first takes the list's lock (`lock_for_edit`: an UPDATE of the list's row, a row lock
on PostgreSQL and the write lock on SQLite) and then reads the entries afresh, so two people
editing one list at the same time are serialised and never drop or duplicate a program.
The functions take a SQLAlchemy session; the caller commits.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from ..catalog.tables import utcnow
from ..models import Program, Shortlist, ShortlistEntry
from .rules import (
    MAX_SHORTLIST, NOTE_MAX, TOKEN_PATTERN, CodesError, check_codes, hash_token, new_token, plausible_codes,
)


def programs_by_code(session: Session, codes: list[str]) -> dict[str, Program]:
    """The programs (with their features) of those codes that exist."""
    wanted = plausible_codes(codes)
    if not wanted:
        return {}
    query = select(Program).where(Program.program_code.in_(wanted)).options(selectinload(Program.features))
    return {program.program_code: program for program in session.scalars(query)}


def checked_programs(session: Session, codes: list[str], limit: int) -> list[Program]:
    """The programs of `codes` in their order; CodesError naming every bad code."""
    found = programs_by_code(session, codes)
    check_codes(codes, set(found), limit)
    return [found[code] for code in codes]


def create(session: Session, name: str, codes: list[str]) -> tuple[Shortlist, str]:
    """A new shortlist of existing programs, ranked in the order given; returns it and its edit token."""
    checked_programs(session, codes, MAX_SHORTLIST)
    edit_token = new_token()
    shortlist = Shortlist(name=name, edit_token_hash=hash_token(edit_token), share_token=new_token())
    shortlist.entries = [ShortlistEntry(program_code=code, rank=rank, note="") for rank, code in enumerate(codes, 1)]
    session.add(shortlist)
    session.flush()
    return shortlist, edit_token


def by_edit_token(session: Session, token: str) -> Shortlist | None:
    return session.scalar(select(Shortlist).where(Shortlist.edit_token_hash == hash_token(token)))


def by_share_token(session: Session, token: str) -> Shortlist | None:
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    return session.scalar(select(Shortlist).where(Shortlist.share_token == token))


def lock_for_edit(session: Session, token: str) -> Shortlist | None:
    """The shortlist of an edit token, locked for this transaction (None for a wrong token)."""
    statement = (
        update(Shortlist)
        .where(Shortlist.edit_token_hash == hash_token(token))
        .values(updated_at=utcnow())
        .returning(Shortlist.id)
    )
    shortlist_id = session.execute(statement).scalar_one_or_none()
    if shortlist_id is None:
        return None
    return session.get(Shortlist, shortlist_id, populate_existing=True)


def entries(session: Session, shortlist: Shortlist) -> list[ShortlistEntry]:
    """The entries as they are in the database now, first rank first."""
    query = (
        select(ShortlistEntry)
        .where(ShortlistEntry.shortlist_id == shortlist.id)
        .order_by(ShortlistEntry.rank, ShortlistEntry.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def _renumber(ordered: list[ShortlistEntry]) -> None:
    for rank, entry in enumerate(ordered, 1):
        if entry.rank != rank:
            entry.rank = rank


def _entry(ordered: list[ShortlistEntry], code: str) -> ShortlistEntry:
    for entry in ordered:
        if entry.program_code == code:
            return entry
    raise LookupError(code)


def add(session: Session, shortlist: Shortlist, codes: list[str]) -> list[str]:
    """Add existing programs at the end (those already on the list are skipped); returns the added codes.

    CodesError when a code does not exist or the list would hold more than 50 programs.
    """
    ordered = entries(session, shortlist)
    present = {entry.program_code for entry in ordered}
    new = [code for code in codes if code not in present]
    checked_programs(session, codes, MAX_SHORTLIST)
    if len(ordered) + len(new) > MAX_SHORTLIST:
        raise CodesError([
            f"A shortlist holds at most {MAX_SHORTLIST} programs; this one has {len(ordered)}, "
            f"so {len(new)} more do not fit."
        ])
    for rank, code in enumerate(new, len(ordered) + 1):
        session.add(ShortlistEntry(shortlist_id=shortlist.id, program_code=code, rank=rank, note=""))
    _renumber(ordered)
    return new


def move(session: Session, shortlist: Shortlist, code: str, direction: str) -> int:
    """Move one entry a place up or down; returns its new rank. LookupError if it is not on the list."""
    ordered = entries(session, shortlist)
    entry = _entry(ordered, code)
    index = ordered.index(entry)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    return ordered.index(entry) + 1


def set_note(session: Session, shortlist: Shortlist, code: str, note: str) -> ShortlistEntry:
    """Replace an entry's private note (at most 2,000 characters). LookupError if not on the list."""
    if len(note) > NOTE_MAX:
        raise ValueError(f"The note is {len(note)} characters long; at most {NOTE_MAX} are allowed.")
    entry = _entry(entries(session, shortlist), code)
    entry.note = note
    return entry


def remove(session: Session, shortlist: Shortlist, code: str) -> int:
    """Take an entry off the list and close the gap in the ranks; returns the rank it had.

    LookupError if it is not on the list.
    """
    ordered = entries(session, shortlist)
    entry = _entry(ordered, code)
    rank = ordered.index(entry) + 1
    ordered.remove(entry)
    session.delete(entry)
    session.flush()
    _renumber(ordered)
    return rank


def rename(session: Session, shortlist: Shortlist, name: str) -> None:
    shortlist.name = name


def delete(session: Session, shortlist: Shortlist) -> None:
    session.delete(shortlist)


def set_plan(session: Session, shortlist: Shortlist, code: str, status: str, signal: str, interview_on,
             check_signal) -> tuple[ShortlistEntry, Program | None]:
    """Set an entry's status, signal and interview date (contract section 7).

    `check_signal(items, code, signal)` sees every entry as it is now, under the list's lock, and
    raises to refuse (SignalLimit); then nothing is changed. LookupError if not on the list.
    """
    ordered = entries(session, shortlist)
    entry = _entry(ordered, code)
    programs = programs_by_code(session, [item.program_code for item in ordered])
    check_signal([(item, programs.get(item.program_code)) for item in ordered], code, signal)
    entry.status, entry.signal, entry.interview_on = status, signal, interview_on
    return entry, programs.get(code)


def place(session: Session, shortlist: Shortlist, code: str, position: int, among: set[str] | None = None) -> tuple[int, int]:
    """Move an entry to `position` (1 = first; past either end = that end) among the entries of `among`.

    The entries of `among` (all when None) are reordered within the places they hold, so the rest
    of the list keeps its ranks: the rank order list reorders only its own programs. Returns the
    entry's new position among them and how many they are. LookupError if not among them.
    """
    ordered = entries(session, shortlist)
    chosen = [entry for entry in ordered if among is None or entry.program_code in among]
    entry = _entry(chosen, code)
    slots = [ordered.index(item) for item in chosen]
    chosen.remove(entry)
    position = max(1, min(position, len(chosen) + 1))
    chosen.insert(position - 1, entry)
    for slot, item in zip(slots, chosen):
        ordered[slot] = item
    _renumber(ordered)
    return position, len(chosen)
