"""The database models, one module per area."""

from .admin import AdminImport, AdminUser
from .catalog import CatalogState, Feature, Program

__all__ = ["AdminImport", "AdminUser", "CatalogState", "Feature", "Program"]
