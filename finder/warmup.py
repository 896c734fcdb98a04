"""A new app process made ready before it takes requests (gunicorn.conf.py's hooks).

gunicorn imports the app once in its master (`preload_app`), warms it there and then forks
the workers, so every worker starts with the finder's index and compiled templates instead
of paying for them at its first request. Database connections are never handed across the
fork: the warm-up closes the ones it opened, and each worker forgets any that are left.
"""

import logging

from .extensions import db

logger = logging.getLogger(__name__)

# The requests a warm-up serves: the finder's partial and full page (the index, the map's
# layout, the templates of both) and the home page, whose counts come from the same index.
WARM_UP_PATHS = (("/programs", {"HX-Request": "true"}), ("/programs", {}), ("/", {}))


def warm_up(app) -> str:
    """Serve the finder once inside this process, then close its database connections; says
    what it did, in a line for the server's log.

    The finder's first request loads the newest stored index (or builds and stores one when
    none is usable, as any first request would), so the cache of `app` then holds it. A
    warm-up that fails (no database yet, a migration not run) is logged and left to the
    first request, as before.
    """
    client = app.test_client()
    try:
        for path, headers in WARM_UP_PATHS:
            status = client.get(path, headers=headers).status_code
            if status != 200:
                return f"Warm-up: {path} answered {status}; the first request will do the rest"
    except Exception:  # noqa: BLE001 - a warm-up never stops the server from starting
        logger.exception("Warm-up failed")
        return "Warm-up failed (see the traceback); the first request will do its work"
    finally:
        forget_connections(app, close=True)
    index = app.extensions.get("finder", {}).get("finder_index")
    return f"Warmed up: the finder index of catalog version {getattr(index, 'version', '?')} is loaded"


def forget_connections(app, close: bool = False) -> None:
    """Drop the pooled connections of the app's engines. In a forked worker (`close=False`) they
    are left open for the process that made them and only forgotten here: SQLAlchemy's
    advice for a pool inherited across fork (a connection used by two processes corrupts it)."""
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose(close=close)
