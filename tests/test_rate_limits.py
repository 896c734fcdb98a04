"""Rate limits: counted in memory by default, in Redis when RATELIMIT_STORAGE_URI says so.

The Redis tests need the server at REDIS_URL (default redis://127.0.0.1:6379). They are
skipped when it does not answer, except when REQUIRE_REDIS=1 (as .ci/run sets), where a
missing server fails them.
"""

import os
import socket
import uuid
from urllib.parse import urlparse

import pytest

from finder import create_app
from finder.extensions import limiter

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


def _redis_answers() -> bool:
    address = urlparse(REDIS_URL)
    try:
        with socket.create_connection((address.hostname, address.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    os.environ.get("REQUIRE_REDIS") != "1" and not _redis_answers(),
    reason=f"no Redis answers at {REDIS_URL} (set REQUIRE_REDIS=1 to fail instead)",
)


def _app_with_limited_route(app_config, storage: str, prefix: str):
    """An app with one extra route allowed twice a day per client.

    The route's endpoint name carries `prefix`: Flask-Limiter keeps the key prefix of the
    first app made in a process, so only the endpoint keeps counters of tests apart.
    """
    app = create_app(dict(app_config, RATELIMIT_STORAGE_URI=storage, RATELIMIT_KEY_PREFIX=prefix))

    @limiter.limit("2 per day")  # a day: no window boundary falls inside a test
    def limited():
        return "ok"

    app.add_url_rule("/limited-for-test", f"limited_{prefix}", limited)
    return app


def test_memory_limits_answer_429_after_the_limit(app_config):
    client = _app_with_limited_route(app_config, "memory://", uuid.uuid4().hex).test_client()
    assert [client.get("/limited-for-test").status_code for _ in range(3)] == [200, 200, 429]


def test_the_429_page_is_friendly_and_says_when_to_retry(app_config):
    client = _app_with_limited_route(app_config, "memory://", uuid.uuid4().hex).test_client()
    for _ in range(2):
        client.get("/limited-for-test")
    response = client.get("/limited-for-test")
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "Please wait a minute" in response.get_data(as_text=True)


@needs_redis
def test_two_instances_share_one_count_in_redis(app_config):
    prefix = f"test-{uuid.uuid4().hex}"
    first = _app_with_limited_route(app_config, REDIS_URL, prefix).test_client()
    second = _app_with_limited_route(app_config, REDIS_URL, prefix).test_client()
    assert first.get("/limited-for-test").status_code == 200
    assert second.get("/limited-for-test").status_code == 200
    assert first.get("/limited-for-test").status_code == 429
    assert second.get("/limited-for-test").status_code == 429


def test_an_unreachable_limit_store_does_not_break_pages(app_config):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = _app_with_limited_route(app_config, f"redis://127.0.0.1:{port}", uuid.uuid4().hex).test_client()
    statuses = [client.get("/limited-for-test").status_code for _ in range(3)]
    assert 500 not in statuses and statuses[0] == 200
    assert client.get("/healthz").status_code == 200
