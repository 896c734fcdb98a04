"""The column registry and the thirteen columns of issue 15 (CONTRACT.md section 1).

Every rule of a new column, the cross-column rules on the row as it will be stored, and a
walk over the registry proving each column reaches every place derived from it.
"""

import csv
import io
import re

import pytest
from sqlalchemy import event, select

from finder.admin.forms import ProgramForm
from finder.catalog.columns import BY_NAME, GROUPS, PROGRAM_COLUMN_NAMES, PROGRAM_COLUMNS
from finder.extensions import db
from finder.models import Program

from .conftest import csrf_token, load
from .test_catalog_load import ALPHA, BETA, FEATURES, HEADER, messages, programs_csv, records

# The order of contract section 1: the new columns come after the old ones.
CONTRACT_COLUMNS = [
    "program_code", "name", "institution", "city", "state", "program_type", "length_years",
    "positions_per_year", "esir_available", "fellowships", "research_features", "mentorship_features",
    "research_months", "visa_sponsorship", "website", "description", "data_verified_on",
    "intern_year", "signals_accepted", "interview_format", "application_deadline", "step2_minimum",
    "comlex_accepted", "salary_pgy1", "ir_cases_per_year", "ir_faculty", "board_pass_rate",
    "program_director", "contact_email", "zip_code",
]
NEW_COLUMNS = CONTRACT_COLUMNS[CONTRACT_COLUMNS.index("intern_year"):]


@pytest.fixture
def vocab_app(app):
    assert load(app, ("features.csv", FEATURES)).ok
    return app


def one_row(values: dict[str, str]) -> str:
    """programs.csv with the columns of `values` (after P2's required ones) and one row."""
    base = dict(zip(HEADER.split(","), BETA.split(",")))
    row = {**base, **values}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([list(row), list(row.values())])
    return out.getvalue()


