"""The application planner on a shortlist (contract section 7, issue 16): plan form, signal limits,
counts and views, CSV, shared JSON, calendar, fees, season strip, rank order list, parallel plan."""

import re
import threading
from datetime import date

import icalendar
import pytest

from finder.extensions import db
from finder.shortlists import store
from finder.shortlists.cycle import CycleError, load_cycle, parse_cycle
from finder.shortlists.planner import tier_cost

from .conftest import ON_POSTGRES, SEED, csrf_token
from .test_shortlists import HX, make_list, post, share_path, text, token

LARKSPUR_DR, LARKSPUR_IR, LARKSPUR_INDEPENDENT = "IRF-0001", "IRF-0002", "IRF-0003"
NAMES = {
    "IRF-0001": "Larkspur University Diagnostic Radiology Residency",
    "IRF-0002": "Larkspur University Integrated IR Residency",
    "IRF-0003": "Larkspur University Independent IR Residency",
}
# Programs whose signals_accepted is yes in the demo data.
SIGNALING = ["IRF-0001", "IRF-0003", "IRF-0009", "IRF-0017", "IRF-0021", "IRF-0025", "IRF-0029", "IRF-0033"]
SMALL_CYCLE = (SEED / "cycle.toml").read_text().replace("gold = 6", "gold = 2").replace("silver = 6", "silver = 1")


@pytest.fixture
def client(demo_app):
    return demo_app.test_client()


def plan(client, edit_path, code, headers=None, **fields):
    data = {"status": "considering", "signal": "none", "interview_on": "", **fields}
    return post(client, f"{edit_path}/programs/{code}/plan", data, headers)


def entries_json(client, edit_path):
    return client.get(share_path(client, edit_path) + ".json").get_json()["entries"]


def plan_of(client, edit_path, code):
    entry = next(e for e in entries_json(client, edit_path) if e["program_code"] == code)
    return entry["status"], entry["signal"], entry["interview_on"]


# The plan form -------------------------------------------------------------------------------

def test_new_entries_are_considering_without_signal_or_interview(client):
    edit_path = make_list(client)
    assert [(e["status"], e["signal"], e["interview_on"]) for e in entries_json(client, edit_path)] == [
        ("considering", "none", None)] * 3


def test_each_entry_has_one_form_with_exactly_status_signal_and_interview_on(client):
    page = text(client.get(make_list(client)))
    forms = re.findall(r'<form class="plan__form"(.*?)</form>', page, re.S)
    assert len(forms) == 3
    for form in forms:
        assert 'method="post"' in form
        names = re.findall(r'name="([^"]+)"', form)
        assert sorted(names) == ["csrf_token", "interview_on", "signal", "status"]


def test_saving_a_plan_without_javascript_answers_303_and_changes_the_entry(client):
    edit_path = make_list(client)
    response = plan(client, edit_path, LARKSPUR_DR, status="interviewed", signal="gold", interview_on="2026-11-14")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#entry-{LARKSPUR_DR}")
    page = text(client.get(edit_path))
    assert f"Saved the plan for {NAMES[LARKSPUR_DR]}: interviewed, gold signal, interview on 2026-11-14." in page
    assert plan_of(client, edit_path, LARKSPUR_DR) == ("interviewed", "gold", "2026-11-14")


