"""The rules of comparing and shortlisting, with no Flask: codes, limits, the tray, tokens."""

import hashlib
import re
import secrets
from dataclasses import dataclass

MAX_COMPARE = 6
MAX_SHORTLIST = 50
NAME_MAX = 100
NOTE_MAX = 2000
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
LINK_MAX = 500  # a pasted read-only link: the site's address and /s/<token>
_SHARE_LINK = re.compile(r"/s/([A-Za-z0-9_-]{1,64})(?:\.json)?/?(?:[?#].*)?$")


class CodesError(ValueError):
    """Codes that cannot be used; `problems` names every bad one."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def share_token_of(value: str) -> str:
    """The share token of a read-only link as people paste it (`https://host/s/TOKEN`), else the value trimmed."""
    value = value.strip()
    found = _SHARE_LINK.search(value)
    return found.group(1) if found else value


def split_codes(value: str | None) -> list[str]:
    """The codes of one comma-separated value: items trimmed, blanks dropped, duplicates once."""
    codes: list[str] = []
    for item in (value or "").split(","):
        item = item.strip()
        if item and item not in codes:
            codes.append(item)
    return codes


def check_codes(codes: list[str], known: set[str], limit: int) -> None:
    """Raise CodesError naming every problem: none given, too many, or codes not in `known`."""
    if not codes:
        raise CodesError(["No program codes were given. Give at least one, separated by commas."])
    problems = []
    if len(codes) > limit:
        problems.append(f"{len(codes)} programs were given; at most {limit} can be used here.")
    unknown = [code for code in codes if code not in known]
    if unknown:
        shown = ", ".join(f"“{code[:40]}”" for code in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        noun = "code does" if len(unknown) == 1 else "codes do"
        problems.append(f"These program {noun} not exist: {shown}{more}.")
    if problems:
        raise CodesError(problems)


def plausible_codes(codes: list[str]) -> list[str]:
    """The codes that could be program codes at all (worth looking up in the database)."""
    return [code for code in codes if CODE_PATTERN.fullmatch(code)]


@dataclass(frozen=True)
class TrayChange:
    codes: list[str]
    message: str
    ok: bool = True


def add_to_tray(tray: list[str], code: str, name: str) -> TrayChange:
    """Add one program to the compare tray, or say why not (already there, or full)."""
    if code in tray:
        return TrayChange(list(tray), f"{name} is already in the compare tray.")
    if len(tray) >= MAX_COMPARE:
        return TrayChange(
            list(tray),
            f"The compare tray is full: it holds at most {MAX_COMPARE} programs. "
            f"Remove one before adding {name}.",
            ok=False,
        )
    codes = [*tray, code]
    return TrayChange(codes, f"Added {name} to the compare tray ({len(codes)} of {MAX_COMPARE}).")


def remove_from_tray(tray: list[str], code: str, name: str) -> TrayChange:
    codes = [item for item in tray if item != code]
    return TrayChange(codes, f"Removed {name} from the compare tray ({len(codes)} of {MAX_COMPARE}).")


def clean_tray(value: object) -> list[str]:
    """The tray as kept in the session, whatever the cookie held: at most 6 plausible codes."""
    if not isinstance(value, list):
        return []
    return plausible_codes([item for item in value if isinstance(item, str)])[:MAX_COMPARE]


def new_token() -> str:
    """A random URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What is stored of an edit token: its SHA-256, so a copy of the database gives no edit rights."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as typed, minus control characters (NUL cannot even be stored); CR LF becomes LF."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def check_name(name: str) -> str:
    """A shortlist name, trimmed; ValueError unless it is 1-100 characters."""
    name = " ".join(clean_text(name).split())
    if not name:
        raise ValueError("Give the shortlist a name (1 to 100 characters).")
    if len(name) > NAME_MAX:
        raise ValueError(f"The name is {len(name)} characters long; at most {NAME_MAX} are allowed.")
    return name


def bar_steps(values: list[int | None]) -> list[int | None]:
    """Bar widths in 5 % steps (0-20) for numbers, scaled to the largest of them; None for blanks."""
    largest = max((value for value in values if value is not None), default=0)
    if largest <= 0:
        return [None if value is None else 0 for value in values]
    return [None if value is None else round(value * 20 / largest) for value in values]
