"""Gzip for text responses when the client accepts it (pages, partials, JSON, CSV)."""

import gzip

from flask import Flask, request

MIN_SIZE = 500
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


def _compress(response):
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(COMPRESSIBLE)
        or "gzip" not in request.headers.get("Accept-Encoding", "").lower()
    ):
        return response
    body = response.get_data()
    response.vary.add("Accept-Encoding")
    if len(body) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(body, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_compress)
