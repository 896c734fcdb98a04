from dataclasses import dataclass
from datetime import date

from flask import current_app, g, make_response, render_template, request
from sqlalchemy import select

from ..catalog.schema import PROGRAM_CODE
from ..catalog.vocab import FEATURE_KINDS, STATES
from ..database import statements_on_their_own
from ..extensions import db
from ..models import Program
from ..security import same_site_path
from . import bp, usmap, view
from .forms import PER_PAGE_CHOICES, WITHIN_CHOICES, FinderForm
from .search import SORT_COLUMNS, SORTS, PageRows, Query, Result, Served, serve_index, serve_with_rows


def _finder_cache() -> dict:
    """This app's finder index and what goes with it (see `search.serve_index`)."""
    return current_app.extensions.setdefault("finder", {})


def finder_index():
    """This app's index of the current catalog version (see `search.serve_index`); when it is
    still the previous version's, `g.catalog_behind` is set, and the finder's status says so."""
    served = serve_index(db.session, _finder_cache())
    g.catalog_behind = served.behind
    return served.index


def programs_by_id(ids: list[int]) -> list[Program]:
    """The programs of `ids`, in that order, in one statement."""
    if not ids:
        return []
    found = {p.id: p for p in db.session.scalars(select(Program).where(Program.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# What a result shows (view.result_items): the programs columns it reads, and the one it shows
# for a sort on a column it does not show anyway (view.sorted_fact).
RESULT_COLUMNS = tuple(dict.fromkeys((
    "id", "program_code", "name", "institution", "city", "state", "program_type", "length_years",
    "positions_per_year", "esir_available", "research_months", "data_verified_on",
    *(column.name for column, _ in SORT_COLUMNS.values()),
)))
_RESULT_ROWS = PageRows(RESULT_COLUMNS)


def result_rows(ids: list[int]) -> list:
    """The rows of `ids` (the columns of RESULT_COLUMNS), in that order, in one statement:
    plain rows, not ORM objects, which cost twice as much for a page of results."""
    return _RESULT_ROWS.read(db.session, ids)


def wants_partial() -> bool:
    """An htmx update of the form; boosted links and history restores get the full page."""
    return bool(request.htmx and not request.htmx.history_restore_request and not request.htmx.boosted)


@dataclass(frozen=True)
class FinderAnswer:
    """The finder's answer from one index: its form, and the search when the form is valid."""

    form: FinderForm
    query: Query | None = None
    result: Result | None = None

    @property
    def ids(self) -> list[int]:
        return self.result.ids if self.result is not None else []


def search_page(args, rows: PageRows, **search) -> tuple[Served, FinderAnswer, list]:
    """The finder's answer to the query string `args` from the index of the current catalog
    version, and the `rows` of its page, in one statement when nothing changed
    (`search.serve_with_rows`); `search`: the options of `ProgramIndex.search`. When the index is
    still the previous version's, `g.catalog_behind` is set, as by `finder_index`. For statements
    outside a transaction, call `statements_on_their_own` first."""

    def answer(index) -> FinderAnswer:
        form = FinderForm.from_args(args, index.features)
        if not form.validate():
            return FinderAnswer(form)
        query = form.query()
        return FinderAnswer(form, query, index.search(query, **search))

    served, answered, found = serve_with_rows(db.session, _finder_cache(), answer, rows)
    g.catalog_behind = served.behind
    return served, answered, found


@bp.get("/programs")
def index():
    statements_on_their_own()  # it only reads: the catalog version and the page's rows, in one statement
    today = date.today()
    served, answered, rows = search_page(request.args, _RESULT_ROWS, today=today)
    index, form, result = served.index, answered.form, answered.result
    context = {"form": form, "index": index, "view": view, "sorts": SORTS, "per_page_choices": PER_PAGE_CHOICES,
               "within_choices": WITHIN_CHOICES,
               "feature_kinds": FEATURE_KINDS, "today": today, "result": None, "error": None}
    status = 200
    if result is not None:
        context.update(query=answered.query, result=result, programs=rows, badges=index.slugs_by_program(result.ids))
    else:
        context["error"] = form.page_error()
        status = 400
    partial = wants_partial() and status == 200
    template = "programs/_update.html" if partial else "programs/index.html"
    response = make_response(render_template(template, partial=partial, **context), status)
    if wants_partial() and status != 200:
        # The errors belong beside the form's controls: show the whole page again.
        response.headers.update({"HX-Retarget": "body", "HX-Reswap": "innerHTML"})
    response.vary.add("HX-Request")
    return response


@bp.get("/map/us-states.svg")
def states_map():
    """The results map's background (programs/usmap.py), the same for every page: cached for a
    year at the address of its current version (`?v=`), for a day at any other."""
    response = make_response(usmap.states_svg())
    response.mimetype = "image/svg+xml"
    response.set_etag(usmap.states_svg_version())
    if request.args.get("v") == usmap.states_svg_version():
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=86400"
    return response.make_conditional(request)


def back_to_results() -> str | None:
    """The finder address the visitor came from, when they came from the finder of this site."""
    path = same_site_path(request.referrer, request.host)
    if path and (path == "/programs" or path.startswith("/programs?")):
        return path
    return None


def find_program(program_code: str) -> Program | None:
    """The program with this exact code; a code outside the contract's shape cannot exist."""
    if not PROGRAM_CODE.fullmatch(program_code):
        return None
    return db.session.scalar(select(Program).where(Program.program_code == program_code))


def also_at_institution(program: Program) -> list[Program]:
    """The other programs of the program's institution (see catalog/institutions.py), in route order."""
    if not program.institution_key:
        return []
    query = select(Program).where(Program.institution_key == program.institution_key, Program.id != program.id)
    return view.by_route(db.session.scalars(query))


@bp.get("/programs/<program_code>")
def detail(program_code: str):
    program = find_program(program_code)
    if program is None:
        message = f"There is no page at this address: no program has the code '{program_code}' (codes are case-sensitive)."
        return render_template("errors/error.html", code=404, title="Program not found", message=message), 404
    today = date.today()
    return render_template(
        "programs/detail.html", program=program, feature_kinds=FEATURE_KINDS, today=today,
        back=back_to_results(), view=view, states=STATES, facts=view.program_facts(program, today),
        contact=view.contact(program, today), siblings=also_at_institution(program),
    )
