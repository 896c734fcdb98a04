""""Save to…" one of this browser's shortlists, from the finder's results and the program page (issue 14.14).

The page never holds an edit token: the form names a list by its id, and the token is looked up
in this browser's session ("My shortlists"), so only a browser that opened a list can add to it.
"""

from flask import flash, redirect, render_template, request, session, url_for
from werkzeug.exceptions import BadRequest

from ..errors import render_error
from ..extensions import db
from . import bp, store
from .forms import SaveToForm
from .rules import CodesError
from .routes import private, remembered_shortlists, safe_next, varies


@bp.app_context_processor
def _save_context():
    def has_shortlists() -> bool:
        return bool(session.get("shortlists"))

    return {"has_shortlists": has_shortlists, "my_shortlists": remembered_shortlists}


class Refused(Exception):
    """A "Save to…" that cannot be done; the message says why (a 400 page)."""


@bp.errorhandler(Refused)
def _refused(error):
    return render_error(BadRequest(), str(error))


def program_or_400(code: str):
    program = store.programs_by_code(db.session, [code]).get(code) if code else None
    if program is None:
        raise Refused(f"No program has the code “{code[:40]}”." if code else "No program was named.")
    return program


@bp.get("/shortlists/save")
def save_to_page():
    program = program_or_400((request.args.get("code") or "").strip())
    form = SaveToForm(code=program.program_code, next=safe_next(request.args.get("next")))
    return private(render_template("shortlists/save_to.html", program=program, form=form,
                                   lists=remembered_shortlists()))


@bp.post("/shortlists/save")
def save_to():
    form = SaveToForm()
    if not form.validate():
        raise Refused("Nothing was saved: " + " ".join(error for errors in form.errors.values() for error in errors))
    program = program_or_400(form.code.data.strip())
    token = next((token for shortlist, token in remembered_shortlists() if shortlist.id == form.list.data), None)
    if token is None:
        raise Refused("Nothing was saved: this browser has no such shortlist. Open the list’s private link once "
                      "in this browser, then save to it.")
    shortlist = store.lock_for_edit(db.session, token)
    try:
        added = store.add(db.session, shortlist, [program.program_code])
    except CodesError as error:
        db.session.rollback()
        flash(" ".join(error.problems), "error")
        return varies(redirect(form.next.data and safe_next(form.next.data) or url_for("programs.index"), 303))
    db.session.commit()
    count = len(store.entries(db.session, shortlist))
    if added:
        flash(f"Saved {program.name} to “{shortlist.name}” (place {count} of {count}).", "success")
    else:
        flash(f"{program.name} is already on “{shortlist.name}”.", "success")
    return varies(redirect(safe_next(form.next.data), 303))
