"""Settings read from the environment (see docs/ and the README)."""

import os


def normalize_database_url(url: str) -> str:
    """Send plain postgresql:// URLs to the psycopg 3 driver the app ships with."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url(instance_path: str) -> str:
    """DATABASE_URL, or an SQLite file in the instance folder."""
    return os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(instance_path, "finder.sqlite3")


def _flag(name: str) -> bool | None:
    """An on/off environment variable (1/0, true/false, yes/no, on/off), or None when unset."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return None
    return value in ("1", "true", "yes", "on")


def from_environment(instance_path: str) -> dict:
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Keeps this app's counters apart from other apps sharing the same Redis.
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "ir-finder"),
        "SHORTLIST_CREATE_LIMIT": os.environ.get("SHORTLIST_CREATE_LIMIT", "30 per hour"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Seconds a statement waits for another transaction's lock before the request gets a 503.
        "DATABASE_LOCK_WAIT": float(os.environ.get("DATABASE_LOCK_WAIT") or 10),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # Days the bytes of an upload that was previewed but never applied are kept (docs/admin.md).
        "ADMIN_UPLOAD_RETENTION_DAYS": int(os.environ.get("ADMIN_UPLOAD_RETENTION_DAYS") or 7),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "RATELIMIT_HEADERS_ENABLED": True,
        # If the limit store (Redis) is unreachable, keep serving and count in memory meanwhile:
        # a Redis outage must not turn every limited page into a 500.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # None: secure (and named __Host-session) unless in debug or testing mode.
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        # How many reverse proxies in front of the app to trust for X-Forwarded-*; 0 trusts none.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
    }
