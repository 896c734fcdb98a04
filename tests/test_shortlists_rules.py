"""The rules of comparing and shortlisting, the store's edits, concurrency, and random input."""

import threading

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from finder.extensions import db
from finder.models import Shortlist, ShortlistEntry
from finder.shortlists import store
from finder.shortlists.rules import (
    CodesError, add_to_tray, bar_steps, check_codes, check_name, clean_tray, hash_token, new_token, split_codes,
)

from .conftest import ON_POSTGRES, csrf_token

TRIO = ["IRF-0001", "IRF-0002", "IRF-0003"]


# Plain rules ---------------------------------------------------------------------------------

def test_codes_are_split_on_commas_trimmed_and_counted_once_in_order():
    assert split_codes(" B , A,,B, a ") == ["B", "A", "a"]
    assert split_codes(None) == [] and split_codes(" , ") == []


def test_check_codes_names_every_unknown_code_and_the_limit_at_once():
    with pytest.raises(CodesError) as caught:
        check_codes(["A", "X", "Y", "B", "C"], {"A", "B", "C"}, limit=4)
    assert caught.value.problems == [
        "5 programs were given; at most 4 can be used here.",
        "These program codes do not exist: “X”, “Y”.",
    ]


def test_the_tray_takes_six_and_refuses_the_seventh_with_a_message():
    tray: list[str] = []
    for number in range(6):
        tray = add_to_tray(tray, f"P{number}", f"Program {number}").codes
    refused = add_to_tray(tray, "P6", "Program 6")
    assert not refused.ok and refused.codes == tray
    assert refused.message.startswith("The compare tray is full: it holds at most 6 programs.")


def test_a_tray_from_a_strange_cookie_is_cleaned():
    assert clean_tray("IRF-0001") == []
    assert clean_tray(["ok", 3, "<bad>", *[f"P{n}" for n in range(9)]]) == ["ok", "P0", "P1", "P2", "P3", "P4"]


def test_tokens_are_at_least_256_bits_and_url_safe_and_hashes_are_sha256():
    token = new_token()
    assert len(token) == 43 and token.replace("-", "").replace("_", "").isalnum()
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize("name, expected", [("  a \t b ", "a b"), ("x" * 100, "x" * 100), ("n\x00ame", "name")])
def test_names_are_tidied(name, expected):
    assert check_name(name) == expected


@pytest.mark.parametrize("name", ["", "   ", "\x00", "x" * 101])
def test_names_outside_1_to_100_characters_are_refused(name):
    with pytest.raises(ValueError):
        check_name(name)


def test_bars_are_scaled_to_the_largest_value_in_5_percent_steps():
    assert bar_steps([5, 6, None]) == [17, 20, None]
    assert bar_steps([0, 0]) == [0, 0]
    assert bar_steps([None]) == [None]
    assert bar_steps([1, 100]) == [0, 20]


# The store -----------------------------------------------------------------------------------

@pytest.fixture
def saved(demo_app):
    """A saved list of three programs; yields (app, edit token)."""
    with demo_app.app_context():
        _, token = store.create(db.session, "List", TRIO)
        db.session.commit()
    return demo_app, token


def codes_in_order(app, token):
    with app.app_context():
        shortlist = store.by_edit_token(db.session, token)
        ordered = store.entries(db.session, shortlist)
        assert [entry.rank for entry in ordered] == list(range(1, len(ordered) + 1))
        return [entry.program_code for entry in ordered]


def edit(app, token, action):
    with app.app_context():
        shortlist = store.lock_for_edit(db.session, token)
        result = action(shortlist)
        db.session.commit()
        return result


def test_moving_past_either_end_keeps_the_order(saved):
    app, token = saved
    assert edit(app, token, lambda s: store.move(db.session, s, "IRF-0001", "up")) == 1
    assert edit(app, token, lambda s: store.move(db.session, s, "IRF-0003", "down")) == 3
    assert codes_in_order(app, token) == TRIO


def test_removing_closes_the_gap_in_the_ranks(saved):
    app, token = saved
    edit(app, token, lambda s: store.remove(db.session, s, "IRF-0002"))
    assert codes_in_order(app, token) == ["IRF-0001", "IRF-0003"]


def test_entries_go_with_their_list(saved):
    app, token = saved
    edit(app, token, lambda s: store.delete(db.session, s))
    with app.app_context():
        assert db.session.query(ShortlistEntry).count() == 0 and db.session.query(Shortlist).count() == 0


