"""gunicorn's settings for the IR Program Finder: `gunicorn -c gunicorn.conf.py wsgi:app`.

Each value that differs between machines comes from the environment variable named beside it.
docs/deploy.md explains them and which errors the reverse proxy in front answers itself.
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers, one request at a time each; the proxy in front buffers slow clients.
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2)
worker_class = "sync"
# A request still running after this many seconds is stuck: gunicorn restarts its worker
# (the proxy then answers 502). Imports from the admin pages stay well below it; the app's
# own lock waits (DATABASE_LOCK_WAIT, 10 s) end first and answer 503.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# The app is imported once, in the master, which warms it (`when_ready`: the finder's stored
# index loaded, its templates compiled) before forking the workers: each starts with them,
# the index's arrays shared copy-on-write until a catalog change, instead of each paying a
# load at its first request. The master keeps no database connection across the fork.
# (With a preloaded app, `kill -HUP` restarts the workers without re-reading the code:
# deploy new code with a restart.)
preload_app = True
graceful_timeout = 30
keepalive = 5

# gunicorn answers requests past these limits itself, with a bare page the app never sees
# (no JSON under /api, no security headers). They are set to gunicorn's maximum so that
# every address the app can use reaches it (a finder address with many filters runs to a
# few thousand characters, and the app names a parameter that is too long); the proxy's
# own limits (docs/deploy.md) are lower and answer first.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Which addresses may set X-Forwarded-Proto (https) for gunicorn; the app itself trusts
# X-Forwarded-For only behind PROXY_COUNT proxies.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request id is the one the app sends as X-Request-Id and shows on its error pages,
# so a visitor's report, the app's log and this line can be matched.
access_log_format = (
    '%(h)s "%({x-forwarded-for}i)s" %(t)s "%(r)s" %(s)s %(b)s %(M)sms '
    'request_id=%({x-request-id}o)s "%(f)s" "%(a)s"'
)


_PRIVATE_LINK = re.compile(r"(/shortlists/|/s/)[A-Za-z0-9_-]{20,}")


class PrivateLinksMasked(Logger):
    """Access log lines without the random tokens of shortlist links (they are the keys)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name in ("r", "U", "f"):
            if isinstance(atoms.get(name), str):
                atoms[name] = _PRIVATE_LINK.sub(r"\1[token]", atoms[name])
        return atoms


logger_class = PrivateLinksMasked


def when_ready(server):
    """Before the first fork: warm the preloaded app in the master (finder.warmup)."""
    if server.cfg.preload_app:
        from finder.warmup import warm_up

        server.log.info(warm_up(server.app.wsgi()))


def post_fork(server, worker):
    """In each new worker: no pooled connection of the master's is ever used here."""
    if server.cfg.preload_app:
        from finder.warmup import forget_connections

        forget_connections(server.app.wsgi())


def post_worker_init(worker):
    """With `preload_app = False`, each worker warms itself before it takes requests."""
    if not worker.cfg.preload_app:
        from finder.warmup import warm_up

        worker.log.info(warm_up(worker.wsgi))
