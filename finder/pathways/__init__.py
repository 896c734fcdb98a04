"""The pathways page: the routes into interventional radiology, drawn year by year."""

from flask import Blueprint

from .timelines import place_program

bp = Blueprint("pathways", __name__)

# Any page may draw a program's place on the pathways (templates/pathways/_program_timeline.html).
bp.add_app_template_global(place_program, "program_pathway")

from . import routes  # noqa: E402,F401
