"""Admin accounts, CSV import with preview and apply, the data-quality dashboard."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
from . import cli, routes  # noqa: E402,F401
