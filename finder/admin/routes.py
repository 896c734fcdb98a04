"""Admin pages: thin views over finder.admin.accounts and finder.admin.imports."""

import io
import time
from datetime import date

from flask import (Response, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)
from flask_limiter.util import get_remote_address
from sqlalchemy import func, select
from werkzeug.exceptions import TooManyRequests

from ..catalog import export_programs
from ..catalog.display import column_label
from ..catalog.text import plural
from ..catalog.vocab import PROGRAM_TYPES, REGIONS
from ..catalog.workbook import export_workbook
from ..errors import render_error
from ..extensions import db, limiter
from ..models import Program
from ..models.admin import AdminEdit, AdminImport, AdminUser
from ..programs.routes import finder_index
from ..security import plain_path
from . import accounts, bp, catalog_admin, history as history_log, imports, login_limit
from .forms import ConfirmForm, DeleteForm, LoginForm, LogoutForm, ProgramForm, ProgramsQueryForm, UploadForm

PUBLIC = {"admin.login"}
MAX_CHANGES = 50  # changed fields listed on a page; the record keeps up to the loader's 2,000
LOGIN_FAILED = "That email and password do not match an admin account."


def _login_limit() -> login_limit.Limit:
    return login_limit.Limit.parse(current_app.config.get("ADMIN_LOGIN_LIMIT", "5 per minute"))


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
    return {"logout_form": LogoutForm(formdata=None), "column_label": column_label}


