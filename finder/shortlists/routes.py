"""The compare tray, the compare page, and shortlists behind private links."""

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..catalog.text import guard_formula
from ..errors import render_error
from ..extensions import db, limiter
from ..models import Feature
from ..security import same_site_path
from . import bp, store
from .compare import comparison, dr_offers, only_differences
from .forms import AddForm, ConfirmForm, MoveForm, NoteForm, RenameForm, ShortlistForm, TrayForm
from .rules import MAX_COMPARE, MAX_SHORTLIST, CodesError, add_to_tray, clean_tray, remove_from_tray, split_codes

DEFAULT_CREATE_LIMIT = "30 per hour"
REMEMBERED = 20  # shortlists a browser remembers under "My shortlists"


def partial_wanted() -> bool:
    return bool(request.htmx and not request.htmx.history_restore_request)


def varies(response):
    response = make_response(response)
    response.vary.add("HX-Request")
    return response


def private(response):
    """A private page: not cached, not indexed (its address is the key to the list)."""
    response = varies(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def safe_next(value: str | None) -> str:
    """Where to go back to after a plain POST: a same-site path only, never another site."""
    for candidate in (value, request.referrer):
        if path := same_site_path(candidate, request.host):
            return path
    return url_for("programs.index")


def compare_url(codes: list[str], **args) -> str:
    return url_for("shortlists.compare_page", codes=",".join(codes), **args)


def compare_tray() -> list:
    """The programs in this browser's compare tray that still exist (looked up once per request)."""
    codes = tuple(clean_tray(session.get("tray")))
    cached = g.get("compare_tray")
    if cached is None or cached[0] != codes:
        try:
            found = store.programs_by_code(db.session, list(codes)) if codes else {}
        except SQLAlchemyError:  # an error page must still render when the database is down
            db.session.rollback()
            found = {}
        g.compare_tray = cached = (codes, [found[code] for code in codes if code in found])
    return cached[1]


@bp.app_context_processor
def _tray_context():
    return {
        "compare_tray": compare_tray,
        "tray_codes": lambda: [program.program_code for program in compare_tray()],
        "compare_url": compare_url,
        "MAX_COMPARE": MAX_COMPARE,
        "tray_note": tray_note,
        "tray_note_left": tray_note_left,
    }


def _pending_note() -> dict | None:
    """The answer to this browser's last tray POST without JavaScript, shown once (then gone)."""
    if "tray_note" not in g:
        note = session.pop("tray_note", None)
        g.tray_note = note if isinstance(note, dict) and {"code", "message", "ok"} <= note.keys() else None
    return g.tray_note


def tray_note(code: str) -> dict | None:
    """The pending note when it is about `code`: shown beside that program's compare button."""
    note = _pending_note()
    if note and note["code"] == code:
        g.tray_note_shown = True
        return note
    return None


def tray_note_left() -> dict | None:
    """The pending note when no compare button on the page has shown it (the tray's own buttons)."""
    note = _pending_note()
    return None if g.get("tray_note_shown") else note


# The compare tray ---------------------------------------------------------------------------

@bp.post("/compare/tray")
def tray():
    form = TrayForm()
    removing = form.remove.data or form.untray.data
    if not form.validate() or not (form.code.data or removing):
        abort(400)
    before = [program.program_code for program in compare_tray()]  # drops programs removed since
    code = (removing or form.code.data).strip()
    program = store.programs_by_code(db.session, [code]).get(code)
    if removing:
        change = remove_from_tray(before, code, program.name if program else code)
    elif program is None:
        return tray_answer(form, f"No program has the code “{code[:40]}”.", ok=False, status=400)
    else:
        change = add_to_tray(before, code, program.name)
    session["tray"] = change.codes
    # A Remove button of the tray itself disappears: focus the one now in its place.
    focus_at = before.index(code) if form.untray.data and code in before else None
    return tray_answer(form, change.message, ok=change.ok, status=200 if change.ok else 409,
                       changed=program, focus_at=focus_at, from_tray=bool(form.untray.data))


def tray_answer(form, message, ok, status, changed=None, focus_at=None, from_tray=False):
    """htmx: the tray, the header and the button swapped in place. Without JavaScript: back to the
    page, at the button that was pressed (or the tray), with the message beside it (issue 14.16)."""
    if partial_wanted():
        body = render_template("shortlists/_tray_update.html", message=message, ok=ok, changed=changed,
                               focus_at=focus_at)
        return varies((body, status))
    code = changed.program_code if changed is not None and not from_tray else ""
    session["tray_note"] = {"code": code, "message": message, "ok": ok}
    anchor = f"ca-{code}" if code else "compare-tray"
    return varies(redirect(f"{safe_next(form.next.data).split('#', 1)[0]}#{anchor}", 303))


# The compare page ---------------------------------------------------------------------------

def compare_title(count: int) -> str:
    """The compare page's heading and title, for `count` programs."""
    return f"Compare {count} program{'' if count == 1 else 's'}"


@bp.get("/compare")
def compare_page():
    codes = split_codes(request.args.get("codes"))
    try:
        programs = store.checked_programs(db.session, codes, MAX_COMPARE)
    except CodesError as error:
        page = render_template("shortlists/codes_error.html", problems=error.problems, codes=codes,
                               title="These programs cannot be compared")
        return varies((page, 400))
    vocabulary = db.session.scalars(select(Feature).order_by(Feature.kind, Feature.label)).all()
    groups = comparison(programs, vocabulary)
    only_diff = request.args.get("diff") == "1"
    context = dict(programs=programs, codes=codes, groups=only_differences(groups) if only_diff else groups,
                   only_diff=only_diff, differing=sum(row.differs for group in groups for row in group.rows),
                   offers=dr_offers(db.session, programs, MAX_COMPARE - len(programs)),
                   form=ShortlistForm(codes=",".join(codes)), title=compare_title(len(programs)))
    if partial_wanted():
        return varies(render_template("shortlists/_compare_update.html", **context))
    return varies(render_template("shortlists/compare.html", **context))


# Shortlists ---------------------------------------------------------------------------------

def forget(token: str) -> None:
    """Drop a list from this browser's "My shortlists" (and whatever in the cookie is not a list entry)."""
    session["shortlists"] = [
        item for item in session.get("shortlists", []) if isinstance(item, list) and item[1:2] != [token]
    ]


def remember(shortlist_id: int, token: str) -> None:
    """Keep this browser's shortlists (newest first) for the "My shortlists" page."""
    forget(token)
    session["shortlists"] = [[shortlist_id, token], *session["shortlists"]][:REMEMBERED]


def create_limit() -> str:
    return current_app.config.get("SHORTLIST_CREATE_LIMIT") or DEFAULT_CREATE_LIMIT


@bp.errorhandler(429)
def _too_many(error):
    return render_error(error, (
        f"Too many shortlists were saved from your connection in a short time (the limit is {create_limit()}). "
        "Please wait a while and try again; your saved shortlists still work."
    ))


@bp.post("/shortlists")
@limiter.limit(create_limit)
def create():
    form = ShortlistForm()
    codes = split_codes(form.codes.data)
    problems = [] if form.validate() else [message for errors in form.errors.values() for message in errors]
    try:
        store.checked_programs(db.session, codes, MAX_SHORTLIST)
    except CodesError as error:
        problems += error.problems
    if problems:
        return render_template("shortlists/new.html", form=form, codes=codes, problems=problems), 400
    shortlist, token = store.create(db.session, form.name.data, codes)
    db.session.commit()
    remember(shortlist.id, token)
    flash("Your shortlist is saved. Keep its private address: it is the only key to edit it.", "success")
    return redirect(url_for("shortlists.edit", token=token), 303)


def remembered_shortlists() -> list:
    """(shortlist, edit token) of the lists this browser remembers that still exist, newest first."""
    remembered = [item for item in session.get("shortlists", []) if isinstance(item, list) and len(item) == 2]
    lists = []
    for _, token in remembered:
        shortlist = store.by_edit_token(db.session, str(token))
        if shortlist is not None:
            lists.append((shortlist, token))
    if len(lists) != len(remembered):
        session["shortlists"] = [[shortlist.id, token] for shortlist, token in lists]
    return lists


@bp.get("/shortlists")
def mine():
    return private(render_template("shortlists/mine.html", lists=remembered_shortlists()))


def shortlist_or_404(token: str, lock: bool = False):
    shortlist = (store.lock_for_edit if lock else store.by_edit_token)(db.session, token)
    if shortlist is None:
        abort(404)
    return shortlist


def entry_items(shortlist):
    """(entry, program or None) for every entry, in rank order: None when no longer listed."""
    entries = store.entries(db.session, shortlist)
    programs = store.programs_by_code(db.session, [entry.program_code for entry in entries])
    return [(entry, programs.get(entry.program_code)) for entry in entries]


def edit_page(shortlist, token, status=200, **forms):
    from .planner_routes import plan_context

    items = entry_items(shortlist)
    forms.setdefault("rename_form", RenameForm(name=shortlist.name))
    forms.setdefault("add_form", AddForm())
    forms.setdefault("plan_forms", {})
    forms.setdefault("plan_message", None)
    listed = {entry.program_code for entry, _ in items}
    tray_missing = [program.program_code for program in compare_tray() if program.program_code not in listed]
    page = render_template("shortlists/edit.html", shortlist=shortlist, token=token, items=items,
                           view=list_view(), tray_missing=tray_missing, max_entries=MAX_SHORTLIST,
                           **plan_context(items), **forms)
    return private((page, status))


def list_view() -> dict:
    """The entries' filter and grouping from the address (`?status=applying`, `?group=status`)."""
    from .planner import STATUSES

    status = request.args.get("status", "")
    view = {"status": status if status in STATUSES else "", "group": request.args.get("group") == "status",
            "unknown_status": bool(status) and status not in STATUSES}
    args = [(key, value) for key, value in (("status", view["status"]), ("group", "status" if view["group"] else ""))
            if value]
    view["query"] = ("?" + "&".join(f"{key}={value}" for key, value in args)) if args else ""
    return view


@bp.get("/shortlists/<token>")
def edit(token):
    shortlist = shortlist_or_404(token)
    remember(shortlist.id, token)
    return edit_page(shortlist, token)


def entries_answer(shortlist, token, message, status=200, moved=None, direction=None, removed_at=None):
    """After an edit: the list in place for htmx, else back to the page (at the entry)."""
    if partial_wanted():
        from .planner_routes import plan_context

        items = entry_items(shortlist)
        body = render_template("shortlists/_entries_update.html", shortlist=shortlist, token=token,
                               items=items, editable=True, message=message, view=list_view(),
                               moved=moved, direction=direction, removed_at=removed_at,
                               plan_forms={}, plan_message=None, **plan_context(items))
        return private((body, status))
    flash(message, "success" if status < 400 else "error")
    anchor = f"entry-{moved}" if moved else "entries"
    return private(redirect(url_for("shortlists.edit", token=token, _anchor=anchor, **view_args()), 303))


def view_args() -> dict:
    """The list view of the address, to keep after an edit."""
    view = list_view()
    return {key: value for key, value in (("status", view["status"]), ("group", "status" if view["group"] else ""))
            if value}


def program_name(code: str) -> str:
    """The name people read for a program code (the code itself once it is no longer listed)."""
    program = store.programs_by_code(db.session, [code]).get(code)
    return program.name if program else code


@bp.post("/shortlists/<token>/name")
def rename(token):
    shortlist = shortlist_or_404(token, lock=True)
    form = RenameForm()
    if not form.validate():
        db.session.rollback()
        return edit_page(shortlist_or_404(token), token, 400, rename_form=form)
    store.rename(db.session, shortlist, form.name.data)
    db.session.commit()
    flash(f"Renamed the shortlist to “{form.name.data}”.", "success")
    return private(redirect(url_for("shortlists.edit", token=token), 303))


@bp.post("/shortlists/<token>/programs")
def add(token):
    shortlist = shortlist_or_404(token, lock=True)
    form = AddForm()
    try:
        if not form.validate():
            raise CodesError([message for errors in form.errors.values() for message in errors])
        added = store.add(db.session, shortlist, split_codes(form.codes.data))
    except CodesError as error:
        db.session.rollback()
        form.codes.errors = list(error.problems)
        return edit_page(shortlist_or_404(token), token, 400, add_form=form)
    db.session.commit()
    message = "Those programs are already on the list."
    if added:
        message = f"Added {len(added)} program{'' if len(added) == 1 else 's'}."
    flash(message, "success")
    return private(redirect(url_for("shortlists.edit", token=token, _anchor="entries"), 303))


def entry_action(token, code, action):
    """Run `action(shortlist)` on a locked list; 404 for a wrong token or a code not on the list."""
    shortlist = shortlist_or_404(token, lock=True)
    try:
        result = action(shortlist)
    except LookupError:
        abort(404)
    db.session.commit()
    return shortlist, result


@bp.post("/shortlists/<token>/programs/<code>/move")
def move(token, code):
    form = MoveForm()
    if not form.validate():
        abort(400)
    direction = form.direction.data
    shortlist, rank = entry_action(token, code, lambda s: store.move(db.session, s, code, direction))
    total = len(store.entries(db.session, shortlist))
    message = f"Moved {program_name(code)} to place {rank} of {total}."
    return entries_answer(shortlist, token, message, moved=code, direction=direction)


@bp.post("/shortlists/<token>/programs/<code>/note")
def note(token, code):
    form = NoteForm()
    if not form.validate():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        if partial_wanted():
            return private((render_template("shortlists/_note_status.html", code=code, message=message, ok=False), 422))
        shortlist_or_404(token)
        flash(f"The note on {program_name(code)} was not saved: {message}", "error")
        return private(redirect(url_for("shortlists.edit", token=token, _anchor=f"entry-{code}"), 303))
    entry_action(token, code, lambda s: store.set_note(db.session, s, code, form.note.data))
    name = program_name(code)
    message = f"Note on {name} saved." if form.note.data else f"Note on {name} cleared."
    if partial_wanted():
        return private(render_template("shortlists/_note_status.html", code=code, message=message, ok=True))
    flash(message, "success")
    return private(redirect(url_for("shortlists.edit", token=token, _anchor=f"entry-{code}"), 303))


@bp.post("/shortlists/<token>/programs/<code>/remove")
def remove(token, code):
    if not ConfirmForm().validate():
        abort(400)
    name = program_name(code)
    shortlist, rank = entry_action(token, code, lambda s: store.remove(db.session, s, code))
    return entries_answer(shortlist, token, f"Removed {name} from the list.", removed_at=rank)


@bp.route("/shortlists/<token>/delete", methods=["GET", "POST"])
def delete(token):
    shortlist = shortlist_or_404(token, lock=request.method == "POST")
    form = ConfirmForm()
    if request.method == "GET" or not form.validate():
        return private(render_template("shortlists/delete.html", shortlist=shortlist, token=token, form=form))
    name = shortlist.name
    store.delete(db.session, shortlist)
    db.session.commit()
    forget(token)
    flash(f"Deleted the shortlist “{name}”.", "success")
    return redirect(url_for("shortlists.mine"), 303)


EXPORT_COLUMNS = ("rank", "program_code", "name", "institution", "city", "state", "program_type",
                  "length_years", "positions_per_year", "listed", "note", "status", "signal", "interview_on")


def csv_rows(items):
    yield EXPORT_COLUMNS
    for entry, program in items:
        known = [getattr(program, column) if program else "" for column in EXPORT_COLUMNS[2:9]]
        yield [entry.rank, entry.program_code, *known, "yes" if program else "no longer listed", entry.note,
               entry.status, entry.signal, entry.interview_on.isoformat() if entry.interview_on else ""]


@bp.get("/shortlists/<token>/shortlist.csv")
def export(token):
    import csv
    import io

    shortlist = shortlist_or_404(token)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in csv_rows(entry_items(shortlist)):
        writer.writerow([guard_formula("" if cell is None else str(cell)) for cell in row])
    response = private(buffer.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=shortlist.csv"
    return response


@bp.get("/s/<share_token>")
def shared(share_token):
    shortlist = store.by_share_token(db.session, share_token)
    if shortlist is None:
        abort(404)
    from .planner import counts_sentence, signal_use
    from .planner_routes import cycle

    items = entry_items(shortlist)
    page = render_template("shortlists/shared.html", shortlist=shortlist, items=items,
                           counts_sentence=counts_sentence(items), signal_use=signal_use(items, cycle()))
    response = private(page)
    return response
