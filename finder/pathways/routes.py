from flask import current_app, render_template

from ..extensions import db
from . import bp
from .timelines import AXIS_YEARS, PATHWAYS, PHASES, pathway_counts


@bp.get("/pathways")
def index():
    return render_template(
        "pathways/index.html",
        pathways=PATHWAYS,
        phases=PHASES,
        counts=pathway_counts(db.session, current_app.extensions.setdefault("finder", {})),
        axis_years=AXIS_YEARS,
    )
