"""Security headers on every response, addresses with NUL, safe redirect targets."""

import re
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import NotFound

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


def _no_page_at_a_nul_address():
    """No address of the app holds a NUL character (and PostgreSQL could not look one up):
    a path with one is a page that does not exist, before any view runs.

    NUL in a query or form value is the bad value of that field, reported by the field's
    form (`finder.forms.Form`); in a parameter no form declares it is ignored."""
    if "\x00" in request.path:
        from .errors import render_error

        return render_error(NotFound())


_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f\\]")


def plain_path(value: str | None) -> str | None:
    """`value` when it is a plain path of this site (`/admin/...`), else None.

    A plain path starts with one `/` (`//host` is another site) and holds no backslash
    (browsers read it as `/`) and no control character (a newline would break the
    redirect's header; browsers drop tabs, so slash, tab, slash, host is another site too).
    """
    if not value or not value.startswith("/") or value.startswith("//") or _NOT_PLAIN.search(value):
        return None
    return value


def same_site_path(address: str | None, host: str) -> str | None:
    """The plain path (and query) of an address on this site, else None.

    `address` is a plain path, or an absolute http or https address whose host is `host` (a
    Referer, say). Whatever else it is, even unparseable (`http://[`), it is not this site.
    """
    if not address or _NOT_PLAIN.search(address):
        return None
    try:
        parts = urlsplit(address)
    except ValueError:
        return None
    if (parts.scheme or parts.netloc) and (parts.scheme not in ("http", "https") or parts.netloc != host):
        return None
    return plain_path(parts.path + ("?" + parts.query if parts.query else ""))


def init_app(app: Flask) -> None:
    app.before_request(_no_page_at_a_nul_address)
    app.after_request(_headers)
