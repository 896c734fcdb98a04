"""The database models, one module per area."""

from .admin import AdminEdit, AdminImport, AdminUser
from .catalog import CatalogState, Feature, Program
from .limits import LoginAttempt
from .shortlists import Shortlist, ShortlistEntry

__all__ = ["AdminEdit", "AdminImport", "AdminUser", "CatalogState", "Feature", "LoginAttempt", "Program", "Shortlist",
           "ShortlistEntry"]
