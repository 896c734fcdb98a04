"""Two app instances (gunicorn, two workers each) behind one PostgreSQL and one Redis.

What a deployment with several instances relies on: any instance serves any visitor's next
request (sessions are signed cookies; shortlists and imports live in the database), a catalog
change made anywhere shows everywhere, and rate limits are counted once for all of them.
Runs in the PostgreSQL pass of the suite (DATABASE_URL set) with Redis up.
"""

import re
import uuid
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, text

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, DATABASE_URL, ON_POSTGRES, with_search_path
from .instances import Visitor, flask, instance_env, start_instance
from .test_rate_limits import REDIS_URL, needs_redis

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="several instances need PostgreSQL (run with DATABASE_URL)"),
    needs_redis,
]

NEW_PROGRAM = (
    "program_code,name,institution,city,state,program_type,length_years\n"
    "MULTI-1,Zebulon Instance Test IR,Zebulon Health,Ketchikan,AK,integrated_ir,6\n"
)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """Two running instances on a fresh schema with the demo data; yields (env, [base URLs])."""
    schema = f"inst_{uuid.uuid4().hex[:10]}"
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    env = instance_env(with_search_path(DATABASE_URL, schema), REDIS_URL, f"inst-{schema}")
    servers = []
    folder = tmp_path_factory.mktemp("instances")
    try:
        flask(env, "db", "upgrade")
        flask(env, "seed", "demo")
        flask(env, "admin", "create-user", ADMIN_EMAIL, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        servers = [start_instance(env, folder / f"gunicorn-{number}.log") for number in range(2)]
        yield env, [base for _, base in servers], folder
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_both_instances_serve_the_same_catalog(deployment):
    _, bases, _ = deployment
    pages = [Visitor().get(base + "/programs/IRF-0001") for base in bases]
    assert [page.status for page in pages] == [200, 200]
    assert pages[0].text.count("IRF-0001") == pages[1].text.count("IRF-0001")


def test_a_change_loaded_anywhere_shows_on_every_instance(deployment):
    env, bases, folder = deployment
    visitor = Visitor()
    for base in bases:  # both build their in-process caches first
        assert visitor.get(base + "/programs/MULTI-1").status == 404
        visitor.get(base + "/programs?q=zebulon")
    csv = folder / "new.csv"
    csv.write_text(NEW_PROGRAM)
    flask(env, "seed", "load", str(csv))
    for base in bases:
        for _ in range(4):  # several requests, so both workers of each instance answer
            assert visitor.get(base + "/programs/MULTI-1").status == 200
            assert "Zebulon Instance Test IR" in visitor.get(base + "/programs?q=zebulon").text


def test_the_compare_tray_follows_the_visitor_from_one_instance_to_the_other(deployment):
    _, (first, second), _ = deployment
    visitor = Visitor()
    token = visitor.csrf_token(first)
    for code in ("IRF-0001", "IRF-0002"):
        answer = visitor.post(first + "/compare/tray", {"code": code, "csrf_token": token})
        assert answer.status == 303
    page = visitor.get(second + "/programs/IRF-0003").text
    assert "Compare (2)" in page


def test_a_shortlist_saved_on_one_instance_is_edited_on_the_other_and_shared_from_both(deployment):
    _, (first, second), _ = deployment
    owner = Visitor()
    saved = owner.post(first + "/shortlists", {"name": "Two instances", "codes": "IRF-0001,IRF-0002",
                                              "csrf_token": owner.csrf_token(first)})
    assert saved.status == 303
    edit_path = urlparse(saved.headers["Location"]).path
    token = owner.csrf_token(second)
    moved = owner.post(second + edit_path + "/programs/IRF-0002/move", {"direction": "up", "csrf_token": token})
    assert moved.status in (200, 303)
    page = owner.get(first + edit_path).text
    assert page.index("IRF-0002") < page.index("IRF-0001")
    share_path = re.search(r'(/s/[A-Za-z0-9_-]+)', page).group(1)
    for base in (first, second):
        shared = Visitor().get(base + share_path)
        assert shared.status == 200 and "Two instances" in shared.text


def test_shortlist_creation_is_limited_once_for_all_instances(deployment, monkeypatch):
    env, _, folder = deployment
    limited_env = dict(env, SHORTLIST_CREATE_LIMIT="3 per day")
    servers = [start_instance(limited_env, folder / f"limited-{n}.log") for n in range(2)]
    try:
        visitor = Visitor()
        statuses = []
        for number in range(5):
            base = servers[number % 2][1]
            statuses.append(visitor.post(base + "/shortlists", {"name": f"L{number}", "codes": "IRF-0001",
                                                                "csrf_token": visitor.csrf_token(base)}).status)
        assert statuses == [303, 303, 303, 429, 429]
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(timeout=30)


def sign_in(visitor: Visitor, base: str, password: str = ADMIN_PASSWORD):
    token = visitor.csrf_token(base, "/admin/login")
    return visitor.post(base + "/admin/login", {"email": ADMIN_EMAIL, "password": password, "csrf_token": token})


def test_an_upload_previewed_on_one_instance_is_confirmed_on_the_other(deployment):
    _, (first, second), _ = deployment
    admin = Visitor()
    assert sign_in(admin, first).status == 303
    csv = NEW_PROGRAM.replace("MULTI-1", "MULTI-2").replace("Zebulon Instance Test IR", "Yarrow Upload Test IR")
    preview = admin.upload(first + "/admin/import", {"csrf_token": admin.csrf_token(first, "/admin/import")},
                           "file", "new.csv", csv.encode())
    assert preview.status == 200
    assert "<dt>Added</dt><dd>1</dd>" in preview.text
    assert Visitor().get(first + "/programs/MULTI-2").status == 404  # a preview writes nothing
    confirm_path = re.search(r'action="(/admin/import/[A-Za-z0-9_-]+/confirm)"', preview.text).group(1)
    confirmed = admin.post(second + confirm_path, {"csrf_token": admin.csrf_token(second, "/admin/import")})
    assert confirmed.status == 303
    assert Visitor().get(first + "/programs/MULTI-2").status == 200


def test_failed_logins_are_limited_once_for_all_instances(deployment):
    _, (first, second), _ = deployment
    intruder = Visitor()
    statuses = [sign_in(intruder, (first, second)[n % 2], password="wrong password here").status for n in range(6)]
    assert statuses == [401] * 5 + [429]
    # The limit is per client address, and both instances see the same count.
    assert sign_in(Visitor(), first).status == 429


@pytest.fixture(scope="module")
def memory_instance(tmp_path_factory):
    """One instance (gunicorn, two workers) whose Flask-Limiter counts in each worker's memory."""
    schema = f"mem_{uuid.uuid4().hex[:10]}"
    engine = create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    env = dict(instance_env(with_search_path(DATABASE_URL, schema), "memory://", f"mem-{schema}"))
    server = None
    try:
        flask(env, "db", "upgrade")
        flask(env, "admin", "create-user", ADMIN_EMAIL, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
        server, base = start_instance(env, tmp_path_factory.mktemp("memory") / "gunicorn.log")
        yield base
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_failed_logins_are_limited_once_for_all_workers_with_memory_storage(memory_instance):
    """RATELIMIT_STORAGE_URI=memory:// gives each worker its own counts; the login limit holds anyway."""
    intruder = Visitor()
    statuses = [sign_in(intruder, memory_instance, password="wrong password here").status for _ in range(12)]
    assert statuses == [401] * 5 + [429] * 7
