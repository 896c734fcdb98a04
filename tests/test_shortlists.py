"""The compare tray, the compare page and shortlists, as visitors use them (with and without htmx)."""

import re
from urllib.parse import urlsplit

import pytest
from flask import render_template_string
from sqlalchemy import select

from finder import create_app
from finder.extensions import db
from finder.models import Program, Shortlist
from finder.shortlists.rules import hash_token

from .conftest import SEED, csrf_token, load

HX = {"HX-Request": "true"}
TRIO = "IRF-0001,IRF-0002,IRF-0003"


def text(response) -> str:
    return response.get_data(as_text=True)


def token(client) -> str:
    """The session's CSRF token, fetched once (fetching a page would use up flashed messages)."""
    if not hasattr(client, "csrf"):
        client.csrf = csrf_token(client)
    return client.csrf


def post(client, path, data=None, headers=None):
    return client.post(path, data={"csrf_token": token(client), **(data or {})}, headers=headers or {})


def add_to_tray(client, code, headers=None, **extra):
    return post(client, "/compare/tray", {"code": code, **extra}, headers)


def tray_codes(client) -> list[str]:
    with client.session_transaction() as session:
        return list(session.get("tray", []))


def make_list(client, codes=TRIO, name="Top picks") -> str:
    response = post(client, "/shortlists", {"name": name, "codes": codes})
    assert response.status_code == 303, text(response)
    return response.headers["Location"]


def share_path(client, edit_path) -> str:
    return re.search(r"/s/[A-Za-z0-9_-]+", text(client.get(edit_path))).group(0)


def entry_order(client, path) -> list[str]:
    return re.findall(r'<li class="entry[^"]*" id="entry-([^"]+)"', text(client.get(path)))


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


@pytest.fixture
def second_app(demo_app, app_config):
    """Another app instance on the same database; `second_app(**config)` builds it."""
    made = []

    def build(**config):
        made.append(create_app({**app_config, **config}))
        return made[-1]

    yield build
    for app in made:
        with app.app_context():
            db.engine.dispose()


# The compare tray -----------------------------------------------------------------------------

def test_add_to_compare_without_javascript_redirects_back_with_a_message(client):
    response = add_to_tray(client, "IRF-0002", next="/programs?q=bos")
    assert response.status_code == 303
    assert response.headers["Location"] == "/programs?q=bos#ca-IRF-0002"  # back at the button pressed
    assert tray_codes(client) == ["IRF-0002"]
    page = text(client.get("/programs/IRF-0002"))
    note = re.search(r'<span class="compare-note" id="cn-IRF-0002">(.*?)</span></span>', page).group(1)
    assert "Added Larkspur University Integrated IR Residency to the compare tray (1 of 6)." in note
    assert page.index('id="ca-IRF-0002"') < page.index('id="cn-IRF-0002"')  # beside the button
    assert page.count("Added Larkspur University Integrated IR Residency") == 1  # once, not also at the top
    assert "Remove from compare" in page and 'href="/compare?codes=IRF-0002"' in page
    assert "Added Larkspur" not in text(client.get("/programs/IRF-0002"))  # shown once


def test_without_javascript_the_trays_own_remove_returns_to_the_tray_with_its_message(client):
    add_to_tray(client, "IRF-0001")
    response = post(client, "/compare/tray", {"untray": "IRF-0001", "next": "/pathways"})
    assert response.headers["Location"] == "/pathways#compare-tray"
    page = text(client.get("/pathways"))
    status = re.search(r'<div id="tray-status" class="tray__status" role="status">(.*?)</div>', page, re.S).group(1)
    assert "Removed Larkspur University Diagnostic Radiology Residency from the compare tray (0 of 6)." in status


def test_with_htmx_the_message_also_goes_beside_the_button(client):
    body = text(add_to_tray(client, "IRF-0001", HX))
    assert re.search(r'<span id="cn-IRF-0001" hx-swap-oob="innerHTML"><span class="message message--success">Added '
                     r'Larkspur University Diagnostic Radiology Residency to the compare tray \(1 of 6\)\.</span></span>', body)


