"""How the catalog reports what is wrong with a file, a row or a cell."""

from typing import NamedTuple


class Problem(NamedTuple):
    """One problem, shown as `[path: ]line N: column: message`.

    A named tuple, not a dataclass: a bad 5 MB file has a million problems, and a tuple is
    several times cheaper to make (ordered and compared field by field all the same).
    """

    line: int
    column: str
    message: str
    path: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}line {self.line}: {self.column}: {self.message}"


class Invalid(ValueError):
    """A cell's value breaks its column's rule; the message says how."""

    @property
    def message(self) -> str:
        return str(self.args[0])
