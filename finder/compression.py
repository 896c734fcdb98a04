"""Compressed responses: pages, partials, JSON, CSV and the static files (Flask-Compress).

Flask-Compress (pinned in requirements.txt) picks zstd, Brotli or gzip from the client's
Accept-Encoding, compresses `send_file` responses too (the static files), adds
`Vary: Accept-Encoding`, tags the ETag with the encoding and answers conditional requests
after compressing. Three things it gets wrong are put right here:

- it may pick an encoding the client refused with `q=0` (RFC 9110, 12.5.3: "gzip;q=0"
  alone, or "gzip;q=0, *"), so it is handed the client's header rewritten to the encodings
  the client really accepts, each with its quality (an explicit entry overriding `*`), and
  is not called at all when none is left;
- it compresses a file (`send_file`, direct passthrough) as a stream without ever closing
  the file, so such a body is read into memory first (ours are a few kilobytes), which
  closes the file with the response;
- it would compress a range (206) of a file, whose Content-Range counts uncompressed bytes.
"""

from flask import Flask, request
from flask_compress import Compress

ALGORITHMS = ("zstd", "br", "gzip")
SETTINGS = {
    "COMPRESS_REGISTER": False,  # _compress below calls it, with the rewritten header
    "COMPRESS_ALGORITHM": list(ALGORITHMS),
    "COMPRESS_ALGORITHM_STREAMING": list(ALGORITHMS),
    "COMPRESS_LEVEL": 5,  # gzip: most of level 9's gain at a third of its time
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_MIMETYPES": [
        "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
        "application/json", "image/svg+xml",
    ],
}

compress = Compress()


def accepted_encodings(header: str) -> dict[str, float]:
    """Our encodings the Accept-Encoding `header` allows, with their quality (none with 0)."""
    from werkzeug.http import parse_accept_header

    offered = {name.lower(): quality for name, quality in parse_accept_header(header)}
    wildcard = offered.get("*", 0)
    qualities = {name: offered.get(name, wildcard) for name in ALGORITHMS}
    return {name: quality for name, quality in qualities.items() if quality > 0}


def _compress(response):
    accepted = accepted_encodings(request.headers.get("Accept-Encoding", ""))
    if not accepted or response.status_code == 206:
        response.vary.add("Accept-Encoding")
        return response
    if response.direct_passthrough and response.mimetype in SETTINGS["COMPRESS_MIMETYPES"]:
        response.direct_passthrough = False
        response.make_sequence()  # reads the file; closes it when the response is closed
    environ = request.environ
    original = environ.get("HTTP_ACCEPT_ENCODING")
    environ["HTTP_ACCEPT_ENCODING"] = ", ".join(f"{name};q={quality}" for name, quality in accepted.items())
    try:
        return compress.after_request(response)
    finally:
        environ["HTTP_ACCEPT_ENCODING"] = original or ""


def init_app(app: Flask) -> None:
    for name, value in SETTINGS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
    app.after_request(_compress)
