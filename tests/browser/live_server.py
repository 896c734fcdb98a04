"""Serve the real app for the browser tests: `python -m tests.browser.live_server`.

It builds the app from the environment (the caller sets DATABASE_URL to a fresh, migrated and
seeded database), listens on a free port of 127.0.0.1, prints `PORT <n>` on one line of stdout
and serves until it is terminated.
"""

import sys

from werkzeug.serving import make_server

from finder import create_app


def main() -> None:
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
