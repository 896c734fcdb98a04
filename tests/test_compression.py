"""Compressed responses and fingerprinted static files (issue 19, point 4)."""

import gzip
import re


import brotli
import pytest

from finder.compression import accepted_encodings
from finder.static_files import IMMUTABLE

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd

DECODE = {"gzip": gzip.decompress, "br": brotli.decompress, "zstd": zstd.decompress}
# The pages differ only in the signed CSRF token, whose timestamp may tick between two requests.
TOKEN = re.compile(rb'"X-CSRFToken": "[^"]+"|name="csrf_token" type="hidden" value="[^"]+"|value="[^"]{60,}"')
STATIC_FILES = ["css/app.css", "css/finder.css", "js/app.js", "js/finder.js", "vendor/htmx.min.js"]


def decoded(response) -> bytes:
    return DECODE[response.headers["Content-Encoding"]](response.data)


@pytest.mark.parametrize(("header", "encoding"), [
    ("gzip", "gzip"),
    ("gzip, deflate, br", "br"),
    ("gzip, deflate, br, zstd", "zstd"),
    ("br;q=0.5, gzip", "gzip"),
    ("*", "zstd"),
    ("zstd;q=0, *", "br"),
    ("gzip;q=0, *", "zstd"),
])
def test_pages_are_compressed_with_the_best_encoding_the_client_accepts(demo_app, client, header, encoding):
    plain = client.get("/programs")
    compressed = client.get("/programs", headers={"Accept-Encoding": header})
    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in compressed.headers["Vary"]
    assert TOKEN.sub(b"TOKEN", decoded(compressed)) == TOKEN.sub(b"TOKEN", plain.data)
    assert len(compressed.data) < len(plain.data) / 3


@pytest.mark.parametrize("header", ["", "identity", "gzip;q=0", "gzip;q=0, deflate", "gzip;q=0, br;q=0, zstd;q=0", "*;q=0", "deflate"])
def test_nothing_is_compressed_when_the_client_refuses_or_offers_no_encoding_of_ours(demo_app, client, header):
    response = client.get("/programs", headers={"Accept-Encoding": header} if header else {})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert b"<!doctype html>" in response.data.lower()


def test_a_refused_encoding_is_never_picked_even_through_a_wildcard():
    assert accepted_encodings("gzip;q=0, *") == {"zstd": 1, "br": 1}
    assert accepted_encodings("*;q=0, gzip;q=0.3") == {"gzip": 0.3}
    assert accepted_encodings("identity") == {}


def test_json_and_csv_are_compressed_byte_for_byte(demo_app, client):
    api_plain = client.get("/api/programs?per_page=100")
    api_zipped = client.get("/api/programs?per_page=100", headers={"Accept-Encoding": "gzip"})
    assert api_zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(api_zipped.data) == api_plain.data


@pytest.mark.parametrize("filename", STATIC_FILES)
def test_static_files_are_compressed_when_accepted(client, filename):
    with client.get(f"/static/{filename}") as response:
        plain = response.data
    for encoding in ("gzip", "br", "zstd"):
        with client.get(f"/static/{filename}", headers={"Accept-Encoding": encoding}) as response:
            assert response.status_code == 200
            assert response.headers["Content-Encoding"] == encoding
            assert "Accept-Encoding" in response.headers["Vary"]
            assert DECODE[encoding](response.data) == plain
            assert len(response.data) < len(plain)


@pytest.mark.parametrize("header", ["gzip;q=0", "gzip;q=0, br;q=0, zstd;q=0", "*;q=0"])
def test_a_static_file_is_sent_plain_when_the_client_refuses_every_encoding_of_ours(client, header):
    with client.get("/static/css/app.css") as response:
        plain = response.data
    with client.get("/static/css/app.css", headers={"Accept-Encoding": header}) as response:
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.data == plain


def test_a_compressed_static_file_is_revalidated_by_its_own_etag(client):
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"}) as first:
        etag = first.headers["ETag"]
    assert etag.endswith(':gzip"')
    with client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_small_responses_are_not_compressed(client):
    response = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers


# Fingerprinted static addresses ---------------------------------------------


def static_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_a_fingerprint_of_their_content(demo_app, client):
    links = static_links(client.get("/programs").get_data(as_text=True))
    assert len(links) >= 5
    for link in links:
        path, version = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{12})", link).groups()
        import hashlib

        from .conftest import ROOT

        assert version == hashlib.sha256((ROOT / "finder" / "static" / path).read_bytes()).hexdigest()[:12]


def test_a_fingerprinted_address_is_cached_as_immutable(demo_app, client):
    link = next(l for l in static_links(client.get("/programs").get_data(as_text=True)) if "app.css" in l)
    with client.get(link, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize("query", ["", "?v=000000000000", "?v="])
def test_an_address_without_the_current_fingerprint_is_revalidated(client, query):
    with client.get(f"/static/css/app.css{query}") as response:
        assert response.status_code == 200
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    from finder.static_files import Fingerprints

    (tmp_path / "x.css").write_text("a {}")
    fingerprints = Fingerprints(str(tmp_path))
    before = fingerprints.of("x.css")
    (tmp_path / "x.css").write_text("a { color: red }")
    assert fingerprints.of("x.css") != before
    assert fingerprints.of("missing.css") is None
    assert fingerprints.of("../outside.css") is None
