from flask import jsonify
from sqlalchemy import select

from ..catalog.vocab import FEATURE_KINDS
from ..extensions import db
from ..models import Feature
from . import api_bp


@api_bp.get("/features")
def features():
    grouped: dict[str, list] = {kind: [] for kind in FEATURE_KINDS}
    for feature in db.session.scalars(select(Feature).order_by(Feature.kind, Feature.label)):
        grouped.setdefault(feature.kind, []).append(
            {"slug": feature.slug, "label": feature.label, "description": feature.description}
        )
    return jsonify(grouped)
