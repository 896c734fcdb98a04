"""IR Program Finder: find, compare and shortlist interventional radiology programs."""

import os

from flask import Flask

from . import config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, `test_config` on top."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.normalize_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    _require_secret_key(app)
    _secure_cookies(app)
    _trust_proxies(app)

    from . import compression, database, errors, migrating, security, static_files
    from .extensions import csrf, db, htmx, limiter

    db.init_app(app)
    migrating.init_app(app, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    database.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    static_files.init_app(app)
    compression.init_app(app)
    _register_blueprints(app)
    from .shortlists import planner_routes

    planner_routes.init_app(app)

    from . import cli

    cli.init_app(app)
    return app


def _require_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = "development-only-secret"
        return
    raise RuntimeError(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
        "string (python -c 'import secrets; print(secrets.token_hex(32))') before starting "
        "the app outside debug mode."
    )


def _secure_cookies(app: Flask) -> None:
    """Outside debug and tests the session cookie is Secure, with the __Host- prefix."""
    secure = app.config.get("SESSION_COOKIE_SECURE")
    if secure is None:
        secure = not (app.debug or app.testing)
    app.config["SESSION_COOKIE_SECURE"] = secure
    if secure:
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"


def _trust_proxies(app: Flask) -> None:
    """Read the client address and scheme from X-Forwarded-* only behind configured proxies."""
    count = app.config.get("PROXY_COUNT") or 0
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .pages import bp as pages_bp
    from .pathways import bp as pathways_bp
    from .programs import api_bp, bp as programs_bp
    from .shortlists import bp as shortlists_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(programs_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(pathways_bp)
    app.register_blueprint(shortlists_bp)
    app.register_blueprint(admin_bp)
