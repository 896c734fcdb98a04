"""Pages that belong to no single area: the home page."""

from flask import Blueprint, redirect, url_for

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return redirect(url_for("programs.index"))
