"""The rules of the data: CSV reading, row validation, loading, export.

Plain Python and SQLAlchemy, no Flask: the command line, the admin screens
and the tests all call these same functions.
"""

from .export import export_programs
from .generate import generate_programs
from .load import FileResult, LoadResult, Source, bump_version, collection_paused, load_catalog, lock_catalog
from .problems import Problem

__all__ = [
    "FileResult",
    "LoadResult",
    "Problem",
    "Source",
    "bump_version",
    "collection_paused",
    "export_programs",
    "generate_programs",
    "load_catalog",
    "lock_catalog",
]