def test_add_to_compare_with_htmx_swaps_tray_nav_and_button_in_place_and_announces(client):
    response = add_to_tray(client, "IRF-0001", HX)
    body = text(response)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert '<div id="tray-body" class="tray__body" hx-swap-oob="true">' in body
    assert '<li id="nav-compare" hx-swap-oob="true"><a href="/compare?codes=IRF-0001">Compare (1)</a>' in body
    assert '<div id="tray-status" hx-swap-oob="innerHTML">' in body and "(1 of 6)" in body
    assert re.search(r'<button type="submit" id="ca-IRF-0001" form="compare-add" hx-swap-oob="true" name="remove"', body)
    assert "<html" not in body


def test_the_status_region_that_announces_tray_changes_is_a_live_region_on_every_page(client):
    page = text(client.get("/pathways"))
    assert '<div id="tray-status" class="tray__status" role="status"></div>' in page
    form = re.search(r'<form id="compare-add"[^>]*>', page).group(0)
    for attribute in ('method="post"', 'action="/compare/tray"', 'hx-post="/compare/tray"', 'hx-swap="none"',
                      'hx-sync="this:queue all"'):  # presses on several buttons in a row are all sent
        assert attribute in form


def test_the_seventh_program_gets_a_clear_message_and_the_tray_keeps_six(client):
    for number in range(1, 7):
        assert add_to_tray(client, f"IRF-000{number}").status_code == 303
    response = add_to_tray(client, "IRF-0007", HX)
    assert response.status_code == 409
    assert "The compare tray is full: it holds at most 6 programs" in text(response)
    without_js = add_to_tray(client, "IRF-0007", next="/programs")
    assert without_js.status_code == 303
    assert "The compare tray is full" in text(client.get("/programs"))
    assert tray_codes(client) == [f"IRF-000{n}" for n in range(1, 7)]


def test_adding_a_program_twice_keeps_it_once(client):
    add_to_tray(client, "IRF-0001")
    response = add_to_tray(client, "IRF-0001", HX)
    assert "already in the compare tray" in text(response)
    assert tray_codes(client) == ["IRF-0001"]


def test_remove_from_the_tray_with_and_without_htmx(client):
    add_to_tray(client, "IRF-0001")
    add_to_tray(client, "IRF-0002")
    response = post(client, "/compare/tray", {"remove": "IRF-0001"}, HX)
    assert "Removed Larkspur University Diagnostic Radiology Residency from the compare tray (1 of 6)." in text(response)
    assert 'name="code" value="IRF-0001">Add to compare' in text(response)
    assert post(client, "/compare/tray", {"untray": "IRF-0002"}).status_code == 303
    assert tray_codes(client) == []


def test_removing_with_the_trays_own_button_focuses_the_next_one(client):
    for code in ("IRF-0001", "IRF-0002", "IRF-0003"):
        add_to_tray(client, code)
    body = text(post(client, "/compare/tray", {"untray": "IRF-0002"}, HX))
    assert re.findall(r'name="untray" value="([^"]+)" autofocus', body) == ["IRF-0003"]
    body = text(post(client, "/compare/tray", {"untray": "IRF-0003"}, HX))
    assert re.findall(r'name="untray" value="([^"]+)" autofocus', body) == ["IRF-0001"]
    body = text(post(client, "/compare/tray", {"remove": "IRF-0001"}, HX))
    assert "autofocus" not in body and "Empty." in body


def test_an_unknown_code_is_not_added_and_is_named(client):
    response = add_to_tray(client, "NOPE", HX)
    assert response.status_code == 400 and "No program has the code “NOPE”." in text(response)
    assert tray_codes(client) == []


def test_a_tray_post_with_nothing_to_do_is_a_400(client):
    assert post(client, "/compare/tray", {}).status_code == 400


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/evil", "\r\n/x",
])
def test_the_way_back_never_leaves_the_site(client, target):
    response = add_to_tray(client, "IRF-0001", next=target)
    location = response.headers["Location"]
    assert response.status_code == 303
    assert location.startswith("/") and not location.startswith("//") and not urlsplit(location).netloc


