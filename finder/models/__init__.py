"""The database models, one module per area."""

from .catalog import CatalogState, Feature, Program
from .shortlists import Shortlist, ShortlistEntry

__all__ = ["CatalogState", "Feature", "Program", "Shortlist", "ShortlistEntry"]
