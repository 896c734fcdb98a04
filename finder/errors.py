"""Friendly error pages, and JSON errors under /api."""

import logging
import re
import secrets

from flask import Flask, flash, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, ServiceUnavailable

from .catalog.transactions import is_lock_conflict

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

ADVICE = {
    400: "Something in the request could not be used. Check the address or the form and try again.",
    403: "You do not have access to this page.",
    404: "There is no page at this address. It may have been removed, or the link may be mistyped.",
    405: "This address does not accept that kind of request.",
    413: "The file or form you sent is too large. The limit is 5 MB.",
    429: "Too many attempts in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. It has been logged; please try again in a moment.",
    503: "The database is busy with another change (an import, perhaps), so nothing was saved. "
         "Please try again in a few seconds.",
}
RETRY_AFTER_SECONDS = 5


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(error: HTTPException, message: str | None = None):
    """The response for an HTTP error: JSON under /api, else a page."""
    code = error.code or 500
    message = message or ADVICE.get(code) or error.description
    if wants_json():
        response = jsonify({"error": {"message": message}})
    else:
        response = render_template("errors/error.html", code=code, title=error.name, message=message)
    return response, code


def _holds_nul() -> bool:
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            values += [*request.form.keys(), *request.form.values()]
        except HTTPException:  # a body too large to read holds nothing that reached the database
            pass
    return any("\x00" in value for value in values)


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id():
        # A proxy's id is kept so logs match across hops, if it is a plain token.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)

    @app.after_request
    def _echo_request_id(response):
        response.headers.setdefault("X-Request-Id", g.get("request_id", ""))
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return render_error(error)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        message = (
            "This page was open too long to send that safely (its security token expired "
            "or is missing). Please try again."
        )
        if request.htmx and not wants_json():
            # htmx does not swap a 400, so reload the page, which shows the message.
            # (No page is rendered here: it would use up the flashed message.)
            flash(message + " The page has been reloaded.", "warning")
            return message, 400, {"HX-Refresh": "true", "Content-Type": "text/plain; charset=utf-8"}
        return render_error(error, message)

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError):
        from .extensions import db

        if _holds_nul():
            # A safety net: forms report NUL as their field's bad value (finder.forms.Form),
            # but a value read some other way must not reach PostgreSQL's refusal as a 500.
            db.session.rollback()
            return render_error(BadRequest(), "The request contains a NUL character (U+0000), which no value can hold.")
        if not is_lock_conflict(error):
            return _unexpected(error)
        # Another transaction held a lock past DATABASE_LOCK_WAIT: this request wrote nothing.
        db.session.rollback()
        log.warning("Lock wait ran out in request %s %s [request id %s]", request.method, request.path, g.get("request_id"))
        response, code = render_error(ServiceUnavailable())
        return response, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return render_error(error)
        log.exception("Unhandled error in request %s %s [request id %s]", request.method, request.path, g.get("request_id"))
        return render_error(InternalServerError())
