"""The finder page, program pages and the JSON API."""

from flask import Blueprint

bp = Blueprint("programs", __name__)
api_bp = Blueprint("api", __name__, url_prefix="/api")

from . import api, routes  # noqa: E402,F401
