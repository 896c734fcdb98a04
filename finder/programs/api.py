"""The read-only JSON API of contract section 4, on the finder's one filter engine.

Each endpoint's answer is built by a plain function (`programs_answer`, `program_answer`,
`features_answer`) that the route turns into JSON and the `/api` page uses for its live
examples, so the examples people read are what the API answers.
"""

from flask import current_app, jsonify, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..catalog.columns import PROGRAM_COLUMNS
from ..catalog.vocab import FEATURE_KINDS
from ..database import statements_on_their_own
from ..extensions import db
from ..models import Feature
from . import api_bp, openapi
from .forms import FinderForm
from .routes import find_program, finder_index, search_page
from .search import PageRows

Answer = tuple[dict, int]

# A search result's columns: every column of the contract's programs (plain rows, not ORM objects).
_API_ROWS = PageRows(["id", "region", *(column.name for column in PROGRAM_COLUMNS if not column.feature_kind)])


def program_object(program, slugs: dict[str, list[str]]) -> dict:
    """A program as the API gives it: every CSV column (from the registry), plus region and url.
    `program`: a `Program`, or a row with the same columns."""
    record = {
        column.name: column.json_value(
            slugs.get(column.feature_kind, []) if column.feature_kind else getattr(program, column.name)
        )
        for column in PROGRAM_COLUMNS
    }
    record["region"] = program.region
    record["url"] = url_for("programs.detail", program_code=program.program_code)
    return record


def programs_answer(args: MultiDict) -> Answer:
    """`GET /api/programs?…`: one page of the matches, or the 400 naming the bad parameter."""
    statements_on_their_own()  # it only reads: the catalog version and the page's rows, in one statement
    served, answered, rows = search_page(args, _API_ROWS, facets=False)
    query, result = answered.query, answered.result
    if result is None:
        parameter, message = answered.form.first_error()
        return {"error": {"parameter": parameter, "message": message}}, 400
    slugs = served.index.slugs_by_program(result.ids)
    return {
        "count": result.count,
        "page": query.page,
        "per_page": query.per_page,
        "results": [search_extras(program_object(p, slugs[p.id]), p.id, query, result) for p in rows],
    }, 200


def search_extras(record: dict, program_id: int, query, result) -> dict:
    """A search result's additions (contract section 4): `distance_miles` with near, `fit` with want."""
    if query.near:
        miles = result.distances[program_id]
        record["distance_miles"] = None if miles is None else round(miles, 1)
    if query.want:
        fit = result.fits[program_id]
        record["fit"] = {"met": fit.met, "of": fit.of}
    return record


def program_answer(program_code: str) -> Answer:
    """`GET /api/programs/<program_code>`: the program, or 404."""
    found = find_program(program_code)
    if found is None:
        message = f"There is no program with the code '{program_code}' (codes are case-sensitive)."
        return {"error": {"message": message}}, 404
    slugs = {kind: found.slugs(kind) for kind in FEATURE_KINDS}
    return program_object(found, slugs), 200


def features_answer() -> Answer:
    """`GET /api/features`: the vocabulary, grouped by kind."""
    grouped: dict[str, list] = {kind: [] for kind in FEATURE_KINDS}
    for feature in db.session.scalars(select(Feature).order_by(Feature.kind, Feature.label)):
        grouped.setdefault(feature.kind, []).append(
            {"slug": feature.slug, "label": feature.label, "description": feature.description}
        )
    return grouped, 200


def api_document() -> dict:
    """The OpenAPI document of the catalog's current version (its feature slugs are enums), built once."""
    index = finder_index()
    cache = current_app.extensions.setdefault("finder", {})
    cached = cache.get("openapi")
    if cached is None or cached[0] != index.version:
        from ..shortlists.forms import CouplesForm  # here: shortlists' forms import this package's

        form = FinderForm.from_args(MultiDict(), index.features)
        cached = cache["openapi"] = (index.version, openapi.document(form, CouplesForm(formdata=None)))
    return cached[1]


def _json(answer: Answer):
    body, status = answer
    return jsonify(body), status


@api_bp.get("/programs")
def programs():
    return _json(programs_answer(request.args))


@api_bp.get("/programs/<program_code>")
def program(program_code: str):
    return _json(program_answer(program_code))


@api_bp.get("/features")
def features():
    return _json(features_answer())


@api_bp.get("/openapi.json")
def openapi_document():
    return jsonify(api_document())


@api_bp.get("")
def guide():
    """The page for people: what the API is for, every endpoint with a live example."""
    from . import api_guide

    return render_template("pages/api.html", endpoints=api_guide.endpoints(api_document()))