def test_an_unknown_entry_is_a_lookup_error(saved):
    app, token = saved
    with pytest.raises(LookupError):
        edit(app, token, lambda s: store.set_note(db.session, s, "IRF-0099", "x"))


def test_a_wrong_edit_token_locks_nothing(saved):
    app, _ = saved
    with app.app_context():
        assert store.lock_for_edit(db.session, "wrong") is None


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite lets one writer in at a time, so there is no race to test")
def test_two_people_editing_one_list_at_once_never_drop_or_duplicate_a_program(saved):
    app, token = saved
    start = threading.Barrier(2)
    failures: list[BaseException] = []
    extra = [f"IRF-{n:04d}" for n in range(10, 30)]

    def person(number: int):
        client = app.test_client()
        csrf = csrf_token(client)
        path = f"/shortlists/{token}/programs"
        try:
            start.wait()
            for step, code in enumerate(extra):
                moves = TRIO + extra[:step]
                responses = [
                    client.post(path, data={"csrf_token": csrf, "codes": f"{code},{extra[(step + 7) % 20]}"}),
                    client.post(f"{path}/{moves[(step * 7 + number) % len(moves)]}/move",
                                data={"csrf_token": csrf, "direction": "up" if (step + number) % 2 else "down"}),
                    client.post(f"{path}/{TRIO[number]}/note", data={"csrf_token": csrf, "note": f"person {number} step {step}"}),
                ]
                assert [r.status_code for r in responses] == [303, 303, 303], [r.status_code for r in responses]
        except BaseException as error:  # noqa: BLE001 (reported by the main thread)
            failures.append(error)

    threads = [threading.Thread(target=person, args=(number,)) for number in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    codes = codes_in_order(app, token)
    assert sorted(codes) == sorted(TRIO + extra) and len(codes) == len(set(codes))
    with app.app_context():
        notes = {entry.program_code: entry.note for entry in store.entries(db.session, store.by_edit_token(db.session, token))}
    assert notes["IRF-0001"] == "person 0 step 19" and notes["IRF-0002"] == "person 1 step 19"


# Random form input never gives a server error --------------------------------------------------

@pytest.fixture
def roomy_client(app_config, request):
    app_config["SHORTLIST_CREATE_LIMIT"] = "100000 per hour"
    app = request.getfixturevalue("demo_app")
    client = app.test_client()
    client.csrf = csrf_token(client)
    with app.app_context():
        _, token = store.create(db.session, "Fuzz", TRIO)
        db.session.commit()
    client.edit_path = f"/shortlists/{token}"
    return client


codes_text = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(["IRF-0001", "IRF-0002", "irf-0003", "", " ", "NOPE", "a,b", "\x00"]), max_size=9).map(",".join),
)
fuzz = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@fuzz
@given(name=st.text(max_size=130), codes=codes_text)
def test_random_names_and_codes_never_give_a_server_error(roomy_client, name, codes):
    client = roomy_client
    assert client.post("/shortlists", data={"csrf_token": client.csrf, "name": name, "codes": codes}).status_code in (303, 400)
    assert client.get("/compare", query_string={"codes": codes}).status_code in (200, 400)
    assert client.post("/compare/tray", data={"csrf_token": client.csrf, "code": codes}).status_code in (303, 400, 409)
    response = client.post(client.edit_path + "/programs", data={"csrf_token": client.csrf, "codes": codes})
    assert response.status_code in (303, 400)
    assert client.post(client.edit_path + "/name", data={"csrf_token": client.csrf, "name": name}).status_code in (303, 400)


@fuzz
@given(note=st.text(max_size=2100), code=st.sampled_from(["IRF-0001", "IRF-0002", "NOPE", "%00", "x" * 40]),
       direction=st.text(max_size=6))
def test_random_notes_and_moves_never_give_a_server_error(roomy_client, note, code, direction):
    client = roomy_client
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(f"{client.edit_path}/programs/{code}/note", data={"csrf_token": client.csrf, "note": note}, headers=headers)
        assert response.status_code in (200, 303, 400, 404, 422)
        response = client.post(f"{client.edit_path}/programs/{code}/move", data={"csrf_token": client.csrf, "direction": direction}, headers=headers)
        assert response.status_code in (200, 303, 400, 404)
    assert client.get(client.edit_path).status_code == 200
