"""The application planner on a shortlist (contract section 7): plan form, places, calendar, JSON."""

from datetime import datetime, timezone
from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import Program
from . import bp, planner, store
from .cycle import Cycle, CycleError, load_cycle
from .forms import PlaceForm, PlanForm
from .routes import list_view, edit_page, entries_answer, entry_items, partial_wanted, private, shortlist_or_404

CYCLE_KEY = "finder.cycle"


def init_app(app) -> None:
    """Read the cycle file once at start; a bad file stops the app with every problem named."""
    path = app.config.get("CYCLE_FILE") or Path(app.root_path).parent / "seed" / "cycle.toml"
    try:
        app.extensions[CYCLE_KEY] = load_cycle(path)
    except CycleError as error:
        raise RuntimeError("The application cycle file has problems (docs/shortlists.md, "
                           "“The cycle file”):\n" + str(error)) from None


def cycle() -> Cycle:
    return current_app.extensions[CYCLE_KEY]


def parallel_offers(items) -> dict[str, list[Program]]:
    """For each integrated IR entry, the DR residencies of its institution (the IR + DR plan)."""
    keys = {p.institution_key for _, p in items if p and p.program_type == planner.INTEGRATED_IR and p.institution_key}
    if not keys:
        return {}
    query = (select(Program).where(Program.program_type == planner.DR, Program.institution_key.in_(keys))
             .order_by(Program.name, Program.program_code))
    by_key: dict[str, list[Program]] = {}
    for program in db.session.scalars(query):
        by_key.setdefault(program.institution_key, []).append(program)
    return {p.program_code: by_key.get(p.institution_key, []) for _, p in items
            if p and p.program_type == planner.INTEGRATED_IR}


def plan_context(items) -> dict:
    """Everything the page shows about the plan, from the entries as they are now."""
    rules = cycle()
    return {
        "cycle": rules,
        "status_counts": planner.status_counts(items),
        "counts_sentence": planner.counts_sentence(items),
        "signal_use": planner.signal_use(items, rules),
        "fees": planner.fee_estimate(items, rules),
        "strip": planner.season_strip(items, rules),
        "intern_year_count": sum(1 for _, p in items if planner.needs_intern_year(p)),
        "parallel": parallel_offers(items),
        "listed_codes": {entry.program_code for entry, _ in items},
    }


def plan_answer(shortlist, token, code, message, status=200, form=None, warning=None):
    """After a plan form: the entry's plan block in place for htmx; else the page (303, or 400/409)."""
    if partial_wanted():
        items = entry_items(shortlist)
        found = [(entry, program) for entry, program in items if entry.program_code == code]
        if not found:
            abort(404)
        body = render_template("shortlists/_plan_update.html", token=token, shortlist=shortlist, items=items,
                               view=list_view(),
                               item=found[0], plan_form=form, message=message, ok=status < 400, warning=warning,
                               **plan_context(items))
        return private((body, status))
    if status >= 400:
        return edit_page(shortlist, token, status, plan_forms={code: form}, plan_message=message)
    flash(message, "success")
    if warning:
        flash(warning, "warning")
    return private(redirect(url_for("shortlists.edit", token=token, _anchor=f"entry-{code}"), 303))


@bp.post("/shortlists/<token>/programs/<code>/plan")
def plan(token, code):
    form = PlanForm()
    if not form.validate():
        shortlist = shortlist_or_404(token)
        if not any(entry.program_code == code for entry, _ in entry_items(shortlist)):
            abort(404)
        problems = form.problems() or [("csrf_token", "The form had expired: the page was reloaded, please try again.")]
        message = "Nothing was changed. " + " ".join(text for _, text in problems)
        return plan_answer(shortlist, token, code, message, 400, form=form)
    shortlist = shortlist_or_404(token, lock=True)
    rules = cycle()
    try:
        entry, program = store.set_plan(
            db.session, shortlist, code, form.status.data, form.signal.data, form.interview_on.data,
            lambda items, code, signal: planner.check_signal(items, code, signal, rules))
    except LookupError:
        db.session.rollback()
        abort(404)
    except planner.SignalLimit as error:
        db.session.rollback()
        return plan_answer(shortlist_or_404(token), token, code, str(error), 409, form=form)
    db.session.commit()
    name = planner.name_of(entry, program)
    message = f"Saved the plan for {name}: {planner.STATUSES[entry.status].lower()}, " \
              f"{planner.SIGNALS[entry.signal].lower()}" + (f", interview on {entry.interview_on}." if entry.interview_on else ".")
    return plan_answer(shortlist, token, code, message, warning=planner.signal_warning(program, entry.signal))


