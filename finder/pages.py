"""Pages that belong to no single area: the home page."""

import logging

from flask import Blueprint, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("pages/home.html")


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
