"""Admin pages: thin views over finder.admin.accounts and finder.admin.imports."""

import io
from datetime import date

from flask import (Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from sqlalchemy import func, select

from ..catalog import export_programs
from ..catalog.vocab import PROGRAM_TYPES, REGIONS
from ..extensions import db, limiter
from ..models import Program
from ..models.admin import AdminUser
from ..programs.routes import finder_index
from . import accounts, bp, catalog_admin, imports
from .forms import ConfirmForm, DeleteForm, LoginForm, LogoutForm, ProgramForm, UploadForm

PUBLIC = {"admin.login"}
LOGIN_FAILED = "That email and password do not match an admin account."


def _login_limit() -> str:
    return current_app.config.get("ADMIN_LOGIN_LIMIT", "5 per minute")


def _upload_limit() -> str:
    return current_app.config.get("ADMIN_UPLOAD_LIMIT", "30 per minute")


@bp.before_request
def _require_admin():
    g.admin = None
    user_id, version = session.get("admin_id"), session.get("admin_version")
    if user_id is not None:
        user = db.session.get(AdminUser, user_id)
        if user is not None and user.session_version == version:
            g.admin = user
    if g.admin is None and request.endpoint not in PUBLIC:
        return redirect(url_for("admin.login", next=request.path if request.method == "GET" else None))


@bp.after_request
def _not_cached(response):
    """Admin pages hold unpublished data and the admin's session: never stored by caches."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _forms():
    # formdata=None: never read the request body here (an error page may be rendering a 413).
    return {"logout_form": LogoutForm(formdata=None)}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 303)
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            session.clear()
            session["admin_id"], session["admin_version"] = user.id, user.session_version
            target = request.args.get("next", "")
            if not (target.startswith("/admin/") and not target.startswith("//")):
                target = url_for("admin.dashboard")
            return redirect(target, 303)
        form.password.errors.append(LOGIN_FAILED)
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout():
    if LogoutForm().validate_on_submit():
        accounts.end_sessions(db.session, g.admin.id)
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("admin.login"), 303)


@bp.get("/")
def dashboard():
    by_type = dict(db.session.execute(select(Program.program_type, func.count()).group_by(Program.program_type)).all())
    by_region = dict(db.session.execute(select(Program.region, func.count()).group_by(Program.region)).all())
    return render_template(
        "admin/dashboard.html",
        by_type=[(label, by_type.get(key, 0)) for key, label in PROGRAM_TYPES.items()],
        by_region=[(label, by_region.get(key, 0)) for key, label in REGIONS.items()],
        total=sum(by_type.values()),
        completeness=catalog_admin.completeness(db.session.connection()),
        stale=catalog_admin.count_stale(db.session.connection(), date.today()),
        unlocated=len(finder_index().unlocated_ids()),
    )


@bp.get("/programs")
def programs():
    blank = request.args.get("blank") or None
    stale = request.args.get("stale") == "1"
    unlocated = request.args.get("unlocated") == "1"
    if blank and blank not in catalog_admin.OPTIONAL_COLUMNS:
        error = f"blank: '{blank}' is not an optional column; use one of " + ", ".join(catalog_admin.OPTIONAL_COLUMNS)
        return render_template("admin/programs.html", rows=[], blank=None, stale=False, error=error), 400
    rows = catalog_admin.list_programs(db.session.connection(), blank=blank,
                                       stale_on=date.today() if stale else None,
                                       ids=finder_index().unlocated_ids() if unlocated else None)
    return render_template("admin/programs.html", rows=rows, blank=blank, stale=stale, unlocated=unlocated)


def _program_or_404(code: str) -> Program:
    program = db.session.scalar(select(Program).where(Program.program_code == code))
    if program is None:
        abort(404)
    return program


@bp.route("/programs/<code>/edit", methods=["GET", "POST"])
def edit_program(code: str):
    program = _program_or_404(code)
    if request.method == "GET":
        form = ProgramForm(data=catalog_admin.program_cells(program.to_record()))
        return render_template("admin/edit.html", form=form, program=program, general=[])
    form = ProgramForm()
    if not form.validate_on_submit():
        return render_template("admin/edit.html", form=form, program=program, general=[]), 400
    result = catalog_admin.save_program(db.engine, {**form.cells(), "program_code": code})
    if not result.ok:
        general = []
        for problem in result.problems:
            field = form._fields.get(problem.column)
            if field is not None and problem.column != "csrf_token":
                field.errors = [*field.errors, problem.message]
            else:
                general.append(f"{problem.column}: {problem.message}")
        return render_template("admin/edit.html", form=form, program=program, general=general), 422
    flash(f"Saved {code}.", "success")
    return redirect(url_for("admin.edit_program", code=code), 303)


@bp.route("/programs/<code>/delete", methods=["GET", "POST"])
def delete_program(code: str):
    program = _program_or_404(code)
    form = DeleteForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        catalog_admin.delete_program(db.engine, code)
        flash(f"Deleted {code} ({program.name}).", "success")
        return redirect(url_for("admin.programs"), 303)
    return render_template("admin/delete.html", form=form, program=program)


@bp.route("/import", methods=["GET", "POST"])
@limiter.limit(_upload_limit, methods=["POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("admin/upload.html", form=form), 400 if request.method == "POST" else 200
    data = form.file.data.read()
    preview = imports.preview(db.engine, db.session, g.admin.id, form.file.data.filename, data,
                              prune=form.prune.data)
    return render_template("admin/preview.html", preview=preview, record=preview.record,
                           confirm_form=ConfirmForm(), max_changes=50), 200 if preview.ok else 422


@bp.post("/import/<token>/confirm")
def confirm(token: str):
    record = imports.find(db.session, token)
    if record is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if record.status != "previewed":
        return render_template("admin/confirm_refused.html", record=record,
                               reason="This upload cannot be applied (it was applied already or had problems)."), 409
    result = imports.apply(db.engine, db.session, record)
    if result.stale:
        return render_template("admin/confirm_refused.html", record=record,
                               reason="The catalog changed after this preview. Upload the file again to "
                                      "see a fresh preview, then confirm that."), 409
    if not result.applied:
        return render_template("admin/confirm_refused.html", record=record,
                               reason="The file no longer passes the checks. Upload it again to see why."), 409
    flash(f"Applied {record.filename}: added {record.added}, updated {record.updated}, "
          f"unchanged {record.unchanged}, removed {record.removed}.", "success")
    return redirect(url_for("admin.history"), 303)


@bp.get("/imports")
def history():
    records = imports.history(db.session)
    emails = dict(db.session.execute(select(AdminUser.id, AdminUser.email)).all())
    return render_template("admin/history.html", records=records, emails=emails)


@bp.get("/export.csv")
def export():
    out = io.StringIO()
    with db.engine.connect() as connection:
        export_programs(connection, out)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=programs.csv"})
