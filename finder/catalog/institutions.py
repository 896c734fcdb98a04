"""Which programs belong to the same institution: one matching rule for every part of the app.

The program page's "Also at this institution", the compare page's offer of the DR program
of an IR program's institution, and the planner's IR + DR plan all use `same_institution`
or the stored `institution_key` it compares (the loader stores it beside each program, so
finding the programs of an institution is one indexed lookup).
"""

from functools import lru_cache

from .text import words


@lru_cache(maxsize=65536)  # institutions repeat from row to row of a file
def institution_key(name: str) -> str:
    """An institution's name as programs are matched by it: case-, accent- and punctuation-insensitive.

    `Hôpital Saint-Luc` and `HOPITAL SAINT LUC` give `hopital saint luc`.
    """
    return " ".join(words(name))


def same_institution(a: str, b: str) -> bool:
    """Whether two institution names name the same institution (a name with no letters matches none)."""
    key = institution_key(a)
    return bool(key) and key == institution_key(b)