def test_the_registry_declares_the_contract_columns_in_the_contract_order():
    # A column added later widens the contract: it goes after these.
    assert PROGRAM_COLUMN_NAMES[:len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS


def test_every_grouped_column_belongs_to_one_of_the_six_groups():
    assert GROUPS == ("Route", "Place", "Applying", "Training", "Features", "Practicalities")
    assert {column.group for column in PROGRAM_COLUMNS} <= {*GROUPS, None}


# -- the rule of each new column -----------------------------------------------------

NEW_RULES = [
    ("intern_year", "categorical", "'categorical' is not one of included, separate"),
    ("intern_year", "Included", "(did you mean 'included'?)"),
    ("signals_accepted", "maybe", "'maybe' must be yes or no (also true/false or 1/0)"),
    ("interview_format", "zoom", "'zoom' is not one of virtual, in_person, hybrid"),
    ("interview_format", "in-person", "(did you mean 'in_person'?)"),
    ("application_deadline", "2026-02-30", "'2026-02-30' must be a date written YYYY-MM-DD"),
    ("application_deadline", "15/10/2026", "must be a date written YYYY-MM-DD"),
    ("step2_minimum", "199", "'199' must be a whole number from 200 to 300"),
    ("step2_minimum", "301", "'301' must be a whole number from 200 to 300"),
    ("step2_minimum", "230.5", "must be a whole number from 200 to 300"),
    ("comlex_accepted", "sometimes", "'sometimes' must be yes or no"),
    ("salary_pgy1", "19999", "'19999' must be a whole number from 20000 to 200000"),
    ("salary_pgy1", "200001", "from 20000 to 200000"),
    ("salary_pgy1", "65,000", "'65,000' must be a whole number"),
    ("ir_cases_per_year", "100001", "'100001' must be a whole number from 0 to 100000"),
    ("ir_cases_per_year", "-5", "from 0 to 100000"),
    ("ir_faculty", "501", "'501' must be a whole number from 0 to 500"),
    ("board_pass_rate", "101", "'101' must be a whole number from 0 to 100"),
    ("board_pass_rate", "95%", "'95%' must be a whole number from 0 to 100"),
    ("program_director", "D" * 201, "is 201 characters long; the limit is 200"),
    ("program_director", "Dr. Bell\x07", "contains a control character (U+0007)"),
    ("contact_email", "ir.example.org", "must be an e-mail address: one @, no spaces"),
    ("contact_email", "a@b@example.org", "must be an e-mail address"),
    ("contact_email", "ir office@example.org", "must be an e-mail address"),
    ("contact_email", "ir@localhost", "must be an e-mail address"),
    ("contact_email", "a" * 243 + "@example.org", "is 255 characters long; the limit is 254"),
    ("zip_code", "0211", "'0211' must be a ZIP code of 5 digits (a spreadsheet may have dropped its leading zeros: 00211)"),
    ("zip_code", "021150", "must be a ZIP code of 5 digits"),
    ("zip_code", "02115-1234", "must be a ZIP code of 5 digits"),
    ("zip_code", "00000", "'00000' is not a ZIP code in the app's ZIP data"),
]


@pytest.mark.parametrize("column, cell, message", NEW_RULES)
def test_each_new_column_rule_reports_line_column_and_what_is_wrong(vocab_app, column, cell, message):
    result = load(vocab_app, ("programs.csv", one_row({column: cell})))
    assert len(result.problems) == 1, messages(result)
    assert str(result.problems[0]).startswith(f"programs.csv: line 2: {column}: ")
    assert message in str(result.problems[0])
    assert records(vocab_app) == {}


GOOD = {
    "intern_year": ("separate", "separate"),
    "signals_accepted": ("YES", True),
    "interview_format": ("in_person", "in_person"),
    "application_deadline": ("2099-10-15", "2099-10-15"),
    "step2_minimum": ("230", 230),
    "comlex_accepted": ("0", False),
    "salary_pgy1": ("64500", 64500),
    "ir_cases_per_year": ("100000", 100000),
    "ir_faculty": ("0", 0),
    "board_pass_rate": ("100", 100),
    "program_director": ("Dr. Ingrid Pemberton", "Dr. Ingrid Pemberton"),
    "contact_email": ("ir-residency@example.org", "ir-residency@example.org"),
    "zip_code": ("02115", "02115"),
}


def test_valid_values_of_the_new_columns_load_normalised(vocab_app):
    assert set(GOOD) == set(NEW_COLUMNS)
    result = load(vocab_app, ("programs.csv", one_row({name: cell for name, (cell, _) in GOOD.items()})))
    assert result.ok, messages(result)
    stored = records(vocab_app)["P2"]
    as_text = {name: stored[name].isoformat() if hasattr(stored[name], "isoformat") else stored[name] for name in GOOD}
    assert as_text == {name: value for name, (_, value) in GOOD.items()}


@pytest.mark.parametrize("column", ["signals_accepted", "comlex_accepted"])
@pytest.mark.parametrize("cell, stored", [("yes", True), ("True", True), ("1", True), ("NO", False), ("false", False), ("0", False), ("", None), ("  ", None)])
def test_tri_state_cells_read_blank_as_unknown_not_no(vocab_app, column, cell, stored):
    assert load(vocab_app, ("programs.csv", one_row({column: cell}))).ok
    assert records(vocab_app)["P2"][column] is stored


def test_a_blank_tri_state_cell_clears_a_stored_no_back_to_unknown(vocab_app):
    load(vocab_app, ("programs.csv", one_row({"signals_accepted": "no"})))
    result = load(vocab_app, ("programs.csv", one_row({"signals_accepted": ""})))
    assert result.files[0].updated == 1
    assert records(vocab_app)["P2"]["signals_accepted"] is None


def test_a_file_without_the_new_columns_is_valid_and_leaves_them_unchanged(vocab_app):
    assert load(vocab_app, ("programs.csv", one_row({"salary_pgy1": "70000", "signals_accepted": "yes"}))).ok
    result = load(vocab_app, ("programs.csv", programs_csv("P2,Beta Radiology,Beta Clinic,Dallas,TX,diagnostic_radiology,5")))
    assert result.ok and result.files[0].updated == 1
    stored = records(vocab_app)["P2"]
    assert (stored["city"], stored["salary_pgy1"], stored["signals_accepted"]) == ("Dallas", 70000, True)


# -- rules that tie columns together, on the row as it will be stored -----------------


@pytest.mark.parametrize("program_type", ["integrated_ir", "diagnostic_radiology"])
def test_intern_year_is_valid_for_integrated_ir_and_diagnostic_radiology(vocab_app, program_type):
    assert load(vocab_app, ("programs.csv", one_row({"program_type": program_type, "intern_year": "included"}))).ok


@pytest.mark.parametrize("program_type", ["independent_ir", "fellowship"])
def test_intern_year_is_a_problem_for_other_types_saying_how_to_clear_it(vocab_app, program_type):
    result = load(vocab_app, ("programs.csv", one_row({"program_type": program_type, "intern_year": "included"})))
    assert messages(result) == [
        "programs.csv: line 2: intern_year: an intern year applies only to integrated_ir and diagnostic_radiology "
        f"programs, and this program is {program_type}: leave the cell blank"
    ]
    assert records(vocab_app) == {}


def test_a_file_without_esir_that_changes_an_esir_program_to_integrated_ir_is_a_problem_on_that_line(vocab_app):
    """Issue 13.2: the stored ESIR counts, so `flask seed export` always loads back."""
    assert load(vocab_app, ("programs.csv", one_row({"esir_available": "yes"}))).ok
    required_only = programs_csv(ALPHA, "P2,Beta Radiology,Beta Clinic,Austin,TX,integrated_ir,6")
    result = load(vocab_app, ("programs.csv", required_only))
    assert messages(result) == [
        "programs.csv: line 3: esir_available: this program has esir_available stored as yes, and ESIR is offered "
        "only within diagnostic_radiology programs, but this file makes it integrated_ir: add the esir_available "
        "column and write no (or leave the cell blank) to clear it"
    ]
    assert records(vocab_app)["P2"]["program_type"] == "diagnostic_radiology"
    assert "P1" not in records(vocab_app)
    cleared = programs_csv("P2,Beta Radiology,Beta Clinic,Austin,TX,integrated_ir,6,", header=HEADER + ",esir_available")
    assert load(vocab_app, ("programs.csv", cleared)).ok
    assert records(vocab_app)["P2"]["esir_available"] is False


def test_a_file_without_intern_year_that_makes_a_program_a_fellowship_is_a_problem(vocab_app):
    assert load(vocab_app, ("programs.csv", one_row({"intern_year": "separate"}))).ok
    result = load(vocab_app, ("programs.csv", programs_csv("P2,Beta Fellowship,Beta Clinic,Austin,TX,fellowship,1")))
    assert [(p.line, p.column) for p in result.problems] == [(2, "intern_year")]
    assert "stored as separate" in result.problems[0].message
    assert "add the intern_year column and leave the cell blank" in result.problems[0].message


def test_a_new_program_without_the_rule_columns_gets_their_blanks_and_passes(vocab_app):
    assert load(vocab_app, ("programs.csv", programs_csv(ALPHA))).ok
    stored = records(vocab_app)["P1"]
    assert (stored["esir_available"], stored["intern_year"]) == (False, None)


def test_cross_column_problems_are_reported_with_the_other_problems_of_the_row(vocab_app):
    result = load(vocab_app, ("programs.csv", one_row({"program_type": "fellowship", "intern_year": "included",
                                                       "esir_available": "yes", "salary_pgy1": "5"})))
    assert sorted(p.column for p in result.problems) == ["esir_available", "intern_year", "salary_pgy1"]


def test_stored_values_are_read_once_per_chunk_not_once_per_row(vocab_app):
    rows = [f"Q{i},Program {i},Gamma Clinic,Austin,TX,diagnostic_radiology,5" for i in range(2500)]
    assert load(vocab_app, ("programs.csv", programs_csv(*rows))).ok
    renamed = [row.replace("Gamma Clinic", "Delta Clinic") for row in rows]
    statements = []
    with vocab_app.app_context():
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert load(vocab_app, ("programs.csv", programs_csv(*renamed))).files[0].updated == 2500
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    reads = [s for s in statements if re.match(r"\s*SELECT programs\.program_code, programs\.esir_available", s)]
    assert len(reads) == 3  # one per chunk of 1,000 rows


# -- export, JSON ---------------------------------------------------------------------


def test_export_writes_the_new_columns_after_the_old_ones_and_loads_back_unchanged(runner, vocab_app, tmp_path):
    load(vocab_app, ("programs.csv", one_row({name: cell for name, (cell, _) in GOOD.items()})))
    load(vocab_app, ("p.csv", programs_csv(ALPHA)))
    path = tmp_path / "export.csv"
    assert runner.invoke(args=["seed", "export", str(path)]).exit_code == 0
    rows = {row[0]: row for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8")))}
    assert rows["program_code"] == PROGRAM_COLUMN_NAMES
    exported = dict(zip(PROGRAM_COLUMN_NAMES, rows["P2"]))
    assert exported["zip_code"] == "02115" and exported["signals_accepted"] == "yes"
    assert exported["comlex_accepted"] == "no" and exported["application_deadline"] == "2099-10-15"
    assert dict(zip(PROGRAM_COLUMN_NAMES, rows["P1"]))["signals_accepted"] == ""
    before = records(vocab_app)
    again = runner.invoke(args=["seed", "load", str(path)])
    assert again.stdout.strip() == f"{path}: added 0, updated 0, unchanged 2, removed 0"
    assert records(vocab_app) == before


def test_api_gives_tri_state_as_true_false_null_and_zip_code_as_a_string(client, vocab_app):
    load(vocab_app, ("programs.csv", one_row({name: cell for name, (cell, _) in GOOD.items()})))
    load(vocab_app, ("p.csv", programs_csv(ALPHA)))
    beta = client.get("/api/programs/P2").json
    assert {name: beta[name] for name in GOOD} == {name: value for name, (_, value) in GOOD.items()}
    assert beta["signals_accepted"] is True and beta["comlex_accepted"] is False
    alpha = client.get("/api/programs/P1").json
    assert alpha["signals_accepted"] is None and alpha["comlex_accepted"] is None and alpha["zip_code"] is None


# -- the admin form -------------------------------------------------------------------


def test_the_edit_form_has_a_field_for_every_column_with_its_label_and_help(app):
    with app.test_request_context():
        form = ProgramForm(meta={"csrf": False})
        fields = [field for field in form if field.name != "opened_with"]  # the stale-form guard (docs/admin.md)
        names = [field.name for field in fields]
        assert names == PROGRAM_COLUMN_NAMES[1:]  # the code is the address, not a field
        for field in fields:
            assert field.label.text.startswith(BY_NAME[field.name].label)
            assert field.description == BY_NAME[field.name].help


def test_an_edit_post_without_a_column_leaves_it_unchanged(demo_app, admin_client):
    from .test_admin import opened_with

    load(demo_app, ("p.csv", "program_code,name,institution,city,state,program_type,length_years,salary_pgy1\n"
                             "IRF-0001,Larkspur,Larkspur University Medical Center,Boston,MA,diagnostic_radiology,5,71000\n"))
    data = {"name": "Larkspur DR", "institution": "Larkspur University Medical Center", "city": "Boston",
            "state": "MA", "program_type": "diagnostic_radiology", "length_years": "5",
            "csrf_token": csrf_token(admin_client), "opened_with": opened_with(admin_client, "/admin/programs/IRF-0001/edit")}
    assert admin_client.post("/admin/programs/IRF-0001/edit", data=data).status_code == 303
    with demo_app.app_context():
        program = db.session.scalar(select(Program).where(Program.program_code == "IRF-0001"))
        assert (program.name, program.salary_pgy1) == ("Larkspur DR", 71000)


def test_the_edit_form_checks_the_cross_column_rule_and_shows_it_at_the_field(demo_app, admin_client):
    from .test_admin import program_form

    data = {**program_form(demo_app, "IRF-0001", admin_client), "program_type": "integrated_ir", "intern_year": "",
            "csrf_token": csrf_token(admin_client)}  # IRF-0001 offers ESIR
    response = admin_client.post("/admin/programs/IRF-0001/edit", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="esir_available-error">ESIR is offered only within diagnostic_radiology', page)
    with demo_app.app_context():
        assert db.session.scalar(select(Program.program_type).where(Program.program_code == "IRF-0001")) == "diagnostic_radiology"


def test_an_admin_upload_is_checked_on_the_stored_row_too(demo_app, admin_client):
    body = b"program_code,name,institution,city,state,program_type,length_years\n" \
           b"IRF-0001,Larkspur IR,Larkspur University Medical Center,Boston,MA,integrated_ir,6\n"
    response = admin_client.post(
        "/admin/import", data={"file": (io.BytesIO(body), "p.csv"), "csrf_token": csrf_token(admin_client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "this program has esir_available stored as yes" in response.get_data(as_text=True)


# -- the registry walk: every column reaches every place derived from it ---------------


def test_every_registry_column_reaches_the_generator_load_export_api_and_admin(runner, vocab_app, tmp_path, admin_client):
    from finder.admin import catalog_admin

    generated = tmp_path / "generated.csv"
    assert runner.invoke(args=["seed", "generate", "--count", "150", "--seed", "3", str(generated)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(generated.read_text(encoding="utf-8"))))
    # The generator's features are those of the bundled vocabulary: load that first.
    from .conftest import SEED
    assert load(vocab_app, ("features.csv", (SEED / "features.csv").read_bytes()),
                ("generated.csv", generated.read_bytes())).ok
    stored = records(vocab_app)
    exported = tmp_path / "export.csv"
    runner.invoke(args=["seed", "export", str(exported)])
    exported_rows = {row["program_code"]: row for row in csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8")))}
    dashboard = admin_client.get("/admin/").get_data(as_text=True)
    for column in PROGRAM_COLUMNS:
        filled = [row for row in rows if row[column.name] not in ("", "no")]
        assert filled, f"the generator never fills {column.name}"
        code = filled[0]["program_code"]
        assert stored[code][column.name] not in (None, [], False), column.name
        assert exported_rows[code][column.name] != "", column.name
        api = admin_client.get(f"/api/programs/{code}").json
        assert api[column.name] not in (None, [], False), column.name
        if column in catalog_admin.BLANKABLE_COLUMNS:
            assert f"blank={column.name}" in dashboard or f">{column.name}<" in dashboard, column.name


# -- the program page, the compare table, the same institution (step 2) -----------------

from datetime import date, timedelta  # noqa: E402

from finder.catalog.institutions import institution_key, same_institution  # noqa: E402
from finder.programs.view import deadline_in  # noqa: E402

SIBLINGS = (
    "program_code,name,institution,city,state,program_type,length_years,esir_available,signals_accepted,"
    "comlex_accepted,salary_pgy1,application_deadline,program_director,contact_email\n"
    "S1,Sorrel Integrated IR,Sorrel Médical Center,Boston,MA,integrated_ir,6,,no,,60000,{deadline},"
    "Dr. Oona Marlowe,ir@sorrel.example.org\n"
    "S2,Sorrel Diagnostic Radiology,SORREL MEDICAL CENTER,Boston,MA,diagnostic_radiology,5,yes,yes,,75000,,,\n"
    "S3,Sorrel Independent IR,Sorrel Medical Center ,Boston,MA,independent_ir,2,,,,,,,\n"
    "S4,Sorrel Fellowship,Sorrel Medical Centre,Boston,MA,fellowship,1,,,,,,,\n"
)


@pytest.fixture
def siblings_app(vocab_app):
    deadline = (date.today() + timedelta(days=21)).isoformat()
    assert load(vocab_app, ("p.csv", SIBLINGS.format(deadline=deadline))).ok
    return vocab_app


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_same_institution_ignores_case_accents_and_punctuation():
    assert same_institution("Sorrel Médical Center", "SORREL MEDICAL CENTER")
    assert same_institution("St. Anne's Hospital", "st anne s  hospital")
    assert not same_institution("Sorrel Medical Center", "Sorrel Medical Centre")
    assert not same_institution("—", "–")  # no letters: matches nothing
    assert institution_key("Hôpital Saint-Luc") == "hopital saint luc"


@pytest.mark.parametrize("days, words", [(-1, "passed"), (0, "today"), (1, "tomorrow"), (5, "in 5 days"),
                                         (13, "in 13 days"), (21, "in 3 weeks"), (62, "in 8 weeks"),
                                         (100, "in 3 months"), (800, "in 2 years")])
def test_the_deadline_says_how_far_away_it_is(days, words):
    today = date(2026, 9, 1)
    assert deadline_in(today + timedelta(days=days), today) == words


def test_the_program_page_shows_the_registry_groups_in_order_and_every_column(client, siblings_app):
    page = page_text(client.get("/programs/S1"))
    positions = [page.index(f'<h2 id="facts-{group.lower()}">') for group in GROUPS]
    assert positions == sorted(positions)
    for column in PROGRAM_COLUMNS:
        if column.rule != "slugs" and column.name not in ("name", "description"):
            assert f"<dt>{column.label}</dt>" in page, column.name


def test_the_program_page_says_not_known_for_blank_tri_states_and_no_only_for_no(client, siblings_app):
    page = page_text(client.get("/programs/S1"))
    assert "<dt>Preference signals (ERAS)</dt><dd>No</dd>" in page
    assert '<dt>COMLEX accepted instead of USMLE</dt><dd class="not-known">Not known</dd>' in page
    assert "<dt>First-year salary (PGY-1)</dt><dd>$60,000</dd>" in page


def test_the_program_page_has_a_contact_block_and_the_deadline_with_how_far_away(client, siblings_app):
    page = page_text(client.get("/programs/S1"))
    assert '<h2 id="contact">Contact</h2>' in page
    assert "<dt>Program director</dt><dd>Dr. Oona Marlowe</dd>" in page
    assert '<a href="mailto:ir@sorrel.example.org">ir@sorrel.example.org</a>' in page
    assert '(in 3 weeks)</span>' in page
    assert '<dt>Contact e-mail</dt><dd class="not-known">Not known' in page_text(client.get("/programs/S3"))


def test_also_at_this_institution_lists_the_others_with_their_type_case_and_accent_insensitively(client, siblings_app):
    page = page_text(client.get("/programs/S1"))
    also = page.split('<h2 id="also-here">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'href="/programs/(S\d)"', also) == ["S2", "S3"]  # S4 is a "Centre"
    assert "Diagnostic radiology residency, with ESIR" in also and "Independent IR residency" in also
    back = page_text(client.get("/programs/S2")).split('<h2 id="also-here">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'href="/programs/(S\d)"', back) == ["S1", "S3"]
    alone = page_text(client.get("/programs/S4"))
    assert "No other programs of Sorrel Medical Centre are listed." in alone


def test_compare_has_a_row_for_every_column_numbers_with_bars_and_not_known_apart_from_no(client, siblings_app):
    page = page_text(client.get("/compare?codes=S1,S2,S3"))
    for column in PROGRAM_COLUMNS:
        if column.rule != "slugs" and column.name != "name":
            assert f'<th scope="row">{column.label}' in page, column.name
    salary = page.split('<th scope="row">First-year salary (PGY-1)', 1)[1].split("</tr>", 1)[0]
    assert "$60,000" in salary and "$75,000" in salary and "Not known" in salary
    assert re.findall(r'bar__fill bar-(\d+)"', salary) == ["16", "20"]
    signals = page.split('<th scope="row">Preference signals (ERAS)', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<span class=\"\">(No|Yes|Not known)</span>", signals) == ["No", "Yes", "Not known"]
    mail = page.split('<th scope="row">Contact e-mail', 1)[1].split("</tr>", 1)[0]
    assert 'href="mailto:ir@sorrel.example.org"' in mail


def test_compare_offers_the_dr_program_of_an_ir_programs_institution(client, siblings_app):
    page = page_text(client.get("/compare?codes=S1,S3"))
    offers = page.split('id="offers-heading"', 1)[1].split("</section>", 1)[0]
    assert 'href="/compare?codes=S1,S3,S2">Add Sorrel Diagnostic Radiology</a>' in offers
    assert "with ESIR" in offers
    assert 'id="offers-heading"' not in page_text(client.get("/compare?codes=S1,S2"))  # already compared
    assert 'id="offers-heading"' not in page_text(client.get("/compare?codes=S4"))  # not an IR program's


def test_the_institution_key_follows_a_renamed_institution(client, siblings_app):
    load(siblings_app, ("p.csv", "program_code,name,institution,city,state,program_type,length_years\n"
                                 "S4,Sorrel Fellowship,Sorrel Medical Center,Boston,MA,fellowship,1\n"))
    also = page_text(client.get("/programs/S1")).split('<h2 id="also-here">', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r'href="/programs/(S\d)"', also) == ["S2", "S3", "S4"]


def test_the_dashboard_names_every_blankable_column_by_its_label(demo_app, admin_client):
    from finder.catalog.columns import BLANKABLE_COLUMNS

    page = admin_client.get("/admin/").get_data(as_text=True)
    for column in BLANKABLE_COLUMNS:
        assert f"<td>{column.label}</td>" in page, column.name