def test_without_a_usable_next_the_way_back_is_the_same_site_referrer(client):
    response = client.post("/compare/tray", data={"csrf_token": csrf_token(client), "code": "IRF-0001"},
                           headers={"Referer": "http://localhost/pathways?x=1"})
    assert response.headers["Location"] == "/pathways?x=1#ca-IRF-0001"
    response = client.post("/compare/tray", data={"csrf_token": csrf_token(client), "code": "IRF-0001"},
                           headers={"Referer": "https://evil.example/phish"})
    assert response.headers["Location"] == "/programs#ca-IRF-0001"


def test_the_tray_lives_in_the_signed_cookie_so_any_instance_serves_it(second_app, client):
    add_to_tray(client, "IRF-0003")
    other = second_app().test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    assert "Compare (1)" in text(other.get("/pathways"))


def test_a_tampered_tray_cookie_is_ignored(client):
    with client.session_transaction() as session:
        session["tray"] = ["<script>", 5, "IRF-0001", "x" * 99]
    page = text(client.get("/pathways"))
    assert "Compare (1)" in page and "<script>" not in page.split("<body", 1)[1].split("<script", 1)[0]


def test_the_compare_button_is_tiny_and_names_its_program(demo_app):
    with demo_app.test_request_context("/programs"):
        program = db.session.scalar(select(Program).where(Program.program_code == "IRF-0001"))
        button = render_template_string('{% include "shortlists/_compare_button.html" %}', program=program)
    assert len(button) - len(program.name) <= 160
    assert button.startswith('<button type="submit" id="ca-IRF-0001" form="compare-add" name="code"')
    assert f"Add to compare<span class=\"visually-hidden\"> {program.name}</span>" in button


# The compare page -----------------------------------------------------------------------------

def test_compare_shows_a_column_per_program_and_a_row_per_field_and_feature(client):
    response = client.get("/compare?codes=" + TRIO)
    page = text(response)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert page.count('<th scope="col">') == 3 + 0  # the corner cell has a class
    for label in ("Institution", "City", "State", "Region", "Program type", "Length", "Positions per year",
                  "ESIR (Early Specialization in IR)", "Research months (protected, whole program)",
                  "Visa sponsorship", "Website", "Data verified on", "Description", "Neurointerventional surgery",
                  "Research track", "Protected research time", "Assigned faculty mentor"):
        assert f'<th scope="row">{label}' in page, label
    assert "Larkspur University Integrated IR Residency" in page


def test_rows_that_differ_are_marked_with_words_not_only_colour(client):
    page = text(client.get("/compare?codes=" + TRIO))
    differing = page.count('<tr class="differs">')
    assert differing > 0
    assert page.count('<span class="differs-mark">Differs</span>') == differing + 1  # + the legend
    assert '<th scope="row">Institution</th>' in page  # the same institution: not marked
    assert f"{differing} rows differ." in page


def test_only_differences_is_a_link_that_works_without_javascript(client):
    full = text(client.get("/compare?codes=" + TRIO))
    assert 'href="/compare?codes=IRF-0001,IRF-0002,IRF-0003&amp;diff=1"' in full
    only = text(client.get("/compare?codes=" + TRIO + "&diff=1"))
    assert '<th scope="row">Institution' not in only
    assert only.count('<tr class="differs">') == full.count('<tr class="differs">')
    assert only.count('<th scope="row">') == only.count('<tr class="differs">')
    assert "Show all rows" in only


def test_compare_with_htmx_answers_the_table_and_what_follows_from_its_programs_and_restore_gets_the_page(client):
    partial = text(client.get("/compare?codes=IRF-0001,IRF-0002", headers=HX))
    assert partial.lstrip().startswith("<title>Compare 2 programs · IR Program Finder</title>")
    assert '<div id="comparison"' in partial and "<html" not in partial
    assert '<h1 id="compare-heading" hx-swap-oob="true">Compare 2 programs</h1>' in partial
    assert re.search(r'<input hx-swap-oob="true" id="compare-codes" name="codes" type="hidden" value="IRF-0001,IRF-0002">',
                     partial)
    page = text(client.get("/compare?codes=IRF-0001,IRF-0002"))
    assert "<title>Compare 2 programs · IR Program Finder</title>" in page
    assert '<h1 id="compare-heading">Compare 2 programs</h1>' in page
    assert '<input id="compare-codes" name="codes" type="hidden" value="IRF-0001,IRF-0002">' in page
    partial = client.get("/compare?codes=" + TRIO, headers=HX)
    restore = client.get("/compare?codes=" + TRIO, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)
    assert "HX-Request" in partial.headers["Vary"] and "HX-Request" in restore.headers["Vary"]


