"""Pages that belong to no single area: the home page."""

import logging
from datetime import date

from flask import Blueprint, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)


ROUTE_NOTES = {
    "integrated_ir": "IR from medical school: one match, about 6 years",
    "independent_ir": "After a diagnostic radiology residency, 1 to 2 years",
    "diagnostic_radiology": "Diagnostic radiology first; ESIR brings IR into its last years",
    "fellowship": "A year of IR after diagnostic radiology",
}


@bp.get("/")
def home():
    """A search box and quick starts by route, ESIR and region, each with its number of programs."""
    from .catalog.vocab import PROGRAM_TYPES, REGIONS
    from .programs.routes import finder_index
    from .programs.search import Query

    try:
        facets = finder_index().search(Query(), date.today()).facets
    except SQLAlchemyError:  # the database is away: the quick starts still work, without their numbers
        log.exception("home page without program counts")
        db.session.rollback()
        facets = {"type": {}, "region": {}, "esir": {}}
    routes = [(value, label, facets["type"].get(value, 0), ROUTE_NOTES.get(value, "")) for value, label in PROGRAM_TYPES.items()]
    regions = [(value, label, facets["region"].get(value, 0)) for value, label in REGIONS.items()]
    return render_template("pages/home.html", routes=routes, regions=regions, esir=facets["esir"].get("1", 0))


@bp.get("/healthz")
def health():
    """For load balancers and the benchmark: the app answers (no database work)."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/readyz")
def ready():
    """For load balancers: this instance can reach its database (503 when it cannot)."""
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("Readiness check: the database does not answer", exc_info=True)
        return "database unavailable", 503, headers
    return "ok", 200, headers
