"""How the catalog reports what is wrong with a file, a row or a cell."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, shown as `[path: ]line N: column: message`."""

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