def test_each_column_can_be_removed_in_place_by_a_plain_link(client):
    page = text(client.get("/compare?codes=" + TRIO + "&diff=1"))
    assert 'href="/compare?codes=IRF-0002,IRF-0003&amp;diff=1" hx-get="/compare?codes=IRF-0002,IRF-0003&amp;diff=1" hx-target="#comparison"' in page
    single = text(client.get("/compare?codes=IRF-0001"))
    assert "from the comparison" not in single


def test_numeric_rows_have_bars_by_class_with_the_number_as_text(client):
    page = text(client.get("/compare?codes=IRF-0001,IRF-0002"))
    row = page.split('<th scope="row">Length', 1)[1].split("</tr>", 1)[0]
    assert "5 years" in row and "6 years" in row
    assert re.findall(r'bar__fill bar-(\d+)"', row) == ["17", "20"]
    positions = page.split('<th scope="row">Positions per year', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r'bar__fill bar-(\d+)"', positions) == ["20", "1"]


def test_the_table_is_a_named_region_and_each_value_carries_its_programs_name(client):
    page = text(client.get("/compare?codes=" + TRIO))
    assert '<div class="compare-scroll" role="region" aria-labelledby="compare-caption">' in page
    row = page.split('<th scope="row">Program type', 1)[1].split("</tr>", 1)[0]
    names = re.findall(r'<span class="compare-table__who">([^<]+)</span>', row)
    assert len(names) == 3 and names[0].startswith("Larkspur University")  # shown on a phone, one per value
    assert '<caption id="compare-caption" tabindex="-1">' in page  # focus target after the last removal


def test_codes_are_trimmed_deduplicated_and_case_sensitive(client):
    page = text(client.get("/compare?codes=%20IRF-0001%20,IRF-0001,,IRF-0002"))
    assert "Compare 2 programs" in page
    response = client.get("/compare?codes=irf-0001")
    assert response.status_code == 400 and "“irf-0001”" in text(response)


@pytest.mark.parametrize("query, named", [
    ("", "No program codes were given"),
    ("?codes=", "No program codes were given"),
    ("?codes=%20,%20", "No program codes were given"),
    ("?codes=IRF-0001,NOPE,ALSO-NOT", "These program codes do not exist: “NOPE”, “ALSO-NOT”."),
    ("?codes=" + ",".join(f"IRF-000{n}" for n in range(1, 8)), "7 programs were given; at most 6"),
    ("?codes=%3Cscript%3E", "“&lt;script&gt;”"),
])
def test_bad_codes_get_a_400_page_naming_every_bad_code(client, query, named):
    response = client.get("/compare" + query)
    assert response.status_code == 400
    assert named in text(response)


def test_the_compare_address_works_with_no_session_at_all(demo_app):
    response = demo_app.test_client().get("/compare?codes=IRF-0001,IRF-0002")
    assert response.status_code == 200 and "Save as shortlist" in text(response)


@pytest.mark.parametrize("path", ["/compare?codes=IRF-0001,IRF-0002", "/compare?codes=NOPE", "/shortlists",
                                  "edit", "share", "delete"])
def test_pages_have_no_inline_style_or_script(client, path):
    if path in ("edit", "share", "delete"):
        edit_path = make_list(client)
        path = {"edit": edit_path, "share": share_path(client, edit_path), "delete": edit_path + "/delete"}[path]
    page = text(client.get(path))
    assert " style=" not in page and "<style" not in page and "<script>" not in page and " on" + "click=" not in page


# Saving and the private page -----------------------------------------------------------------

