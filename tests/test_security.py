"""Headers, cookies, proxies, CSRF and error pages on every response."""

import logging

import pytest

from finder import create_app

from .conftest import csrf_token


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


@pytest.mark.parametrize("path", ["/programs/A%00B", "/admin/login?next=%00", "/compare?codes=A%00B", "/s/A%00B",
                                  "/programs?q=a%00b"])
def test_a_nul_character_in_an_address_is_a_400_not_a_database_error(demo_app, client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_a_nul_character_in_a_form_field_is_a_400(demo_app, client):
    response = client.post("/shortlists", data={"csrf_token": csrf_token(client), "name": "a\x00b", "codes": "IRF-0001"})
    assert response.status_code == 400


def test_a_nul_character_on_an_admin_address_is_a_400_for_a_signed_in_admin(demo_app, admin_client):
    assert admin_client.get("/admin/programs/A%00B/edit").status_code == 400
    assert admin_client.get("/admin/programs/A%00B/delete").status_code == 400