def test_saving_a_plan_with_htmx_answers_the_entry_and_the_summary_in_place(client):
    edit_path = make_list(client)
    response = plan(client, edit_path, LARKSPUR_DR, HX, status="applying", signal="silver")
    body = text(response)
    assert response.status_code == 200 and body.startswith(f'\n<div class="plan" id="plan-{LARKSPUR_DR}">') or \
        f'<div class="plan" id="plan-{LARKSPUR_DR}">' in body.split("\n", 8)[-1]
    assert '<div id="plan-summary" hx-swap-oob="outerHTML">' in body
    assert "2 considering, 1 applying" in body and "Silver 1 of 6" in body
    assert '<option value="applying" selected>' in body
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("field, value, words", [
    ("status", "maybe", "Status: choose one of"),
    ("status", None, "Status: choose one of"),
    ("signal", "platinum", "Signal: choose no signal, gold or silver."),
    ("interview_on", "14/11/2026", "Interview date: “14/11/2026” is not a date: give it as YYYY-MM-DD"),
    ("interview_on", "2026-02-30", "Interview date: “2026-02-30” is not a date"),
    ("interview_on", "1999-12-31", "Interview date: 1999-12-31 is out of range"),
])
@pytest.mark.parametrize("headers", [{}, HX])
def test_a_bad_value_gets_400_naming_the_field_and_changes_nothing(client, field, value, words, headers):
    edit_path = make_list(client)
    fields = {"status": "applying", "signal": "gold", "interview_on": "2026-11-14", field: value}
    data = {key: item for key, item in fields.items() if item is not None}
    response = post(client, f"{edit_path}/programs/{LARKSPUR_DR}/plan", data, headers)
    assert response.status_code == 400
    body = text(response)
    assert words in body and "Nothing was changed." in body
    name = {"status": "status", "signal": "signal", "interview_on": "interview"}[field]
    assert re.search(rf'id="{name}-{LARKSPUR_DR}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{name}-{LARKSPUR_DR}"', body) \
        or (field == "signal" and 'aria-invalid="true"' in body)
    assert plan_of(client, edit_path, LARKSPUR_DR) == ("considering", "none", None)


def test_a_plan_form_without_its_csrf_token_is_refused(client):
    edit_path = make_list(client)
    response = client.post(f"{edit_path}/programs/{LARKSPUR_DR}/plan", data={"status": "applied", "signal": "none"})
    assert response.status_code == 400
    assert plan_of(client, edit_path, LARKSPUR_DR) == ("considering", "none", None)


def test_a_plan_for_a_program_not_on_the_list_or_a_wrong_token_is_404(client):
    edit_path = make_list(client)
    assert plan(client, edit_path, "IRF-0099", status="applied").status_code == 404
    assert plan(client, "/shortlists/wrong-token", LARKSPUR_DR, status="applied").status_code == 404
    assert plan(client, edit_path, "IRF-0099", status="bad").status_code == 404


# Signals -------------------------------------------------------------------------------------

def test_the_seventh_gold_signal_gets_409_naming_the_limit_and_changes_nothing(client):
    edit_path = make_list(client, ",".join(SIGNALING))
    for code in SIGNALING[:6]:
        assert plan(client, edit_path, code, signal="gold").status_code == 303
    for headers in ({}, HX):
        response = plan(client, edit_path, SIGNALING[6], headers, status="applying", signal="gold")
        assert response.status_code == 409
        assert "6 gold signals are already used" in text(response) and "nothing was changed" in text(response)
    assert plan_of(client, edit_path, SIGNALING[6]) == ("considering", "none", None)
    assert "Gold 6 of 6 · " in text(client.get(edit_path))
    # Changing something else of an entry that already holds a gold signal is no new signal.
    assert plan(client, edit_path, SIGNALING[0], status="applied", signal="gold").status_code == 303
    # Silver is a pool of its own.
    assert plan(client, edit_path, SIGNALING[6], signal="silver").status_code == 303


def test_limits_come_from_the_cycle_file(demo_app, client):
    from finder.shortlists.planner_routes import CYCLE_KEY

    demo_app.extensions[CYCLE_KEY] = parse_cycle(SMALL_CYCLE)  # what create_app reads from CYCLE_FILE
    edit_path = make_list(client, ",".join(SIGNALING[:4]))
    assert plan(client, edit_path, SIGNALING[0], signal="silver").status_code == 303
    response = plan(client, edit_path, SIGNALING[1], signal="silver")
    assert response.status_code == 409 and "1 silver signal is already used" in text(response)
    assert "Gold 0 of 2 · Silver 1 of 1" in text(client.get(edit_path))


