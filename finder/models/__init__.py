"""The database models, one module per area."""

from .catalog import CatalogState, Feature, Program

__all__ = ["CatalogState", "Feature", "Program"]