@bp.app_template_filter("plural")
def _plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`{{ n|plural("problem") }}` -> "1 problem", "8 problems": a noun that fits the count."""
    return plural(count, singular, plural_form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        # Counted before the password is checked, in the database all workers share.
        verdict = login_limit.count_attempt(db.session, get_remote_address(), _login_limit(), int(time.time()))
        if not verdict.allowed:
            response, code = render_error(TooManyRequests())
            return response, code, {"Retry-After": str(verdict.retry_after)}
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            login_limit.give_back_attempt(db.session, get_remote_address())
            session.clear()
            session["admin_id"], session["admin_version"] = user.id, user.session_version
            target = plain_path(request.args.get("next"))
            if not (target and target.startswith("/admin/")):
                target = url_for("admin.dashboard")  # a next that is not a plain admin path is ignored
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
        **unlocated_programs(),
    )


def unlocated_programs(shown: int = 100) -> dict:
    """The programs the finder cannot place (from its index): how many, and the first `shown` by code."""
    ids = finder_index().unlocated_ids()
    rows = db.session.execute(
        select(Program.program_code, Program.name).where(Program.id.in_(ids[:shown])).order_by(Program.program_code)
    ).all() if ids else []
    return {"unlocated": len(ids), "unlocated_rows": rows}


@bp.get("/programs")
def programs():
    form = ProgramsQueryForm(request.args)
    if not form.validate():
        name, messages = next(iter(form.errors.items()))
        given = request.args.get(name, "")
        error = f"{form[name].label.text}: '{given}' cannot be used ({' '.join(messages)})"
        return render_template("admin/programs.html", form=form, listing=None, error=error), 400
    listing = catalog_admin.list_programs(
        db.session.connection(), q=form.q.data or "", blank=form.blank.data or None,
        stale_on=date.today() if form.stale.data else None, sort=form.sort.data, page=form.page.data or 1)
    return render_template("admin/programs.html", form=form, listing=listing, error=None)


def _program_or_404(code: str) -> dict[str, str]:
    cells = catalog_admin.stored_cells(db.session.connection(), code)
    if cells is None:
        abort(404)
    return cells


def _secret() -> str:
    return current_app.secret_key


@bp.route("/programs/<code>/edit", methods=["GET", "POST"])
def edit_program(code: str):
    if request.method == "GET":
        cells = _program_or_404(code)
        form = ProgramForm(data={**cells, "opened_with": catalog_admin.seal(_secret(), cells)})
        return _edit_page(form, code, cells)
    form = ProgramForm()
    opened = catalog_admin.unseal(_secret(), form.opened_with.data)
    cells = catalog_admin.stored_cells(db.session.connection(), code) or opened
    if cells is None:
        abort(404)
    if not form.validate_on_submit() or opened is None:
        return _edit_page(form, code, cells, damaged=opened is None), 400
    outcome = catalog_admin.save_if_unchanged(db.engine, code, opened, form.cells())
    if isinstance(outcome, catalog_admin.Conflict):
        mine = catalog_admin.field_changes(opened, {**form.cells(), "program_code": code})
        return render_template("admin/conflict.html", code=code, name=cells["name"], conflict=outcome,
                               mine=mine, action="save"), 409
    if not outcome.ok:
        return _edit_page(form, code, cells, problems=outcome.problems), 422
    changes = outcome.files[0].changes if outcome.files else []
    if changes:
        history_log.record_edit(db.session, g.admin.id, code, form.cells()["name"], changes)
        flash(f"Saved {code}: {plural(len(changes), 'field')} changed.", "success")
    else:
        flash(f"Nothing to save: {code} already has these values.", "success")
    return redirect(url_for("admin.edit_program", code=code), 303)


def _edit_page(form, code: str, cells: dict, problems=(), damaged: bool = False):
    general = ["This form was damaged or is too old. Open the program again."] if damaged else []
    for problem in problems:
        field = form._fields.get(problem.column)
        if field is not None and problem.column not in ("csrf_token", "opened_with"):
            field.errors = [*field.errors, problem.message]
        else:
            general.append(f"{column_label(problem.column)}: {problem.message}")
    return render_template("admin/edit.html", form=form, code=code, name=cells["name"], general=general)


@bp.route("/programs/<code>/delete", methods=["GET", "POST"])
def delete_program(code: str):
    cells = _program_or_404(code)
    if request.method == "GET":
        form = DeleteForm(data={"opened_with": catalog_admin.seal(_secret(), cells)})
        return render_template("admin/delete.html", form=form, code=code, cells=cells)
    form = DeleteForm()
    opened = catalog_admin.unseal(_secret(), form.opened_with.data)
    if not form.validate_on_submit() or opened is None:
        abort(400)
    outcome = catalog_admin.delete_program(db.engine, code, opened)
    if isinstance(outcome, catalog_admin.Conflict):
        return render_template("admin/conflict.html", code=code, name=cells["name"], conflict=outcome,
                               mine=[], action="delete"), 409
    history_log.record_delete(db.session, g.admin.id, code, outcome)
    flash(f"Deleted {code} ({cells['name']}).", "success")
    return redirect(url_for("admin.programs"), 303)


@bp.route("/import", methods=["GET", "POST"])
@limiter.limit(_upload_limit, methods=["POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("admin/upload.html", form=form), 400 if request.method == "POST" else 200
    data = form.file.data.read()
    preview = imports.preview(db.engine, db.session, g.admin.id, form.file.data.filename, data,
                              prune=form.prune.data, retention_days=_retention_days())
    problems = [(problem.line, problem.column, problem.message) for problem in preview.problems]
    return render_template("admin/preview.html", preview=preview, record=preview.record, problems=problems,
                           confirm_form=ConfirmForm(), max_changes=MAX_CHANGES), 200 if preview.ok else 422


def _retention_days() -> int:
    return int(current_app.config.get("ADMIN_UPLOAD_RETENTION_DAYS", imports.DEFAULT_RETENTION_DAYS))


@bp.post("/import/<token>/confirm")
def confirm(token: str):
    record = imports.find(db.session, token)
    if record is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if record.status != "previewed" or record.data is None:
        return render_template("admin/confirm_refused.html", record=record,
                               reason="This upload cannot be applied (it was applied already, had problems, "
                                      "or its file was deleted after the retention period)."), 409
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
    return redirect(url_for("admin.import_detail", import_id=record.id), 303)


@bp.get("/history")
def history():
    entries = history_log.entries(db.session)
    return render_template("admin/history.html", entries=entries)


@bp.get("/imports")
def imports_history():
    return redirect(url_for("admin.history"), 301)


def _import_or_404(import_id: int) -> AdminImport:
    record = db.session.get(AdminImport, import_id)
    if record is None:
        abort(404)
    return record


@bp.get("/imports/<int:import_id>")
def import_detail(import_id: int):
    record = _import_or_404(import_id)
    return render_template("admin/import_detail.html", record=record, who=history_log.email_of(db.session, record.user_id),
                           outcome=history_log.import_outcome(record), problems=history_log.first_problems(record),
                           max_changes=MAX_CHANGES)


@bp.get("/imports/<int:import_id>/problems.csv")
def import_problems(import_id: int):
    record = _import_or_404(import_id)
    name = record.filename.rsplit(".", 1)[0] + "-problems.csv"
    return Response(imports.problems_csv(record), mimetype="text/csv",
                    headers={"Content-Disposition": _attachment(name)})


@bp.get("/imports/<int:import_id>/file")
def import_file(import_id: int):
    record = _import_or_404(import_id)
    if record.data is None:
        abort(410, "This file was deleted after the retention period (it was never applied).")
    mimetype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if record.format == "xlsx"
                else "text/csv")
    return Response(record.data, mimetype=mimetype, headers={"Content-Disposition": _attachment(record.filename)})


@bp.get("/edits/<int:edit_id>")
def edit_detail(edit_id: int):
    edit = db.session.get(AdminEdit, edit_id)
    if edit is None:
        abort(404)
    return render_template("admin/edit_detail.html", edit=edit, who=history_log.email_of(db.session, edit.user_id))


def _attachment(filename: str) -> str:
    """A Content-Disposition value for a name the visitor gave (ASCII fallback plus the UTF-8 name)."""
    from urllib.parse import quote

    ascii_name = "".join(ch if ch.isascii() and ch.isalnum() or ch in "._-" else "_" for ch in filename) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@bp.get("/export")
def export_page():
    return render_template("admin/export.html")


@bp.get("/export.csv")
def export():
    out = io.StringIO()
    with db.engine.connect() as connection:
        export_programs(connection, out)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=programs.csv"})


@bp.get("/export.xlsx")
def export_xlsx():
    out = io.BytesIO()  # a workbook is compressed: about 8 MB at 100,000 programs
    with db.engine.connect() as connection:
        export_workbook(connection, out)
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=programs.xlsx"})
