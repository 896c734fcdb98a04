"""Security headers on every response."""

from flask import Flask, request
from werkzeug.exceptions import BadRequest

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    return response


def _refuse_nul_characters():
    """No address, query or form field has a use for NUL, and PostgreSQL refuses it in text:
    answer 400 here instead of a database error deep inside some view."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        from .errors import render_error

        return render_error(BadRequest(), "The request contains a NUL character, which no address or form field accepts.")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_characters)
    app.after_request(_headers)
