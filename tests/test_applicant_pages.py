"""Issue 14 through the client: the home page's quick starts (15), program names in the compare
tray's messages (10), and the README's first admin account (17)."""

import re
from html import unescape

import pytest

from finder.catalog.vocab import PROGRAM_TYPES, REGIONS

from .conftest import ROOT, csrf_token

HX = {"HX-Request": "true"}


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


def api_count(client, query: str) -> int:
    return client.get(f"/api/programs?{query}&per_page=1").json["count"]


def test_the_home_page_has_a_search_box_and_quick_starts_with_their_counts(client):
    page = unescape(client.get("/").get_data(as_text=True))
    form = re.search(r'<form class="home-search" role="search" action="/programs" method="get">.*?</form>', page, re.S)
    assert form and 'name="q"' in form.group(0) and '<label for="home-q">' in form.group(0)
    starts = [("type=" + value, label) for value, label in PROGRAM_TYPES.items()]
    starts += [("esir=1", "Diagnostic radiology with ESIR")]
    starts += [("region=" + value, label) for value, label in REGIONS.items()]
    for query, label in starts:
        n = api_count(client, query)
        assert n > 0, query
        link = rf'<a href="/programs\?{re.escape(query)}"><strong>{re.escape(label)}</strong> <span class="quick-starts__count">{n} programs?</span></a>'
        assert re.search(link, page), (query, label, n)


def test_a_home_search_lands_on_the_finder_with_the_keywords(client):
    page = client.get("/programs?q=NY")
    assert page.status_code == 200 and 'value="NY"' in page.get_data(as_text=True)


def messages(response) -> list[str]:
    body = unescape(response.get_data(as_text=True))
    return re.findall(r'<p class="message message--\w+">(.*?)</p>', body) + re.findall(
        r'<span class="message message--\w+">(.*?)</span>', body)


def test_the_compare_trays_messages_name_programs_never_their_codes(client):
    def press(data, headers=HX):
        return client.post("/compare/tray", data={"csrf_token": csrf_token(client), **data}, headers=headers)

    said = []
    for n in range(1, 7):
        said += messages(press({"code": f"IRF-000{n}"}))
    said += messages(press({"code": "IRF-0001"}))  # already there
    said += messages(press({"code": "IRF-0007"}))  # full
    said += messages(press({"remove": "IRF-0001"}))
    said += messages(press({"untray": "IRF-0002"}))
    press({"remove": "IRF-0003", "next": "/pathways"}, headers={})  # without JavaScript
    said += messages(client.get("/pathways"))
    assert len(said) >= 10, said
    assert not [m for m in said if re.search(r"IRF-\d{4}", m)], said
    assert any("Larkspur University" in m for m in said)


def test_the_readme_says_how_to_create_an_admin_account_next_to_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    install = readme.split("## Install and run", 1)[1].split("\n## ", 1)[0]
    assert "make run" in install and "make test" in install
    assert ".venv/bin/flask admin create-user you@example.org" in install


def test_the_home_page_still_works_without_its_numbers_when_the_database_is_gone(app_config, tmp_path, caplog):
    from finder import create_app

    (tmp_path / "missing").mkdir()  # a folder where the SQLite file should be: no connection opens
    app = create_app(dict(app_config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing'}"))
    response = app.test_client().get("/")
    page = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert '<a href="/programs?type=integrated_ir"><strong>Integrated IR residency</strong> <span class="quick-starts__count"></span></a>' in page
    assert "home page without program counts" in caplog.text
