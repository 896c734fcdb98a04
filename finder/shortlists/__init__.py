"""The compare tray, the compare page and saved shortlists."""

from flask import Blueprint

bp = Blueprint("shortlists", __name__)

from . import couples_routes, planner_routes, routes, save_routes  # noqa: E402,F401
