"""Headers, cookies, proxies, CSRF and error pages on every response."""

import logging

import pytest

from finder import create_app

from .conftest import ON_POSTGRES, csrf_token


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/programs"), client.get("/nowhere"), client.get("/api/features")):
        csp = response.headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                          "frame-ancestors 'none'", "form-action 'self'"):
            assert directive in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_over_https(client):
    response = client.get("/programs", base_url="https://finder.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script_or_style(demo_app, client):
    html = client.get("/programs").get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert " onclick=" not in html and " onload=" not in html


def test_session_cookie_is_httponly_lax_and_not_secure_in_tests(client):
    csrf_token(client)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure


def test_session_cookie_is_secure_with_host_prefix_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"


def test_secure_cookies_can_be_turned_off_for_a_local_http_server(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite3'}")
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def _address_route(app):
    from flask import request

    app.add_url_rule("/_test/address", "test_address", lambda: request.remote_addr or "")


def test_forwarded_for_is_ignored_unless_proxies_are_configured(app):
    _address_route(app)
    response = app.test_client().get("/_test/address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "127.0.0.1"


def test_forwarded_for_is_trusted_behind_a_configured_proxy(app_config):
    app = create_app({**app_config, "PROXY_COUNT": 1})
    _address_route(app)
    response = app.test_client().get("/_test/address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert response.get_data(as_text=True) == "203.0.113.9"


@pytest.fixture
def post_app(app):
    app.add_url_rule("/_test/post", "test_post", lambda: "posted", methods=["POST"])
    return app


def test_post_without_csrf_token_is_refused(post_app):
    response = post_app.test_client().post("/_test/post")
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_post_with_csrf_token_in_the_htmx_header_is_accepted(post_app):
    client = post_app.test_client()
    token = csrf_token(client)
    assert client.post("/_test/post", headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code == 200


def test_htmx_post_with_a_stale_token_reloads_the_page_with_a_message(post_app):
    client = post_app.test_client()
    csrf_token(client)
    response = client.post("/_test/post", headers={"X-CSRFToken": "stale", "HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Refresh"] == "true"
    assert "page has been reloaded" in client.get("/programs").get_data(as_text=True)


@pytest.mark.parametrize("path, code", [("/nowhere", 404), ("/programs/NOPE", 404)])
def test_missing_pages_get_a_friendly_page(client, path, code):
    response = client.get(path)
    assert response.status_code == code
    assert "There is no page at this address" in response.get_data(as_text=True)


def test_wrong_method_gets_405_page(client):
    response = client.delete("/programs")
    assert response.status_code == 405
    assert "does not accept that kind of request" in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    response = client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.json == {"error": {"message": "There is no page at this address. It may have been removed, or the link may be mistyped."}}


def test_unexpected_error_is_a_500_page_without_details_and_is_logged_with_the_request_id(app, caplog):
    def boom():
        raise ValueError("secret internals")

    app.add_url_rule("/_test/boom", "boom", boom)
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/_test/boom", headers={"X-Request-Id": "req-123"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Something went wrong on our side" in body
    assert response.headers["X-Request-Id"] == "req-123"
    assert "req-123" in body  # the reference a visitor can quote
    assert "req-123" in caplog.text and "secret internals" in caplog.text


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-Id": "<script>x</script>"})
    assert response.headers["X-Request-Id"] != "<script>x</script>"
    assert len(response.headers["X-Request-Id"]) == 16


# -- NUL characters (issue 13.7, contract section 4) ------------------------------


@pytest.mark.parametrize("path", ["/programs/A%00B", "/programs/%00", "/s/A%00B", "/shortlists/A%00B"])
def test_a_nul_character_in_an_address_is_a_page_that_does_not_exist(demo_app, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "no page at this address" in response.get_data(as_text=True).lower()


def test_a_nul_character_in_an_api_address_is_a_json_404(demo_app, client):
    response = client.get("/api/programs/A%00B")
    assert response.status_code == 404 and response.json["error"]["message"]


def test_a_nul_character_on_an_admin_address_is_a_404_for_a_signed_in_admin(demo_app, admin_client):
    assert admin_client.get("/admin/programs/A%00B/edit").status_code == 404
    assert admin_client.get("/admin/programs/A%00B/delete").status_code == 404


def finder_parameters() -> list[str]:
    from finder.programs.forms import FinderForm

    return [name for name, _ in FinderForm.__dict__["_unbound_fields"] or ()] or sorted(
        name for name in vars(FinderForm) if not name.startswith("_") and hasattr(vars(FinderForm)[name], "field_class")
    )


@pytest.mark.parametrize("parameter", finder_parameters())
def test_a_nul_character_in_a_known_api_parameter_is_a_bad_value_of_that_parameter(demo_app, client, parameter):
    response = client.get(f"/api/programs?{parameter}=a%00b")
    assert response.status_code == 400
    error = response.json["error"]
    assert error["parameter"] == parameter
    assert error["message"].startswith(f"{parameter} (") and "NUL character" in error["message"]
    assert "\x00" not in error["message"]


def test_a_nul_character_in_a_finder_parameter_is_shown_beside_that_filter(demo_app, client):
    response = client.get("/programs?q=a%00b")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Keywords" in page and "NUL character" in page


@pytest.mark.parametrize("query", ["foo=a%00b", "%00=1", "x%00y=z", "q=boston&color=%00"])
def test_a_nul_character_in_an_unknown_parameter_is_ignored_like_the_parameter(demo_app, client, query):
    assert client.get(f"/api/programs?{query}").status_code == 200
    assert client.get(f"/programs?{query}").status_code == 200


def test_a_nul_character_in_a_form_field_is_that_fields_problem(demo_app, client):
    response = client.post("/shortlists", data={"csrf_token": csrf_token(client), "name": "a\x00b", "codes": "IRF-0001"})
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_every_form_of_the_app_reports_nul_as_its_fields_problem():
    """The class: a form that skipped finder.forms.Form would pass NUL on to the database."""
    import importlib
    import pkgutil

    import finder
    from flask_wtf import FlaskForm

    from finder.forms import Form

    for module in pkgutil.walk_packages(finder.__path__, "finder."):
        importlib.import_module(module.name)
    forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("finder.")} - {Form}
    assert forms and all(issubclass(cls, Form) for cls in forms), [c for c in forms if not issubclass(c, Form)]


def _subclasses(cls) -> set:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite stores NUL; only PostgreSQL refuses it")
def test_a_nul_character_that_reaches_the_database_anyway_is_a_400(demo_app):
    """The safety net behind the forms, for a value a view reads some other way."""
    from flask import request
    from sqlalchemy import select

    from finder.extensions import db
    from finder.models import Program

    def raw_lookup():
        return str(db.session.scalar(select(Program.id).where(Program.program_code == request.args["code"])))

    demo_app.add_url_rule("/raw-lookup-for-test", "raw_lookup_for_test", raw_lookup)
    response = demo_app.test_client().get("/raw-lookup-for-test?code=A%00B")
    assert response.status_code == 400 and "NUL character" in response.get_data(as_text=True)


# -- next= and other addresses taken from the request (issue 13.5) ------------------


@pytest.mark.parametrize("target", ["/admin/\nSet-Cookie: x=1", "/admin/\r\nX: y", "\n", "/admin/\tx", "//evil.example/admin/",
                                    "/\\evil.example", "/\t/evil.example", "https://evil.example/admin/",
                                    "javascript:alert(1)", "http://[", "/admin/\x7f", "/programs"])
def test_a_next_address_that_is_not_a_plain_admin_path_is_ignored_at_login(app, admin_user, target):
    from urllib.parse import quote

    from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    client = app.test_client()
    path = "/admin/login?next=" + quote(target, safe="")
    assert client.get(path).status_code == 200
    response = client.post(path, data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"


def test_a_plain_admin_path_as_next_is_where_login_leads(app, admin_user):
    from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    client = app.test_client()
    response = client.post("/admin/login?next=/admin/programs%3Fstale%3D1",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/admin/programs?stale=1"


@pytest.mark.parametrize("referrer", ["http://[", "http://[::1/programs", "//[x", "http://localhost:99999999/programs"])
def test_an_unparseable_referrer_is_not_this_site(demo_app, client, referrer):
    assert client.get("/programs/IRF-0001", headers={"Referer": referrer}).status_code == 200
    response = client.post("/compare/tray", data={"csrf_token": csrf_token(client), "code": "IRF-0001"},
                           headers={"Referer": referrer})
    assert response.status_code == 303 and response.headers["Location"] == "/programs#ca-IRF-0001"
