"""Fingerprinted static URLs, cached by browsers for a year.

`url_for("static", filename=...)` adds `?v=` and the first 12 hex digits of the file's
SHA-256, so the templates stay as they are. A request whose `v` matches the file's
current content is answered with `Cache-Control: public, max-age=31536000, immutable`:
a browser never asks again, and a changed file gets a new address. Without `v`, or with
an old one, the default stands (revalidate with the ETag). Digests are computed once per
file and recomputed only when its size or modification time changes.
"""

import hashlib
import os

from flask import Flask, request
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"


class Fingerprints:
    """Content digests of the files under one folder."""

    def __init__(self, folder: str):
        self.folder = folder
        self._known: dict[str, tuple[int, int, str]] = {}

    def of(self, filename: str) -> str | None:
        """The file's fingerprint, or None when there is no such file."""
        path = safe_join(self.folder, filename)
        try:
            stat = os.stat(path) if path else None
        except OSError:
            return None
        if stat is None:
            return None
        known = self._known.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        with open(path, "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()[:12]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def init_app(app: Flask) -> None:
    fingerprints = Fingerprints(app.static_folder)

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            if (digest := fingerprints.of(values["filename"])) is not None:
                values["v"] = digest

    @app.after_request
    def _cache_fingerprinted(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            version = request.args.get("v")
            filename = (request.view_args or {}).get("filename")
            if version and filename and version == fingerprints.of(filename):
                response.headers["Cache-Control"] = IMMUTABLE
        return response