def test_saving_answers_303_to_the_private_address_which_explains_the_key(client):
    edit_path = make_list(client)
    assert re.fullmatch(r"/shortlists/[A-Za-z0-9_-]{43}", edit_path)
    response = client.get(edit_path)
    page = text(response)
    assert response.status_code == 200
    assert "this page’s address is the only key to edit this list." in page
    assert f'value="http://localhost{edit_path}" readonly' in page
    assert re.search(r'value="http://localhost/s/[A-Za-z0-9_-]{43}" readonly', page)
    assert 'class="button--secondary js-copy" data-copy="share-link" hidden>Copy read-only link' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert entry_order(client, edit_path) == TRIO.split(",")


def test_the_edit_token_is_stored_only_as_its_sha256(demo_app, client):
    token = make_list(client).rsplit("/", 1)[1]
    with demo_app.app_context():
        shortlist = db.session.scalar(select(Shortlist))
        assert shortlist.edit_token_hash == hash_token(token) != token
        assert len(shortlist.share_token) >= 22 and shortlist.share_token != token


def test_each_shortlist_gets_its_own_random_tokens(client):
    first, second = make_list(client), make_list(client)
    assert first != second and share_path(client, first) != share_path(client, second)


@pytest.mark.parametrize("data, named", [
    ({"name": "", "codes": TRIO}, "Give the shortlist a name"),
    ({"name": "   ", "codes": TRIO}, "Give the shortlist a name"),
    ({"name": "x" * 101, "codes": TRIO}, "at most 100 are allowed"),
    ({"name": "Mine", "codes": ""}, "No program codes were given"),
    ({"name": "Mine", "codes": "IRF-0001,GHOST"}, "“GHOST”"),
    ({"name": "Mine", "codes": ",".join(f"IRF-{n:04d}" for n in range(1, 52))}, "51 programs were given; at most 50"),
])
def test_saving_bad_input_gets_a_400_page_naming_the_problem(client, data, named):
    response = post(client, "/shortlists", data)
    assert response.status_code == 400
    assert named in text(response)


def test_a_list_of_fifty_programs_can_be_saved(client):
    make_list(client, ",".join(f"IRF-{n:04d}" for n in range(1, 51)))


def test_saving_is_rate_limited_per_client(second_app):
    client = second_app(SHORTLIST_CREATE_LIMIT="2 per hour").test_client()
    first = make_list(client)
    make_list(client)
    response = post(client, "/shortlists", {"name": "Third", "codes": TRIO})
    assert response.status_code == 429 and "Retry-After" in response.headers
    page = text(response)
    assert "Too many shortlists were saved from your connection in a short time (the limit is 2 per hour)." in page
    assert client.get(first).status_code == 200
    assert post(client, first + "/name", {"name": "Still editable"}).status_code == 303


@pytest.mark.parametrize("path", [
    "/shortlists/not-a-token", "/shortlists/not-a-token/shortlist.csv", "/shortlists/not-a-token/delete",
    "/s/not-a-token", "/s/" + "x" * 300,
])
def test_a_wrong_token_is_a_404(client, path):
    make_list(client)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("action, data", [
    ("name", {"name": "New"}), ("programs", {"codes": "IRF-0004"}), ("programs/IRF-0001/move", {"direction": "down"}),
    ("programs/IRF-0001/note", {"note": "n"}), ("programs/IRF-0001/remove", {}), ("delete", {}),
])
def test_edits_with_a_wrong_token_are_404_and_without_csrf_are_refused(client, action, data):
    edit_path = make_list(client)
    assert post(client, f"/shortlists/wrong-token/{action}", data).status_code == 404
    refused = client.post(f"{edit_path}/{action}", data=data, headers=HX)
    assert refused.status_code == 400
    assert entry_order(client, edit_path) == TRIO.split(",")


def test_the_share_page_is_read_only_and_never_shows_the_edit_token_or_notes(client):
    edit_path = make_list(client)
    post(client, edit_path + "/programs/IRF-0002/note", {"note": "secret thought"})
    response = client.get(share_path(client, edit_path))
    page = text(response)
    assert response.status_code == 200
    assert "<form" not in page and "<textarea" not in page
    assert edit_path.rsplit("/", 1)[1] not in page and "secret thought" not in page
    assert "Top picks" in page and "read-only" in page
    assert re.findall(r'id="entry-([^"]+)"', page) == TRIO.split(",")


# Ranking, notes, adding, removing --------------------------------------------------------------

