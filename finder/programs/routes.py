from flask import abort, render_template, request
from sqlalchemy import func, select

from ..extensions import db
from ..models import Program
from . import bp

PER_PAGE = 25


@bp.get("/programs")
def index():
    page = request.args.get("page", 1, type=int) or 1
    total = db.session.scalar(select(func.count()).select_from(Program))
    programs = db.session.scalars(
        select(Program).order_by(func.lower(Program.name), Program.program_code).limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)
    ).all()
    return render_template("programs/index.html", programs=programs, total=total, page=page, per_page=PER_PAGE)


@bp.get("/programs/<program_code>")
def detail(program_code: str):
    program = db.session.scalar(select(Program).where(Program.program_code == program_code))
    if program is None:
        abort(404)
    return render_template("programs/detail.html", program=program)