@bp.post("/shortlists/<token>/programs/<code>/place")
def place(token, code):
    """Move to the top, the bottom or a typed place, of the whole list or of the rank order list."""
    form = PlaceForm()
    ranking = request.args.get("within") == "ranking"
    if not form.validate():
        shortlist = shortlist_or_404(token)
        return place_answer(shortlist, token, code, "Nothing was moved. " + form.first_error(), ranking, 400)
    shortlist = shortlist_or_404(token, lock=True)
    items = entry_items(shortlist)
    among = {entry.program_code for entry, _ in items if entry.status in planner.RANKING} if ranking else None
    chosen = [entry.program_code for entry, _ in items if among is None or entry.program_code in among]
    at = chosen.index(code) + 1 if code in chosen else 0
    wanted = {"top": 1, "bottom": len(items) + 1, "up": at - 1, "down": at + 1}.get(form.to.data, form.position.data)
    try:
        position, total = store.place(db.session, shortlist, code, wanted, among)
    except LookupError:
        db.session.rollback()
        abort(404)
    db.session.commit()
    program = next((p for entry, p in items if entry.program_code == code), None)
    name = program.name if program else code
    where = "on the rank order list" if ranking else ""
    message = f"Moved {name} to place {position} of {total}{' ' + where if where else ''}."
    return place_answer(shortlist, token, code, message, ranking)


def place_answer(shortlist, token, code, message, ranking, status=200):
    if not ranking:
        return entries_answer(shortlist, token, message, status=status, moved=code, direction="place")
    if partial_wanted():
        items = entry_items(shortlist)
        body = render_template("shortlists/_ranking_update.html", shortlist=shortlist, token=token,
                               ranking=[item for item in items if item[0].status in planner.RANKING],
                               message=message, moved=code)
        return private((body, status))
    flash(message, "success" if status < 400 else "error")
    return private(redirect(url_for("shortlists.rank_order", token=token, _anchor=f"rank-{code}"), 303))


@bp.get("/shortlists/<token>/rank-order")
def rank_order(token):
    shortlist = shortlist_or_404(token)
    items = entry_items(shortlist)
    ranking = [item for item in items if item[0].status in planner.RANKING]
    return private(render_template("shortlists/rank_order.html", shortlist=shortlist, token=token,
                                   ranking=ranking, moved=None, statuses=planner.STATUSES))


@bp.get("/shortlists/<token>/calendar.ics")
def calendar(token):
    shortlist = shortlist_or_404(token)
    uid_base = f"{shortlist.id}:{shortlist.share_token}"
    body = planner.calendar_file(shortlist.name, uid_base, entry_items(shortlist), request.host.split(":")[0],
                                 datetime.now(timezone.utc).replace(microsecond=0))
    response = private(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=calendar.ics"
    return response


def shared_entries(items) -> list[dict]:
    """The entries as `/s/<token>.json` gives them: never notes (contract section 7)."""
    return [{"rank": entry.rank, "program_code": entry.program_code, "name": planner.name_of(entry, program),
             "status": entry.status, "signal": entry.signal,
             "interview_on": entry.interview_on.isoformat() if entry.interview_on else None}
            for entry, program in items]


NO_SUCH_LIST = "No shortlist has this read-only link. Check that the whole address was copied."


def shared_answer(share_token: str) -> tuple[dict, int]:
    """The JSON answer of `/s/<share_token>.json` and its status."""
    shortlist = store.by_share_token(db.session, share_token)
    if shortlist is None:
        return {"error": {"message": NO_SUCH_LIST}}, 404
    return {"name": shortlist.name, "entries": shared_entries(entry_items(shortlist))}, 200


def example_plan(programs: list[dict]) -> dict:
    """What `/s/<token>.json` gives for a made-up plan of these programs (the API page's example)."""
    plans = [("interviewed", "gold", "2026-11-14"), ("applied", "silver", None), ("considering", "none", None)]
    return {"name": "My IR season", "entries": [
        {"rank": rank, "program_code": program["program_code"], "name": program["name"], "status": status,
         "signal": signal, "interview_on": day}
        for rank, (program, (status, signal, day)) in enumerate(zip(programs, plans), 1)]}


@bp.get("/s/<share_token>.json")
def shared_json(share_token):
    body, status = shared_answer(share_token)
    return private((jsonify(body), status))


@bp.app_context_processor
def _planner_context():
    return {"statuses": planner.STATUSES, "signals": planner.SIGNALS}
