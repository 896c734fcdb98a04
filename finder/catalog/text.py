"""Text helpers shared by the loader, the export and the finder's keyword search."""

import re
import unicodedata

# Cells that a spreadsheet would run as a formula start with one of these.
FORMULA_STARTS = ("'", "=", "+", "-", "@", "\t", "\r")

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: "Cañon City" -> "canon city"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of `text`, the units keyword search matches against."""
    return folded_words(fold(text))


def folded_words(folded: str) -> list[str]:
    """The words of text that is already folded (see `words`)."""
    return _WORD.findall(folded.replace("_", " "))


def guard_formula(cell: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with `'`."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def unguard_formula(cell: str) -> str:
    """Undo `guard_formula`: drop a `'` that precedes a formula start."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "'=+-@\t\r":
        return cell[1:]
    return cell


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` with the noun that fits it, thousands separated: "1 problem", "1,204 problems"."""
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {noun}"