def test_a_signal_to_a_program_that_may_not_take_part_is_saved_with_a_warning(client):
    edit_path = make_list(client, "IRF-0002,IRF-0004")  # signals_accepted unknown, and no
    response = plan(client, edit_path, "IRF-0002", HX, signal="gold")
    assert response.status_code == 200
    assert "It is not known whether Larkspur University Integrated IR Residency takes part in preference signaling" in text(response)
    assert plan(client, edit_path, "IRF-0004", signal="silver").status_code == 303
    page = text(client.get(edit_path))
    assert "does not take part in preference signaling: this signal may be wasted." in page
    assert plan_of(client, edit_path, "IRF-0004")[1] == "silver"


# Counts and views ----------------------------------------------------------------------------

def test_the_page_counts_statuses_and_filters_and_groups_by_them(client):
    edit_path = make_list(client, ",".join(SIGNALING[:5]))
    for code, status in zip(SIGNALING, ["applying", "applying", "interviewed", "interview_invited", "considering"]):
        plan(client, edit_path, code, status=status)
    page = text(client.get(edit_path))
    assert "1 considering, 2 applying, 1 interview invitation, 1 interview" in page
    shown = re.findall(r'<li class="entry[^"]*" id="entry-([^"]+)"', text(client.get(edit_path + "?status=applying")))
    assert shown == SIGNALING[:2]
    grouped = text(client.get(edit_path + "?group=status"))
    headings = re.findall(r'<h3 class="entries__group">([^<]+?) <', grouped)
    assert headings == ["Considering", "Applying", "Interview invited", "Interviewed"]
    assert "There is no status" in text(client.get(edit_path + "?status=nonsense"))


# CSV and JSON --------------------------------------------------------------------------------

def test_the_csv_has_status_signal_and_interview_on_with_the_formula_guard(client):
    edit_path = make_list(client)
    plan(client, edit_path, LARKSPUR_IR, status="interview_invited", signal="gold", interview_on="2026-12-03")
    lines = text(client.get(edit_path + "/shortlist.csv")).splitlines()
    header = lines[0].split(",")
    assert {"rank", "program_code", "name", "note", "status", "signal", "interview_on"} <= set(header)
    row = dict(zip(header, lines[2].split(",")))
    assert (row["status"], row["signal"], row["interview_on"]) == ("interview_invited", "gold", "2026-12-03")


def test_the_shared_json_has_the_plan_in_rank_order_and_never_notes_or_the_edit_token(client):
    edit_path = make_list(client)
    post(client, f"{edit_path}/programs/{LARKSPUR_IR}/note", {"note": "secret note"})
    plan(client, edit_path, LARKSPUR_IR, status="applied", signal="silver", interview_on="2026-10-30")
    response = client.get(share_path(client, edit_path) + ".json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body == {"name": "Top picks", "entries": [
        {"rank": 1, "program_code": "IRF-0001", "name": NAMES["IRF-0001"], "status": "considering", "signal": "none", "interview_on": None},
        {"rank": 2, "program_code": "IRF-0002", "name": NAMES["IRF-0002"], "status": "applied", "signal": "silver", "interview_on": "2026-10-30"},
        {"rank": 3, "program_code": "IRF-0003", "name": NAMES["IRF-0003"], "status": "considering", "signal": "none", "interview_on": None},
    ]}
    raw = text(response)
    assert "secret note" not in raw and edit_path.rsplit("/", 1)[1] not in raw


