"""The read-only JSON API of contract section 4, on the finder's one filter engine."""

from flask import jsonify, request, url_for
from sqlalchemy import select

from ..catalog.columns import PROGRAM_COLUMNS
from ..catalog.vocab import FEATURE_KINDS
from ..extensions import db
from ..models import Feature, Program
from . import api_bp
from .forms import FinderForm
from .routes import find_program, finder_index, programs_by_id


def program_object(program: Program, slugs: dict[str, list[str]]) -> dict:
    """A program as the API gives it: every CSV column (from the registry), plus region and url."""
    record = {
        column.name: column.json_value(
            slugs.get(column.feature_kind, []) if column.feature_kind else getattr(program, column.name)
        )
        for column in PROGRAM_COLUMNS
    }
    record["region"] = program.region
    record["url"] = url_for("programs.detail", program_code=program.program_code)
    return record


@api_bp.get("/programs")
def programs():
    index = finder_index()
    form = FinderForm.from_args(request.args, index.features)
    if not form.validate():
        parameter, message = form.first_error()
        return jsonify({"error": {"parameter": parameter, "message": message}}), 400
    query = form.query()
    result = index.search(query, facets=False)
    slugs = index.slugs_by_program(result.ids)
    return jsonify({
        "count": result.count,
        "page": query.page,
        "per_page": query.per_page,
        "results": [search_extras(program_object(p, slugs[p.id]), p.id, query, result)
                    for p in programs_by_id(result.ids)],
    })


def search_extras(record: dict, program_id: int, query, result) -> dict:
    """A search result's additions (contract section 4): `distance_miles` with near, `fit` with want."""
    if query.near:
        miles = result.distances[program_id]
        record["distance_miles"] = None if miles is None else round(miles, 1)
    if query.want:
        fit = result.fits[program_id]
        record["fit"] = {"met": fit.met, "of": fit.of}
    return record


@api_bp.get("/programs/<program_code>")
def program(program_code: str):
    found = find_program(program_code)
    if found is None:
        message = f"There is no program with the code '{program_code}' (codes are case-sensitive)."
        return jsonify({"error": {"message": message}}), 404
    slugs = {kind: found.slugs(kind) for kind in FEATURE_KINDS}
    return jsonify(program_object(found, slugs))


@api_bp.get("/features")
def features():
    grouped: dict[str, list] = {kind: [] for kind in FEATURE_KINDS}
    for feature in db.session.scalars(select(Feature).order_by(Feature.kind, Feature.label)):
        grouped.setdefault(feature.kind, []).append(
            {"slug": feature.slug, "label": feature.label, "description": feature.description}
        )
    return jsonify(grouped)