def test_move_up_and_down_without_javascript(client):
    edit_path = make_list(client)
    response = post(client, edit_path + "/programs/IRF-0003/move", {"direction": "up"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#entry-IRF-0003")
    assert entry_order(client, edit_path) == ["IRF-0001", "IRF-0003", "IRF-0002"]
    post(client, edit_path + "/programs/IRF-0001/move", {"direction": "down"})
    assert "Moved Larkspur University Diagnostic Radiology Residency to place 2 of 3." in text(client.get(edit_path))
    assert entry_order(client, edit_path) == ["IRF-0003", "IRF-0001", "IRF-0002"]


def test_move_with_htmx_swaps_the_list_keeps_focus_on_the_moved_button_and_announces(client):
    edit_path = make_list(client)
    response = post(client, edit_path + "/programs/IRF-0003/move", {"direction": "up"}, HX)
    body = text(response)
    assert body.lstrip().startswith('<div id="entries"') and "<html" not in body
    assert re.findall(r'id="entry-([^"]+)"', body) == ["IRF-0001", "IRF-0003", "IRF-0002"]
    focused = re.findall(r'<button[^>]*autofocus>([^<]+)<span class="visually-hidden"> ([^<]+)</span>', body)
    assert focused == [("Move up", "Larkspur University Independent IR Residency")]
    assert '<div id="list-status" hx-swap-oob="innerHTML"><p>Moved Larkspur University Independent IR Residency to place 2 of 3.</p></div>' in body
    assert "HX-Request" in response.headers["Vary"]


def test_moving_to_an_end_focuses_the_other_button_and_the_end_buttons_are_disabled(client):
    edit_path = make_list(client)
    body = text(post(client, edit_path + "/programs/IRF-0002/move", {"direction": "up"}, HX))
    first = body.split('id="entry-IRF-0002"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'value="up" disabled>', first)
    assert re.search(r'value="down" autofocus>Move down', first)
    post(client, edit_path + "/programs/IRF-0002/move", {"direction": "up"})
    assert entry_order(client, edit_path) == ["IRF-0002", "IRF-0001", "IRF-0003"]


def test_a_move_needs_a_direction_and_an_entry_on_the_list(client):
    edit_path = make_list(client)
    assert post(client, edit_path + "/programs/IRF-0001/move", {"direction": "sideways"}).status_code == 400
    assert post(client, edit_path + "/programs/IRF-0099/move", {"direction": "up"}).status_code == 404


def test_notes_save_with_htmx_and_are_escaped_on_output(client):
    edit_path = make_list(client)
    note = "<script>alert(1)</script>\r\nCall & ask"
    response = post(client, edit_path + "/programs/IRF-0002/note", {"note": note}, HX)
    assert response.status_code == 200 and "Note on Larkspur University Integrated IR Residency saved." in text(response)
    page = text(client.get(edit_path))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nCall &amp; ask</textarea>" in page
    assert "<script>alert(1)" not in page


def test_notes_save_without_javascript(client):
    edit_path = make_list(client)
    response = post(client, edit_path + "/programs/IRF-0001/note", {"note": "Visit in March"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#entry-IRF-0001")
    page = text(client.get(edit_path))
    assert "Note on Larkspur University Diagnostic Radiology Residency saved." in page and "Visit in March</textarea>" in page


def test_a_note_over_2000_characters_is_refused_with_a_message(client):
    edit_path = make_list(client)
    assert post(client, edit_path + "/programs/IRF-0001/note", {"note": "é" * 2000}, HX).status_code == 200
    response = post(client, edit_path + "/programs/IRF-0001/note", {"note": "x" * 2001}, HX)
    assert response.status_code == 422 and "at most 2000 characters" in text(response)
    post(client, edit_path + "/programs/IRF-0001/note", {"note": "x" * 2001})
    page = text(client.get(edit_path))
    assert "was not saved" in page and "é" * 2000 + "</textarea>" in page


def test_a_line_break_counts_as_one_character_like_the_browser_counts_it(client):
    edit_path = make_list(client)
    assert post(client, edit_path + "/programs/IRF-0001/note", {"note": "a\r\n" * 1000}, HX).status_code == 200


def test_programs_can_be_added_by_code_and_from_the_tray(client):
    edit_path = make_list(client)
    add_to_tray(client, "IRF-0001")
    add_to_tray(client, "IRF-0009")
    page = text(client.get(edit_path))
    assert '<input type="hidden" name="codes" value="IRF-0009">' in page
    assert "Add the 1 program from the compare tray" in page
    post(client, edit_path + "/programs", {"codes": "IRF-0009"})
    response = post(client, edit_path + "/programs", {"codes": " IRF-0004 , IRF-0001"})
    assert response.status_code == 303
    assert "Added 1 program." in text(client.get(edit_path))
    assert entry_order(client, edit_path) == ["IRF-0001", "IRF-0002", "IRF-0003", "IRF-0009", "IRF-0004"]


@pytest.mark.parametrize("codes, named", [
    ("IRF-0004,GHOST", "“GHOST”"), ("", "Give at least one program code."),
    (",".join(f"IRF-{n:04d}" for n in range(4, 52)), "A shortlist holds at most 50 programs; this one has 3, so 48 more do not fit."),
])
def test_adding_bad_or_too_many_codes_is_a_400_that_changes_nothing(client, codes, named):
    edit_path = make_list(client)
    response = post(client, edit_path + "/programs", {"codes": codes})
    assert response.status_code == 400 and named in text(response)
    assert entry_order(client, edit_path) == TRIO.split(",")


def test_remove_an_entry_with_and_without_htmx(client):
    edit_path = make_list(client)
    response = post(client, edit_path + "/programs/IRF-0002/remove", {}, HX)
    assert re.findall(r'id="entry-([^"]+)"', text(response)) == ["IRF-0001", "IRF-0003"]
    focused = re.findall(r'<button[^>]*autofocus>Remove<span class="visually-hidden"> ([^<]+)</span>', text(response))
    assert focused == ["Larkspur University Independent IR Residency from the list"]
    assert post(client, edit_path + "/programs/IRF-0001/remove").status_code == 303
    assert entry_order(client, edit_path) == ["IRF-0003"]
    assert '<span class="entry__rank">1<' in text(client.get(edit_path))


def test_rename_and_a_bad_name_is_a_400(client):
    edit_path = make_list(client)
    assert post(client, edit_path + "/name", {"name": "  Couples   match "}).status_code == 303
    assert "<h1>Couples match</h1>" in text(client.get(edit_path))
    response = post(client, edit_path + "/name", {"name": "y" * 101})
    assert response.status_code == 400 and "at most 100 are allowed" in text(response)
    assert "<h1>Couples match</h1>" in text(response)


def test_delete_asks_first_then_removes_the_list_for_everyone(client):
    edit_path = make_list(client)
    shared = share_path(client, edit_path)
    confirm = client.get(edit_path + "/delete")
    assert confirm.status_code == 200 and "Yes, delete this shortlist" in text(confirm)
    assert client.get(edit_path).status_code == 200
    response = post(client, edit_path + "/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/shortlists"
    assert "Deleted the shortlist “Top picks”." in text(client.get("/shortlists"))
    assert client.get(edit_path).status_code == 404 and client.get(shared).status_code == 404


def test_export_is_a_csv_with_the_formula_guard(client):
    edit_path = make_list(client, name="=HYPERLINK()")
    post(client, edit_path + "/programs/IRF-0002/note", {"note": "=cmd|' /C calc'!A0"})
    response = client.get(edit_path + "/shortlist.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=shortlist.csv"
    lines = text(response).splitlines()
    assert lines[0] == ("rank,program_code,name,institution,city,state,program_type,length_years,positions_per_year,"
                        "listed,note,status,signal,interview_on")
    assert lines[2].startswith("2,IRF-0002,Larkspur University Integrated IR Residency,")
    assert lines[2].endswith(",yes,'=cmd|' /C calc'!A0,considering,none,")


# A program removed from the catalog ------------------------------------------------------------

def test_a_removed_program_stays_on_the_list_marked_no_longer_listed(demo_app, client):
    edit_path = make_list(client)
    shared = share_path(client, edit_path)
    programs = (SEED / "programs.csv").read_text().splitlines(keepends=True)
    kept = "".join(line for line in programs if not line.startswith("IRF-0002,"))
    assert load(demo_app, ("programs.csv", kept), prune=True).ok
    for path in (edit_path, shared):
        page = text(client.get(path))
        gone = page.split('id="entry-IRF-0002"', 1)[1].split("</li>", 1)[0]
        assert "No longer listed" in gone
    assert 'href="/compare?codes=IRF-0001,IRF-0003"' in text(client.get(edit_path))
    assert ",IRF-0002,,,,,,,,no longer listed," in text(client.get(edit_path + "/shortlist.csv"))
    assert post(client, edit_path + "/programs/IRF-0002/move", {"direction": "up"}).status_code == 303
    assert entry_order(client, edit_path) == ["IRF-0002", "IRF-0001", "IRF-0003"]


def test_a_program_removed_while_in_the_tray_drops_out_of_it(demo_app, client):
    add_to_tray(client, "IRF-0001")
    add_to_tray(client, "IRF-0002")
    programs = (SEED / "programs.csv").read_text().splitlines(keepends=True)
    assert load(demo_app, ("programs.csv", "".join(l for l in programs if not l.startswith("IRF-0002,"))), prune=True).ok
    page = text(client.get("/pathways"))
    assert 'href="/compare?codes=IRF-0001">Compare (1)</a>' in page and "IRF-0002" not in page
    add_to_tray(client, "IRF-0003")
    assert tray_codes(client) == ["IRF-0001", "IRF-0003"]


# My shortlists -------------------------------------------------------------------------------

def test_my_shortlists_lists_only_the_lists_this_browser_opened(demo_app, client):
    mine = make_list(client, name="Mine")
    other = demo_app.test_client()
    theirs = make_list(other, name="Theirs")
    page = text(client.get("/shortlists"))
    assert f'<a href="{mine}">Mine</a>' in page and "Theirs" not in page
    client.get(theirs)
    assert "Theirs" in text(client.get("/shortlists"))
    response = client.get("/shortlists")
    assert response.headers["Cache-Control"] == "no-store"


def test_my_shortlists_forgets_deleted_lists_and_survives_a_strange_cookie(client):
    edit_path = make_list(client, name="Short-lived")
    post(client, edit_path + "/delete")
    with client.session_transaction() as session:
        session["shortlists"] = [*session.get("shortlists", []), "junk", [1], [2, "nope"]]
    page = text(client.get("/shortlists"))
    assert "Short-lived</a>" not in page and "has not opened any shortlist yet" in page


def test_nav_links_to_compare_and_my_shortlists_on_every_page(client):
    page = text(client.get("/pathways"))
    assert '<li id="nav-compare"><a href="#compare-tray">Compare (0)</a></li>' in page
    assert '<a href="/shortlists">My shortlists</a>' in page


def test_an_htmx_edit_carries_its_csrf_token_in_the_header_only(client):
    edit_path = make_list(client)
    response = client.post(edit_path + "/programs/IRF-0002/move", data={"direction": "up"},
                           headers={**HX, "X-CSRFToken": token(client)})
    assert response.status_code == 200
    assert entry_order(client, edit_path) == ["IRF-0002", "IRF-0001", "IRF-0003"]


@pytest.mark.parametrize("page", ["edit", "share", "mine", "delete"])
def test_pages_that_have_no_partial_answer_htmx_with_the_full_page(client, page):
    edit_path = make_list(client)
    path = {"edit": edit_path, "share": share_path(client, edit_path), "mine": "/shortlists",
            "delete": edit_path + "/delete"}[page]
    assert "<html" in text(client.get(path, headers=HX))


def test_the_creation_limit_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SHORTLIST_CREATE_LIMIT", "5 per minute")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'l.sqlite3'}")
    assert create_app({"TESTING": True}).config["SHORTLIST_CREATE_LIMIT"] == "5 per minute"


def test_saving_names_every_problem_at_once(client):
    response = post(client, "/shortlists", {"name": "", "codes": "IRF-0001,GHOST"})
    assert response.status_code == 400
    assert "Give the shortlist a name" in text(response) and "“GHOST”" in text(response)