def test_a_wrong_share_token_gets_404_json(client):
    for path in ("/s/no-such-token.json", "/s/" + "x" * 80 + ".json"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert response.get_json()["error"]["message"]


def test_the_share_page_shows_statuses_signals_and_key_facts_but_never_notes(client):
    edit_path = make_list(client)
    post(client, f"{edit_path}/programs/{LARKSPUR_DR}/note", {"note": "private words"})
    plan(client, edit_path, LARKSPUR_DR, status="interviewed", signal="gold", interview_on="2026-11-14")
    page = text(client.get(share_path(client, edit_path)))
    assert "Interviewed · " in page and "Gold signal" in page and "Interview 2026-11-14" in page
    assert "private words" not in page and "<form" not in page.split('id="entries"')[1].split("</main>")[0]
    facts = page.split(f'id="entry-{LARKSPUR_DR}"')[1].split("</li>")[0]
    for label in ("Type", "Place", "Length", "Positions", "ESIR", "Research"):
        assert f"<dt>{label}</dt>" in facts
    assert 'href="/compare?codes=IRF-0001,IRF-0002,IRF-0003"' in page


# The calendar --------------------------------------------------------------------------------

def calendar_events(client, edit_path):
    response = client.get(edit_path + "/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return response, icalendar.Calendar.from_ical(response.get_data())


def test_the_calendar_has_interviews_and_the_deadlines_of_entries_still_to_apply(client):
    edit_path = make_list(client)
    plan(client, edit_path, LARKSPUR_DR, status="interviewed", interview_on="2026-11-14")
    plan(client, edit_path, LARKSPUR_IR, status="applying")
    plan(client, edit_path, LARKSPUR_INDEPENDENT, status="applied")
    _, cal = calendar_events(client, edit_path)
    events = {(str(e["summary"]), e.decoded("dtstart")) for e in cal.walk("VEVENT")}
    assert events == {
        (f"Interview: {NAMES[LARKSPUR_DR]}", date(2026, 11, 14)),
        (f"Application deadline: {NAMES[LARKSPUR_IR]}", date(2027, 10, 21)),
    }
    for event in cal.walk("VEVENT"):
        assert not hasattr(event.decoded("dtstart"), "hour")  # all-day
        assert event.decoded("dtend").toordinal() == event.decoded("dtstart").toordinal() + 1


def test_calendar_uids_are_stable_across_downloads_and_unique(client):
    edit_path = make_list(client)
    plan(client, edit_path, LARKSPUR_DR, interview_on="2026-11-14")
    first = {str(e["summary"]): str(e["uid"]) for e in calendar_events(client, edit_path)[1].walk("VEVENT")}
    plan(client, edit_path, LARKSPUR_DR, interview_on="2026-11-21")  # the date moves: the same event
    second = {str(e["summary"]): str(e["uid"]) for e in calendar_events(client, edit_path)[1].walk("VEVENT")}
    assert first == second and len(set(first.values())) == len(first) == 4
    other = make_list(client, name="Another")
    plan(client, other, LARKSPUR_DR, interview_on="2026-11-14")
    third = {str(e["uid"]) for e in calendar_events(client, other)[1].walk("VEVENT")}
    assert not third & set(first.values())


def test_the_calendar_of_a_wrong_token_is_404(client):
    assert client.get("/shortlists/wrong/calendar.ics").status_code == 404


# Fees ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("count, dollars", [(0, 0), (1, 99), (10, 99), (11, 118), (20, 289), (21, 312), (31, 545)])
def test_fees_follow_the_eras_tiers(count, dollars):
    assert tier_cost(count, load_cycle(SEED / "cycle.toml")) == dollars


def test_the_fee_estimate_counts_ir_and_dr_apart_for_entries_applying_or_applied(client):
    edit_path = make_list(client, "IRF-0001,IRF-0002,IRF-0004,IRF-0005,IRF-0006")
    for code, status in [("IRF-0001", "applying"), ("IRF-0002", "applied"), ("IRF-0004", "applying"),
                         ("IRF-0005", "considering"), ("IRF-0006", "applying")]:
        plan(client, edit_path, code, status=status)
    page = text(client.get(edit_path))
    fees = page.split("Estimated application fees")[1].split("</table>")[0]
    assert "<th scope=\"row\">Diagnostic Radiology</th><td>1</td><td>$99</td>" in fees
    assert "<th scope=\"row\">Interventional Radiology (Integrated)</th><td>2</td><td>$99</td>" in fees
    assert "<td>3</td><td>$198</td>" in fees
    assert "An estimate only" in page and "checked 2026-12-01" in page
    assert "Not counted (no ERAS residency specialty): Larkspur University" in page


# The season strip ----------------------------------------------------------------------------

def test_the_season_strip_is_an_svg_with_a_text_alternative(client):
    edit_path = make_list(client)
    plan(client, edit_path, LARKSPUR_DR, status="interviewed", interview_on="2026-11-14")
    page = text(client.get(edit_path))
    svg = page.split('<svg class="season__strip"')[1].split("</svg>")[0]
    assert 'role="img"' in svg and "2 application deadlines and 1 interview" in svg
    assert svg.count('class="season__interview"') == 1 and svg.count('class="season__deadline"') == 2
    listed = page.split("The season as a list of dates")[1].split("</ul>")[0]
    assert f"2026-11-14</time>: Interview: {NAMES[LARKSPUR_DR]}" in listed
    assert "Match Day" in listed


# Ranking -------------------------------------------------------------------------------------

def order(client, edit_path):
    return [e["program_code"] for e in entries_json(client, edit_path)]


@pytest.mark.parametrize("headers", [{}, HX])
def test_move_to_top_bottom_and_a_typed_place(client, headers):
    edit_path = make_list(client, ",".join(SIGNALING[:4]))
    a, b, c, d = SIGNALING[:4]
    place = f"{edit_path}/programs/{{}}/place"
    assert post(client, place.format(c), {"to": "top"}, headers).status_code in (200, 303)
    assert order(client, edit_path) == [c, a, b, d]
    post(client, place.format(c), {"to": "bottom"}, headers)
    assert order(client, edit_path) == [a, b, d, c]
    response = post(client, place.format(c), {"to": "number", "position": "2"}, headers)
    assert order(client, edit_path) == [a, c, b, d]
    if headers:
        assert "to place 2 of 4.</p>" in text(response)
    post(client, place.format(a), {"to": "number", "position": "9"}, headers)
    assert order(client, edit_path) == [c, b, d, a]


@pytest.mark.parametrize("data, words", [({"to": "sideways"}, "Say where to move it."),
                                         ({"to": "number"}, "Type the place to move it to"),
                                         ({"to": "number", "position": "two"}, "Nothing was moved.")])
def test_a_bad_place_gets_400_and_moves_nothing(client, data, words):
    edit_path = make_list(client)
    response = post(client, f"{edit_path}/programs/{LARKSPUR_IR}/place", data, HX)
    assert response.status_code == 400 and words in text(response)
    assert order(client, edit_path) == list(NAMES)


def test_the_rank_order_list_reorders_only_its_own_entries(client):
    codes = SIGNALING[:5]
    edit_path = make_list(client, ",".join(codes))
    for code in (codes[1], codes[3], codes[4]):
        plan(client, edit_path, code, status="interviewed")
    page = text(client.get(edit_path + "/rank-order"))
    assert re.findall(r'id="rank-([^"]+)"', page) == [codes[1], codes[3], codes[4]]
    response = post(client, f"{edit_path}/programs/{codes[4]}/place?within=ranking", {"to": "top"}, HX)
    assert response.status_code == 200 and re.findall(r'id="rank-([^"]+)"', text(response)) == [codes[4], codes[1], codes[3]]
    assert "to place 1 of 3 on the rank order list." in text(response)
    # The others keep their places on the shortlist: 1, 3 and 5 were the interviewed ones' places.
    assert order(client, edit_path) == [codes[0], codes[4], codes[2], codes[1], codes[3]]
    post(client, f"{edit_path}/programs/{codes[4]}/place?within=ranking", {"to": "down"})
    assert order(client, edit_path) == [codes[0], codes[1], codes[2], codes[4], codes[3]]
    assert post(client, f"{edit_path}/programs/{codes[0]}/place?within=ranking", {"to": "top"}).status_code == 404


def test_the_rank_order_page_prints_alone_and_works_without_entries(client):
    edit_path = make_list(client)
    page = text(client.get(edit_path + "/rank-order"))
    assert "No program is marked interviewed or ranked yet." in page
    assert client.get("/shortlists/wrong/rank-order").status_code == 404


# The parallel plan ---------------------------------------------------------------------------

def test_an_integrated_ir_entry_offers_the_dr_residency_of_its_institution(client):
    edit_path = make_list(client, "IRF-0002,IRF-0010")
    page = text(client.get(edit_path))
    block = page.split('id="plan-IRF-0002"')[1].split('<form class="entry__note"')[0]
    assert "Parallel plan, diagnostic radiology at Larkspur University Medical Center" in block
    assert "Larkspur University Diagnostic Radiology Residency</a> · ESIR offered" in block
    assert 'name="codes" value="IRF-0001"' in block
    response = post(client, f"{edit_path}/programs", {"codes": "IRF-0001"})
    assert response.status_code == 303
    block = text(client.get(edit_path)).split('id="plan-IRF-0002"')[1].split('<form class="entry__note"')[0]
    assert "(on this list)" in block


def test_entries_that_need_a_separate_intern_year_are_reminded_and_counted(client):
    edit_path = make_list(client, "IRF-0005,IRF-0010,IRF-0013,IRF-0002")  # separate, separate, separate, included
    page = text(client.get(edit_path))
    assert "3 programs need a separate intern year" in page
    assert page.count("which you must apply for on its own") == 3


# The cycle file ------------------------------------------------------------------------------

def test_the_bundled_cycle_file_is_valid_and_holds_the_current_limits():
    cycle = load_cycle(SEED / "cycle.toml")
    assert (cycle.gold, cycle.silver, cycle.shared_pool) == (6, 6, True)
    assert cycle.source and cycle.checked_on <= date.today()


@pytest.mark.parametrize("change, problem", [
    (("gold = 6", 'gold = "six"'), "seed/cycle.toml: signals.gold: “six” is not allowed: give a whole number from 0 to 50"),
    (("gold = 6", "gold = 60"), "signals.gold: “60” is not allowed"),
    (("silver = 6\n", ""), "signals.silver: missing: give a whole number"),
    (("shared_pool = true", 'shared_pool = "yes"'), "signals.shared_pool: “yes” is not allowed: give true or false"),
    (("match_day = 2027-03-19", "match_day = 2026-03-19"), "season.match_day: 2026-03-19 lies before season.rank_list_deadline"),
    (("match_day = 2027-03-19", 'match_day = "soon"'), "season.match_day: “soon” is not a date"),
    (("[signals]", "[signals]\nbronze = 2"), "signals.bronze: not a setting of the cycle file"),
    (("checked_on", "checkd_on"), "checkd_on: not a setting of the cycle file (did you mean “checked_on”?)"),
    (("{ each = 26 },", "{ up_to = 40, each = 26 },"), "the last tier must have no up_to"),
    (("{ up_to = 20, each = 19 }", "{ up_to = 20, each = 19, total = 9 }"), "give either total"),
    (("diagnostic_radiology = ", "radiology = "), "fees.specialties.radiology: not a setting"),
    (("gold = 6", "gold = = 6"), "seed/cycle.toml: Invalid value (at line"),
])
def test_a_bad_cycle_file_is_refused_naming_the_key_and_the_problem(change, problem):
    source = (SEED / "cycle.toml").read_text()
    assert change[0] in source
    with pytest.raises(CycleError) as caught:
        parse_cycle(source.replace(change[0], change[1], 1))
    assert any(problem in line for line in caught.value.problems), caught.value.problems


def test_every_problem_of_a_cycle_file_is_reported_at_once():
    source = (SEED / "cycle.toml").read_text().replace("gold = 6", "gold = -1").replace("silver = 6", "silver = x")
    with pytest.raises(CycleError) as caught:
        parse_cycle(source.replace("silver = x", 'silver = "x"'))
    assert len(caught.value.problems) == 2


def test_the_app_does_not_start_with_a_bad_cycle_file_and_says_why(app_config, tmp_path):
    from finder import create_app

    bad = tmp_path / "cycle.toml"
    bad.write_text(SMALL_CYCLE.replace("gold = 2", "gold = lots"))
    with pytest.raises(RuntimeError, match="application cycle file has problems"):
        create_app({**app_config, "CYCLE_FILE": str(bad)})


def test_the_cycle_command_checks_a_file(runner, tmp_path):
    good = runner.invoke(args=["seed", "cycle", str(SEED / "cycle.toml")])
    assert good.exit_code == 0 and "Gold 6, silver 6, one pool shared by IR and DR" in good.output
    bad = tmp_path / "cycle.toml"
    bad.write_text(SMALL_CYCLE.replace("silver = 1", "silver = 100"))
    result = runner.invoke(args=["seed", "cycle", str(bad)])
    assert result.exit_code == 1 and "signals.silver: “100” is not allowed" in result.output
    missing = runner.invoke(args=["seed", "cycle", str(tmp_path / "none.toml")])
    assert missing.exit_code == 1 and "cannot be read" in missing.output


# Concurrency ---------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: SQLite lets one writer in at a time, so there is no race to test")
def test_two_browsers_assigning_the_last_gold_signal_at_once_stay_within_the_limit(demo_app):
    client = demo_app.test_client()
    edit_path = make_list(client, ",".join(SIGNALING))
    for code in SIGNALING[:5]:
        assert plan(client, edit_path, code, signal="gold").status_code == 303
    for _ in range(5):  # several rounds, each with one gold signal left and two takers
        start = threading.Barrier(2)
        statuses: list[int] = []
        failures: list[BaseException] = []

        def browser(code: str):
            other = demo_app.test_client()
            csrf = csrf_token(other)
            try:
                start.wait()
                response = other.post(f"{edit_path}/programs/{code}/plan",
                                      data={"csrf_token": csrf, "status": "applying", "signal": "gold", "interview_on": ""})
                statuses.append(response.status_code)
            except BaseException as error:  # noqa: BLE001 (reported by the main thread)
                failures.append(error)

        threads = [threading.Thread(target=browser, args=(code,)) for code in SIGNALING[5:7]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == [] and sorted(statuses) == [303, 409]
        gold = [e for e in entries_json(client, edit_path) if e["signal"] == "gold"]
        assert len(gold) == 6
        winner = next(e["program_code"] for e in gold if e["program_code"] in SIGNALING[5:7])
        assert plan(client, edit_path, winner, signal="none").status_code == 303


# "Save to…" one of my shortlists (issue 14.14) -----------------------------------------------

def test_save_to_appears_once_the_browser_has_a_shortlist_and_adds_the_program(client):
    assert "Save to…" not in text(client.get("/programs"))
    edit_path = make_list(client)
    assert "Save to…" in text(client.get("/programs"))
    detail = text(client.get("/programs/IRF-0009"))
    assert 'id="save-to-list"' in detail and edit_path.rsplit("/", 1)[1] not in detail
    list_id = re.search(r'<select id="save-to-list" name="list">\s*<option value="(\d+)">Top picks</option>', detail).group(1)
    response = post(client, "/shortlists/save", {"code": "IRF-0009", "list": list_id, "next": "/programs/IRF-0009"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/programs/IRF-0009")
    assert "(place 4 of 4)." in text(client.get("/programs/IRF-0009"))
    assert order(client, edit_path)[-1] == "IRF-0009"
    post(client, "/shortlists/save", {"code": "IRF-0009", "list": list_id, "next": "/programs"})
    assert "is already on “Top picks”." in text(client.get("/programs"))
    page = text(client.get("/shortlists/save?code=IRF-0010&next=/programs"))
    assert "Save to “Top picks”" in page and edit_path.rsplit("/", 1)[1] not in page


@pytest.mark.parametrize("data, words", [
    ({"code": "NOPE", "list": "1"}, "No program has the code “NOPE”."),
    ({"code": "IRF-0009", "list": "999"}, "this browser has no such shortlist"),
    ({"code": "IRF-0009"}, "Choose one of your shortlists."),
])
def test_a_bad_save_to_gets_400_saying_why(client, data, words):
    make_list(client)
    response = post(client, "/shortlists/save", data)
    assert response.status_code == 400 and words in text(response)


def test_another_browsers_list_cannot_be_saved_to(demo_app, client):
    make_list(client)
    stranger = demo_app.test_client()
    response = post(stranger, "/shortlists/save", {"code": "IRF-0009", "list": "1"})
    assert response.status_code == 400
