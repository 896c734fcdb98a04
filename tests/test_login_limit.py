"""The failed-login limit (issue 13.3, contract section 6): 5 a minute per client, counted in
the database before the password is checked, so it holds when attempts arrive at the same
time and across workers and instances, whatever RATELIMIT_STORAGE_URI says."""

import threading
from collections import Counter

import pytest

from finder import create_app
from finder.admin import accounts, login_limit
from finder.extensions import db

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, csrf_token, sign_in

WRONG = "not the password at all"


@pytest.fixture
def checked_passwords(monkeypatch) -> list[str]:
    """Every password the app checks against a hash, in order."""
    checked: list[str] = []
    real = accounts.check_password_hash

    def counting(hash_, password):
        checked.append(password)
        return real(hash_, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting)
    return checked


def test_of_20_wrong_passwords_sent_at_once_at_most_5_are_checked(app, admin_user, checked_passwords):
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_token(client) for client in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def attempt(client, token):
        start.wait()
        response = client.post("/admin/login", data={"email": ADMIN_EMAIL, "password": WRONG, "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(statuses) == 20
    assert len(checked_passwords) <= 5
    assert Counter(statuses) == {401: len(checked_passwords), 429: 20 - len(checked_passwords)}


def test_instances_with_their_own_memory_storage_share_one_count(app_config, app, admin_user):
    """Two app instances on one database, each counting Flask-Limiter limits in its own memory.

    One process holds one Flask-Limiter storage, so the other instance's own memory is
    played by emptying it (`limiter.reset()`) whenever the other instance takes over.
    (tests/test_instances.py runs real gunicorn workers with memory:// on PostgreSQL.)"""
    from finder.extensions import limiter

    other = create_app(dict(app_config, RATELIMIT_STORAGE_URI="memory://"))
    first, second = app.test_client(), other.test_client()
    assert [sign_in(first, password=WRONG).status_code for _ in range(3)] == [401] * 3
    limiter.reset()
    assert [sign_in(second, password=WRONG).status_code for _ in range(2)] == [401] * 2
    assert sign_in(second).status_code == 429
    limiter.reset()
    assert sign_in(first).status_code == 429
    with other.app_context():
        db.engine.dispose()


def test_a_blocked_client_is_told_when_to_try_again(app, admin_user):
    client = app.test_client()
    for _ in range(5):
        sign_in(client, password=WRONG)
    blocked = sign_in(client)
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_a_successful_login_gives_its_attempt_back(app, admin_user):
    client = app.test_client()
    for _ in range(4):
        assert sign_in(client, password=WRONG).status_code == 401
    for _ in range(3):
        assert sign_in(client).status_code == 303
    assert sign_in(client, password=WRONG).status_code == 401
    assert sign_in(client, password=WRONG).status_code == 429


# -- the counting itself, with a clock of the test's own ------------------------------------

LIMIT = login_limit.Limit(attempts=5, window=60)


def count(app, address: str, now: int) -> login_limit.Verdict:
    with app.app_context():
        return login_limit.count_attempt(db.session, address, LIMIT, now)


def test_the_window_opens_at_the_first_attempt_and_the_count_starts_again_after_it(app):
    verdicts = [count(app, "192.0.2.1", 1000 + second) for second in range(6)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False]
    assert verdicts[-1].retry_after == 55
    assert not count(app, "192.0.2.1", 1059).allowed
    assert count(app, "192.0.2.1", 1060).allowed


def test_clients_are_counted_apart_and_not_stored_by_address(app):
    for _ in range(5):
        count(app, "192.0.2.1", 1000)
    assert not count(app, "192.0.2.1", 1001).allowed
    assert count(app, "2001:db8::1", 1001).allowed
    with app.app_context():
        from sqlalchemy import select

        from finder.models import LoginAttempt

        stored = db.session.scalars(select(LoginAttempt.client)).all()
    assert "192.0.2.1" not in stored and len(stored) == 2


def test_windows_that_ended_long_ago_are_removed(app):
    count(app, "192.0.2.1", 1000)
    count(app, "192.0.2.2", 1200)
    with app.app_context():
        from sqlalchemy import func, select

        from finder.models import LoginAttempt

        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 1


def test_a_limit_is_written_as_flask_limiter_writes_them():
    assert login_limit.Limit.parse("5 per minute") == login_limit.Limit(5, 60)
    assert login_limit.Limit.parse("10/hour") == login_limit.Limit(10, 3600)
