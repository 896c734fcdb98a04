"""The shipped gunicorn.conf.py (issue 13.9): what gunicorn answers itself, what reaches the app,
and an access log that carries the request id and never a private link's token.

A real gunicorn on an SQLite file, whatever database the suite runs on: these are gunicorn's
settings, not the database's."""

import re
import time

import pytest

from .instances import ROOT, Visitor, flask, instance_env, start_instance


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gunicorn")
    env = dict(instance_env(f"sqlite:///{folder / 'finder.sqlite3'}", "memory://", "gunicorn-test"))
    flask(env, "db", "upgrade")
    log = folder / "gunicorn.log"
    process, base = start_instance(env, log, workers=1)
    yield base, log
    process.terminate()
    process.wait(timeout=30)


def log_line(log, needle: str) -> str:
    """The access log line that holds `needle` (gunicorn writes it just after the response)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if needle in line:
                return line
        time.sleep(0.05)
    raise AssertionError(f"no log line holds {needle!r}:\n{log.read_text()[-2000:]}")


def test_the_config_is_the_one_deploy_docs_start_gunicorn_with():
    assert "gunicorn -c gunicorn.conf.py" in (ROOT / "docs" / "deploy.md").read_text()
    config = (ROOT / "gunicorn.conf.py").read_text()
    for setting in ("workers", "timeout", "limit_request_line", "forwarded_allow_ips", "access_log_format"):
        assert re.search(rf"^{setting} = ", config, re.MULTILINE), setting


def test_a_long_finder_address_reaches_the_app_which_names_the_parameter(server):
    base, _ = server
    answer = Visitor().get(base + "/api/programs?q=" + "a" * 6000)
    assert answer.status == 400
    assert '"parameter":"q"' in answer.text.replace(" ", "")


def test_many_filters_in_one_address_are_served(server):
    base, _ = server
    states = "&".join(f"state={code}" for code in ["MA", "NY", "CA", "TX", "PR", "DC"] * 90)
    assert len(states) > 4094  # gunicorn's own default limit
    assert Visitor().get(base + "/api/programs?" + states).status == 200


def test_the_access_log_carries_the_request_id(server):
    base, log = server
    Visitor().get(base + "/healthz", headers={"X-Request-Id": "trace-me-0123"})
    line = log_line(log, "request_id=trace-me-0123")
    assert '"GET /healthz HTTP/1.1" 200' in line


def test_the_access_log_never_holds_a_shortlist_token(server):
    base, log = server
    token = "K" * 43
    Visitor().get(f"{base}/shortlists/{token}/calendar.ics")
    Visitor().get(f"{base}/s/{token}", headers={"Referer": f"{base}/shortlists/{token}"})
    first = log_line(log, "/shortlists/[token]/calendar.ics")
    second = log_line(log, "/s/[token]")
    assert token not in first and token not in second


def test_the_master_warms_the_app_before_it_forks_a_worker(server):
    base, log = server
    assert Visitor().get(base + "/healthz").status == 200
    text = log.read_text()
    assert "Warmed up: the finder index of catalog version" in text
    assert text.index("Warmed up:") < text.index("Booting worker")
