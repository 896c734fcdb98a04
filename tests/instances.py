"""Several real app instances (gunicorn) behind one PostgreSQL database and one Redis.

Used by tests/test_instances.py. Each instance is its own gunicorn master with two
workers, so requests of one visitor really land in different processes.
"""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run a `flask` command of the project with `env`; fail loudly on a non-zero exit."""
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def start_instance(env: dict, log: Path, workers: int = 2) -> tuple[subprocess.Popen, str]:
    """A gunicorn master with the project's gunicorn.conf.py and two workers on a free port;
    its output (the access log too) goes to `log`."""
    port = free_port()
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-w", str(workers), "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"{base} did not start")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    text: str


@dataclass
class Visitor:
    """One browser: a cookie jar used against any instance, no redirects followed."""

    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def _open(self, request: urllib.request.Request) -> Response:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        try:
            with opener.open(request, timeout=30) as answer:
                return Response(answer.status, dict(answer.headers), answer.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read().decode())

    def get(self, url: str, headers: dict | None = None) -> Response:
        return self._open(urllib.request.Request(url, headers=headers or {}))

    def post(self, url: str, data: dict | list, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        return self._open(urllib.request.Request(url, data=body, method="POST", headers=headers or {}))

    def upload(self, url: str, fields: dict, file_field: str, filename: str, content: bytes) -> Response:
        """A multipart/form-data POST with one file, as a browser sends a file input."""
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self._open(urllib.request.Request(url, data=b"".join(parts), method="POST", headers=headers))

    def csrf_token(self, base: str, path: str = "/programs") -> str:
        page = self.get(base + path).text
        return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def instance_env(database_url: str, redis_url: str, prefix: str) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY="one-secret-shared-by-every-instance",
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=prefix,
        SESSION_COOKIE_SECURE="0",
        FLASK_DEBUG="0",
    )
