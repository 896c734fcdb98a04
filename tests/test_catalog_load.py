"""The CSV contract (CONTRACT.md section 1), exercised through the loader itself."""

from datetime import date

import pytest
from sqlalchemy import func, select

from finder.extensions import db
from finder.catalog.vocab import region_of
from finder.models import Feature, Program

from .conftest import load

FEATURES = (
    "kind,slug,label,description\n"
    "fellowship,pediatric_ir,Pediatric IR,Children's procedures\n"
    "fellowship,interventional_oncology,Interventional oncology,\n"
    "research,t32_grant,T32 grant,\n"
    "mentorship,faculty_mentor,Faculty mentor,\n"
)
HEADER = "program_code,name,institution,city,state,program_type,length_years"
ALPHA = "P1,Alpha IR Residency,Alpha Hospital,Boston,MA,integrated_ir,6"
BETA = "P2,Beta Radiology,Beta Clinic,Austin,TX,diagnostic_radiology,5"


def programs_csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *rows)) + "\n"


def records(app) -> dict[str, dict]:
    with app.app_context():
        return {p.program_code: p.to_record() for p in db.session.scalars(select(Program))}


def messages(result) -> list[str]:
    return [str(problem) for problem in result.problems]


@pytest.fixture
def vocab_app(app):
    assert load(app, ("features.csv", FEATURES)).ok
    return app


# -- loading and counting -----------------------------------------------------


def test_features_file_adds_the_vocabulary(app):
    result = load(app, ("features.csv", FEATURES))
    assert result.ok and result.applied
    assert result.files[0].kind == "features"
    assert result.files[0].summary() == "added 4, updated 0, unchanged 0, removed 0"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feature)) == 4


def test_programs_file_adds_rows_with_region_derived_from_state(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA)))
    assert result.files[0].summary() == "added 2, updated 0, unchanged 0, removed 0"
    with vocab_app.app_context():
        regions = dict(db.session.execute(select(Program.program_code, Program.region)).all())
    assert regions == {"P1": "northeast", "P2": "south"}


def test_loading_the_same_file_twice_changes_nothing_the_second_time(vocab_app):
    text = programs_csv(ALPHA, BETA)
    load(vocab_app, ("programs.csv", text))
    before = records(vocab_app)
    again = load(vocab_app, ("programs.csv", text))
    assert again.files[0].summary() == "added 0, updated 0, unchanged 2, removed 0"
    assert records(vocab_app) == before


def test_changed_row_is_updated_and_its_changed_fields_reported(vocab_app):
    load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA)))
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA.replace("Boston", "Salem"), BETA)))
    assert result.files[0].summary() == "added 0, updated 1, unchanged 1, removed 0"
    [change] = result.files[0].changes
    assert (change.line, change.key, change.column, change.old, change.new) == (2, "P1", "city", "Boston", "Salem")
    assert records(vocab_app)["P1"]["city"] == "Salem"


def test_state_change_moves_the_program_to_the_new_region(vocab_app):
    load(vocab_app, ("programs.csv", programs_csv(ALPHA)))
    load(vocab_app, ("programs.csv", programs_csv(ALPHA.replace(",MA,", ",CA,"))))
    with vocab_app.app_context():
        assert db.session.scalar(select(Program.region)) == "west"


def test_version_is_bumped_by_a_change_and_not_by_an_identical_reload(vocab_app):
    first = load(vocab_app, ("programs.csv", programs_csv(ALPHA)))
    same = load(vocab_app, ("programs.csv", programs_csv(ALPHA)))
    changed = load(vocab_app, ("programs.csv", programs_csv(ALPHA.replace("Boston", "Salem"))))
    assert same.version == first.version
    assert changed.version == first.version + 1


# -- reading the file ---------------------------------------------------------


def test_utf8_with_byte_order_mark_is_read(vocab_app):
    data = "\ufeff".encode() + programs_csv(ALPHA.replace("Boston", "Cañon City")).encode()
    assert load(vocab_app, ("programs.csv", data)).ok
    assert records(vocab_app)["P1"]["city"] == "Cañon City"


def test_windows_1252_file_is_read_when_it_is_not_utf8(vocab_app):
    data = programs_csv(ALPHA.replace("Boston", "Española")).encode("cp1252")
    assert load(vocab_app, ("programs.csv", data)).ok
    assert records(vocab_app)["P1"]["city"] == "Española"


def test_file_that_is_neither_utf8_nor_windows_1252_is_refused(vocab_app):
    data = programs_csv(ALPHA).encode() + b"\x81\x8d"
    result = load(vocab_app, ("programs.csv", data))
    assert messages(result) == ["programs.csv: line 1: file: the file is neither UTF-8 nor Windows-1252 text (byte 0x81 on line 3)"]


@pytest.mark.parametrize(
    "data, says",
    [
        (b"PK\x03\x04rest-of-a-zip", "spreadsheet workbook"),
        (b"\xd0\xcf\x11\xe0old-excel", "spreadsheet workbook"),
        (b"abc\x00def", "binary file"),
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
    ],
)
def test_what_is_not_a_csv_text_file_is_refused_with_a_clear_message(app, data, says):
    result = load(app, ("upload.csv", data))
    assert not result.ok
    assert says in messages(result)[0]
    assert messages(result)[0].startswith("upload.csv: line 1: file: ")


def test_crlf_line_endings_are_read(vocab_app):
    data = programs_csv(ALPHA, BETA).replace("\n", "\r\n")
    assert load(vocab_app, ("programs.csv", data)).files[0].added == 2


def test_quoted_cells_may_hold_commas_quotes_and_newlines(vocab_app):
    header = HEADER + ",description"
    row = 'P1,"Alpha, ""North"" IR",Alpha Hospital,Boston,MA,integrated_ir,6,"Line one\nline two"'
    assert load(vocab_app, ("programs.csv", programs_csv(row, header=header))).ok
    record = records(vocab_app)["P1"]
    assert record["name"] == 'Alpha, "North" IR'
    assert record["description"] == "Line one\nline two"


def test_line_numbers_count_physical_lines_after_a_multiline_cell(vocab_app):
    header = HEADER + ",description"
    rows = (
        'P1,Alpha,Alpha Hospital,Boston,MA,integrated_ir,6,"one\ntwo\nthree"',
        "P2,Beta,Beta Clinic,Austin,TX,diagnostic_radiology,nine,",
    )
    result = load(vocab_app, ("programs.csv", programs_csv(*rows, header=header)))
    assert messages(result) == ["programs.csv: line 5: length_years: 'nine' must be a whole number from 1 to 7 (it is 4 characters long; the limit is 1)"]


def test_blank_lines_are_skipped_and_counted_in_line_numbers(vocab_app):
    text = HEADER + "\n\n" + ALPHA + "\n\nP2,Beta,Beta Clinic,Austin,ZZ,diagnostic_radiology,5\n"
    result = load(vocab_app, ("programs.csv", text))
    assert messages(result) == ["programs.csv: line 5: state: 'ZZ' is not the USPS code of a US state, DC or PR"]


def test_broken_quoting_is_reported_at_its_line(vocab_app):
    text = programs_csv(ALPHA, 'P2,"Beta,Beta Clinic,Austin,TX,diagnostic_radiology,5')
    result = load(vocab_app, ("programs.csv", text))
    assert not result.ok
    assert messages(result)[0].startswith("programs.csv: line 3: file: a quoted cell starts in this record")
    assert "closing quote is missing" in messages(result)[0]


# -- files as admins really have them (issue 13.6, contract section 1 reading rules) ---------


def test_an_unterminated_quote_is_reported_where_it_starts_with_every_problem_before_it(vocab_app):
    rows = [ALPHA.replace("P1", f"P{n}") for n in range(1, 40)]
    rows[4] = rows[4].replace(",MA,", ",ZZ,")  # line 6, in the same chunk as the broken quote
    rows[30] = rows[30].replace(",6", ",nine")  # line 32
    text = programs_csv(*rows, 'P99,"Unclosed,Beta Clinic,Austin,TX,diagnostic_radiology,5', "P100,x,y,z,MA,fellowship,1")
    result = load(vocab_app, ("programs.csv", text))
    assert messages(result) == [
        "programs.csv: line 6: state: 'ZZ' is not the USPS code of a US state, DC or PR",
        "programs.csv: line 32: length_years: 'nine' must be a whole number from 1 to 7 (it is 4 characters long; the limit is 1)",
        "programs.csv: line 41: file: a quoted cell starts in this record but its closing quote is missing, so the "
        "rest of the file would be one cell; add the closing quote (a quote inside a cell is written twice: \"\")",
    ]


def test_a_stray_quote_inside_a_cell_is_named_in_words_not_the_parsers(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA, 'P2,"Beta" Radiology,Beta Clinic,Austin,TX,fellowship,1')))
    assert messages(result) == [
        "programs.csv: line 3: file: a quoted cell must end with its quote right before the comma or the end of "
        "the line; a quote inside a cell is written twice (\"\")"
    ]


@pytest.mark.parametrize("column, limit", [("name", 200), ("program_code", 32), ("state", 2), ("length_years", 1),
                                           ("website", 300)])
def test_a_huge_cell_is_its_columns_length_problem_however_long(vocab_app, column, limit):
    header = HEADER + ",website"
    cells = dict(zip(header.split(","), (ALPHA + ",https://alpha.example.org").split(",")))
    cells[column] = "x" * 200_000
    result = load(vocab_app, ("programs.csv", programs_csv(",".join(cells.values()), header=header)))
    assert messages(result) == [f"programs.csv: line 2: {column}: is 200,000 characters long; the limit is {limit:,}"]


@pytest.mark.parametrize("column, cell, message", [
    ("state", "Massachusetts", "'Massachusetts' is not the USPS code of a US state, DC or PR "
                               "(it is 13 characters long; the limit is 2)"),
    ("length_years", "12", "'12' must be a whole number from 1 to 7 (it is 2 characters long; the limit is 1)"),
    ("name", "N" * 201, "is 201 characters long; the limit is 200"),
])
def test_a_cell_longer_than_any_allowed_value_is_its_columns_length_problem_and_says_what_it_takes(
        vocab_app, column, cell, message):
    """Contract section 1, read literally: every cell longer than the longest allowed value is a
    length problem, short ones too; one short enough to quote also says what the column takes."""
    cells = dict(zip(HEADER.split(","), ALPHA.split(",")))
    cells[column] = cell
    result = load(vocab_app, ("programs.csv", programs_csv(",".join(cells.values()))))
    assert messages(result) == [f"programs.csv: line 2: {column}: {message}"]


def test_a_value_the_rule_accepts_is_not_too_long(vocab_app):
    """'007' is 7 years: an allowed value, however it is written, is not a length problem."""
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA.replace(",6", ",006"))))
    assert result.ok and result.applied


def test_a_huge_slug_list_is_a_length_problem_not_an_echo(vocab_app):
    header = HEADER + ",fellowships"
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA + "," + "p" * 150_000, header=header)))
    assert messages(result) == ["programs.csv: line 2: fellowships: has an item of 150,000 characters; "
                                "a fellowship slug has at most 48"]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_as_utf16(vocab_app, codec):
    text = programs_csv(ALPHA.replace("Boston", "Cañon City")).replace("\n", "\r\n")
    data = text.encode(codec) if codec == "utf-16" else ("\ufeff" + text).encode(codec)
    result = load(vocab_app, ("programs.csv", data))
    assert result.ok, messages(result)
    assert records(vocab_app)["P1"]["city"] == "Cañon City"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_refused_saying_so(vocab_app, codec):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA).encode(codec)))
    assert len(messages(result)) == 1
    assert messages(result)[0].startswith("programs.csv: line 1: file: this file looks like UTF-16 text without a byte-order mark")
    assert "binary" not in messages(result)[0]


@pytest.mark.parametrize("delimiter, named", [(";", "';'"), ("\t", "tabs")])
def test_a_header_split_by_another_delimiter_names_it(vocab_app, delimiter, named):
    text = programs_csv(ALPHA.replace(",", delimiter), header=HEADER.replace(",", delimiter))
    result = load(vocab_app, ("programs.csv", text))
    assert messages(result) == [f"programs.csv: line 1: file: this file uses {named} between columns; save it with commas"]


def test_an_excel_sep_comma_first_line_is_skipped_and_still_counted(vocab_app):
    text = "sep=,\r\n" + programs_csv(ALPHA, BETA.replace(",TX,", ",ZZ,")).replace("\n", "\r\n")
    result = load(vocab_app, ("programs.csv", text))
    assert messages(result) == ["programs.csv: line 4: state: 'ZZ' is not the USPS code of a US state, DC or PR"]
    assert load(vocab_app, ("programs.csv", "sep=,\n" + programs_csv(ALPHA))).files[0].added == 1


@pytest.mark.parametrize("first, named", [("sep=;", "';'"), ("sep=\t", "tabs"), ("sep=|", "'|'")])
def test_a_sep_first_line_naming_another_delimiter_is_refused_naming_it(vocab_app, first, named):
    delimiter = first[4:]
    text = first + "\n" + programs_csv(ALPHA.replace(",", delimiter), header=HEADER.replace(",", delimiter))
    result = load(vocab_app, ("programs.csv", text))
    assert len(messages(result)) == 1
    assert messages(result)[0].startswith(f"programs.csv: line 1: file: this file says it uses {named} between columns")
    assert messages(result)[0].endswith("save it with commas")


def test_a_file_mixing_utf8_and_windows_1252_lines_is_refused_naming_one_of_each(vocab_app):
    lines = [HEADER, ALPHA, BETA.replace("P2", "P3")]
    data = "\n".join(lines).encode() + b"\n"
    data += "P4,Café Clinic,Alpha Hospital,Boston,MA,integrated_ir,6\n".encode("utf-8")
    data += b"P5,Beta,Beta Clinic,Austin,TX,fellowship,1\n" * 4
    data += "P9,Española,Alpha Hospital,Boston,MA,integrated_ir,6\n".encode("cp1252")
    result = load(vocab_app, ("programs.csv", data))
    assert messages(result) == ["programs.csv: line 1: file: mixed encodings: line 4 is UTF-8, line 9 is not; "
                                "save the whole file as 'CSV UTF-8'"]
    assert "P4" not in records(vocab_app)


def test_row_with_the_wrong_number_of_cells_is_reported_not_guessed(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",extra", BETA.rsplit(",", 1)[0])))
    assert messages(result) == [
        "programs.csv: line 2: row: has 8 cells but the header has 7 columns",
        "programs.csv: line 3: row: has 6 cells but the header has 7 columns",
    ]


# -- the header ---------------------------------------------------------------


def test_header_names_match_case_insensitively_after_trimming(vocab_app):
    header = " Program_Code ,NAME,Institution,city,State ,program_type,LENGTH_YEARS"
    assert load(vocab_app, ("programs.csv", programs_csv(ALPHA, header=header))).files[0].added == 1


def test_unknown_column_rejects_the_file_and_suggests_the_nearest_name(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",", header=HEADER + ",fellowship")))
    assert messages(result) == ["programs.csv: line 1: fellowship: unknown column (did you mean 'fellowships'?)"]
    assert records(vocab_app) == {}


def test_missing_required_column_rejects_the_file_naming_it(vocab_app):
    header = HEADER.replace(",city", "")
    row = ALPHA.replace(",Boston", "")
    result = load(vocab_app, ("programs.csv", programs_csv(row, header=header)))
    assert messages(result) == ["programs.csv: line 1: city: required column is missing"]


def test_duplicated_column_rejects_the_file_naming_it(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",MA", header=HEADER + ",State")))
    assert messages(result) == ["programs.csv: line 1: state: column appears twice (columns 5 and 8)"]


def test_header_that_is_neither_kind_is_refused(app):
    result = load(app, ("mystery.csv", "name,city\nx,y\n"))
    assert messages(result)[0].startswith("mystery.csv: line 1: file: the header names neither programs.csv")


def test_kind_is_told_by_the_header_whatever_the_file_name(vocab_app):
    result = load(vocab_app, ("data.csv", programs_csv(ALPHA)), ("more.csv", FEATURES))
    assert [file.kind for file in result.files] == ["programs", "features"]


# -- cells ----------------------------------------------------------------------


def test_cells_are_trimmed_and_whitespace_only_counts_as_blank(vocab_app):
    header = HEADER + ",website,positions_per_year"
    row = "  P1 ,  Alpha IR  ,Alpha Hospital,Boston, ma ,integrated_ir, 6 ,   ,  "
    assert load(vocab_app, ("programs.csv", programs_csv(row, header=header))).ok
    record = records(vocab_app)["P1"]
    assert (record["name"], record["state"], record["length_years"]) == ("Alpha IR", "MA", 6)
    assert record["website"] is None and record["positions_per_year"] is None


def test_slug_lists_ignore_empty_items_and_duplicates(vocab_app):
    header = HEADER + ",fellowships"
    row = ALPHA + ", pediatric_ir; ;pediatric_ir;interventional_oncology ;"
    assert load(vocab_app, ("programs.csv", programs_csv(row, header=header))).ok
    assert records(vocab_app)["P1"]["fellowships"] == ["interventional_oncology", "pediatric_ir"]


def test_absent_column_leaves_existing_values_alone(vocab_app):
    header = HEADER + ",website,fellowships"
    load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",https://alpha.example.org,pediatric_ir", header=header)))
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA.replace("Boston", "Salem"))))
    assert result.files[0].updated == 1
    record = records(vocab_app)["P1"]
    assert record["website"] == "https://alpha.example.org"
    assert record["fellowships"] == ["pediatric_ir"]
    assert record["city"] == "Salem"


def test_blank_cell_clears_the_field_and_blank_boolean_means_no(vocab_app):
    header = "program_code,name,institution,city,state,program_type,length_years,esir_available,website,fellowships"
    full = "P2,Beta,Beta Clinic,Austin,TX,diagnostic_radiology,5,yes,https://beta.example.org,pediatric_ir"
    load(vocab_app, ("programs.csv", programs_csv(full, header=header)))
    cleared = "P2,Beta,Beta Clinic,Austin,TX,diagnostic_radiology,5,,,"
    result = load(vocab_app, ("programs.csv", programs_csv(cleared, header=header)))
    assert result.files[0].updated == 1
    record = records(vocab_app)["P2"]
    assert (record["esir_available"], record["website"], record["fellowships"]) == (False, None, [])


def test_rows_equal_after_normalisation_are_unchanged(vocab_app):
    header = HEADER + ",esir_available,fellowships,positions_per_year"
    first = "P2,Beta,Beta Clinic,Austin,TX,diagnostic_radiology,5,yes,pediatric_ir;interventional_oncology,4"
    again = "P2,Beta,Beta Clinic,Austin,tx,diagnostic_radiology,05,TRUE,interventional_oncology; pediatric_ir,4"
    load(vocab_app, ("programs.csv", programs_csv(first, header=header)))
    result = load(vocab_app, ("programs.csv", programs_csv(again, header=header)))
    assert result.files[0].summary() == "added 0, updated 0, unchanged 1, removed 0"


@pytest.mark.parametrize("cell, stored", [("'=1+2", "=1+2"), ("'+44", "+44"), ("'-x", "-x"), ("'@home", "@home"), ("''quoted", "'quoted"), ("'plain", "'plain")])
def test_formula_guard_quote_is_removed_on_load(vocab_app, cell, stored):
    header = HEADER + ",description"
    assert load(vocab_app, ("programs.csv", programs_csv(f"{ALPHA},{cell}", header=header))).ok
    assert records(vocab_app)["P1"]["description"] == stored


# -- the rule of each column ------------------------------------------------------

RULES = [
    ("program_code", "P 1", "'P 1' must be 1-32 characters of A-Z, a-z, 0-9, '-' or '_'"),
    ("program_code", "X" * 33, "must be 1-32 characters"),
    ("program_code", "", "is required"),
    ("name", "N" * 201, "is 201 characters long; the limit is 200"),
    ("institution", "", "is required"),
    ("city", "C" * 101, "is 101 characters long; the limit is 100"),
    ("state", "XX", "'XX' is not the USPS code of a US state, DC or PR"),
    ("program_type", "integrated", "'integrated' is not one of integrated_ir, independent_ir, diagnostic_radiology, fellowship (did you mean 'integrated_ir'?)"),
    ("length_years", "0", "'0' must be a whole number from 1 to 7"),
    ("length_years", "8", "'8' must be a whole number from 1 to 7"),
    ("length_years", "5.5", "'5.5' must be a whole number from 1 to 7"),
    ("positions_per_year", "101", "'101' must be a whole number from 0 to 100"),
    ("positions_per_year", "-1", "'-1' must be a whole number from 0 to 100"),
    ("esir_available", "maybe", "'maybe' must be yes or no (also true/false or 1/0)"),
    ("fellowships", "neuro_ir", "unknown fellowship 'neuro_ir'"),
    ("fellowships", "t32_grant", "unknown fellowship 't32_grant'"),
    ("research_features", "t32_grants", "unknown research 't32_grants' (did you mean 't32_grant'?)"),
    ("mentorship_features", "pediatric_ir", "unknown mentorship 'pediatric_ir'"),
    ("research_months", "25", "'25' must be a whole number from 0 to 24"),
    ("visa_sponsorship", "J1", "'J1' is not one of none, j1, h1b, j1_h1b (did you mean 'j1'?)"),
    ("website", "www.example.org", "'www.example.org' must be an absolute http:// or https:// address"),
    ("website", "ftp://example.org", "must be an absolute http:// or https:// address"),
    ("website", "https://" + "a" * 300 + ".org", "the limit is 300"),
    ("description", "D" * 2001, "is 2,001 characters long; the limit is 2,000"),
    ("description", "bell\x07", "contains a control character (U+0007)"),
    ("data_verified_on", "2024-13-01", "'2024-13-01' must be a date written YYYY-MM-DD"),
    ("data_verified_on", "1/2/2024", "'1/2/2024' must be a date written YYYY-MM-DD"),
    ("data_verified_on", "2099-01-01", "2099-01-01 is in the future"),
]


@pytest.mark.parametrize("column, cell, message", RULES)
def test_each_column_rule_reports_line_column_and_what_is_wrong(vocab_app, column, cell, message):
    values = dict(zip(HEADER.split(","), ALPHA.split(",")))
    values.update({"program_type": "diagnostic_radiology", column: cell})
    header = ",".join(values)
    row = ",".join(f'"{value}"' for value in values.values())
    result = load(vocab_app, ("programs.csv", programs_csv(row, header=header)))
    assert len(result.problems) == 1
    assert str(result.problems[0]).startswith(f"programs.csv: line 2: {column}: ")
    assert message in str(result.problems[0])
    assert records(vocab_app) == {}


@pytest.mark.parametrize("cell, expected", [("yes", True), ("YES", True), ("True", True), ("1", True), ("no", False), ("false", False), ("0", False), ("", False)])
def test_boolean_cells_accept_yes_no_true_false_1_0_in_any_case(vocab_app, cell, expected):
    header = HEADER + ",esir_available"
    row = f"P2,Beta,Beta Clinic,Austin,TX,diagnostic_radiology,5,{cell}"
    assert load(vocab_app, ("programs.csv", programs_csv(row, header=header))).ok
    assert records(vocab_app)["P2"]["esir_available"] is expected


def test_esir_yes_is_valid_only_for_diagnostic_radiology(vocab_app):
    header = HEADER + ",esir_available"
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",yes", header=header)))
    assert messages(result) == [
        "programs.csv: line 2: esir_available: ESIR is offered only within diagnostic_radiology programs, "
        "and this program is integrated_ir: write no (or leave the cell blank)"
    ]


def test_verified_on_today_is_accepted_and_tomorrow_is_not(vocab_app):
    header = HEADER + ",data_verified_on"
    today = date(2026, 3, 1)
    ok = load(vocab_app, ("p.csv", programs_csv(ALPHA + ",2026-03-01", header=header)), today=today)
    late = load(vocab_app, ("p.csv", programs_csv(ALPHA + ",2026-03-02", header=header)), today=today)
    assert ok.ok
    assert messages(late) == ["p.csv: line 2: data_verified_on: 2026-03-02 is in the future (today is 2026-03-01)"]


def test_feature_rules(app):
    text = (
        "kind,slug,label,description\n"
        "hobby,golf,Golf,\n"
        "research,Big_Grant,Big grant,\n"
        "research,ok_slug,,\n"
        f"research,long,{'L' * 81},{'D' * 501}\n"
    )
    result = load(app, ("features.csv", text))
    assert messages(result) == [
        "features.csv: line 2: kind: 'hobby' is not one of fellowship, research, mentorship",
        "features.csv: line 3: slug: 'Big_Grant' must be 1-48 characters of a-z, 0-9 or '_' (did you mean 'big_grant'?)",
        "features.csv: line 4: label: is required",
        "features.csv: line 5: label: is 81 characters long; the limit is 80",
        "features.csv: line 5: description: is 501 characters long; the limit is 500",
    ]


def test_same_slug_may_exist_in_two_kinds_but_not_twice_in_one(app):
    text = "kind,slug,label\nresearch,mentoring,Research mentoring\nmentorship,mentoring,Mentoring\nresearch,mentoring,Again\n"
    result = load(app, ("features.csv", text))
    assert messages(result) == ["features.csv: line 4: slug: duplicate of line 2, which has the same slug"]


# -- problems: all at once, all or nothing ---------------------------------------------


def test_every_problem_is_reported_at_once_in_line_order(vocab_app):
    rows = (
        "P1,Alpha,Alpha Hospital,Boston,XX,integrated_ir,9",
        BETA,
        "P3,,Gamma,Denver,CO,fellowship,1",
    )
    result = load(vocab_app, ("programs.csv", programs_csv(*rows)))
    assert messages(result) == [
        "programs.csv: line 2: state: 'XX' is not the USPS code of a US state, DC or PR",
        "programs.csv: line 2: length_years: '9' must be a whole number from 1 to 7",
        "programs.csv: line 4: name: is required",
    ]
    assert not result.applied
    assert records(vocab_app) == {}


def test_duplicate_key_is_reported_on_the_later_line_naming_the_first(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA, ALPHA.replace("Boston", "Salem"))))
    assert messages(result) == ["programs.csv: line 4: program_code: duplicate of line 2, which has the same program_code"]


def test_a_problem_in_the_second_file_writes_nothing_from_the_first(app):
    bad_programs = programs_csv("P1,Alpha,Alpha Hospital,Boston,MA,integrated_ir,60")
    result = load(app, ("features.csv", FEATURES), ("programs.csv", bad_programs))
    assert messages(result) == ["programs.csv: line 2: length_years: '60' must be a whole number from 1 to 7 (it is 2 characters long; the limit is 1)"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feature)) == 0


def test_problems_of_several_files_start_with_each_file_path(app):
    result = load(app, ("a/features.csv", "kind,slug,label\nnope,x,X\n"), ("b/programs.csv", programs_csv("P1,A,B,C,ZZ,integrated_ir,6")))
    assert [m.split(":")[0] for m in messages(result)] == ["a/features.csv", "b/programs.csv"]


def test_a_bad_row_late_in_a_long_file_writes_nothing(vocab_app):
    rows = [f"P{n},Program {n},Hospital {n},Boston,MA,integrated_ir,6" for n in range(2500)]
    rows.append("PX,Late,Late Hospital,Boston,MA,integrated_ir,0")
    result = load(vocab_app, ("programs.csv", programs_csv(*rows)))
    assert messages(result) == ["programs.csv: line 2502: length_years: '0' must be a whole number from 1 to 7"]
    assert records(vocab_app) == {}


def test_dry_run_reports_the_counts_and_writes_nothing(vocab_app):
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA)), dry_run=True)
    assert result.ok and not result.applied
    assert result.files[0].summary() == "added 2, updated 0, unchanged 0, removed 0"
    assert records(vocab_app) == {}


def test_stale_expected_version_writes_nothing(vocab_app):
    preview = load(vocab_app, ("programs.csv", programs_csv(ALPHA)), dry_run=True)
    load(vocab_app, ("programs.csv", programs_csv(BETA)))
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA)), expected_version=preview.version)
    assert result.stale and not result.applied
    assert set(records(vocab_app)) == {"P2"}


# -- vocabulary and programs together ----------------------------------------------------


def test_programs_alone_against_an_empty_vocabulary_fail_for_every_slug(app):
    header = HEADER + ",fellowships,research_features"
    result = load(app, ("programs.csv", programs_csv(ALPHA + ",pediatric_ir,t32_grant", BETA + ",,t32_grant", header=header)))
    assert messages(result) == [
        "programs.csv: line 2: fellowships: unknown fellowship 'pediatric_ir' (no fellowship features are loaded: load features.csv first)",
        "programs.csv: line 2: research_features: unknown research 't32_grant' (no research features are loaded: load features.csv first)",
        "programs.csv: line 3: research_features: unknown research 't32_grant' (no research features are loaded: load features.csv first)",
    ]


def test_slugs_may_come_from_a_features_file_earlier_in_the_same_command(app):
    header = HEADER + ",fellowships"
    result = load(app, ("features.csv", FEATURES), ("programs.csv", programs_csv(ALPHA + ",pediatric_ir", header=header)))
    assert result.ok
    assert records(app)["P1"]["fellowships"] == ["pediatric_ir"]


def test_slugs_from_a_features_file_later_in_the_command_do_not_count(app):
    header = HEADER + ",fellowships"
    result = load(app, ("programs.csv", programs_csv(ALPHA + ",pediatric_ir", header=header)), ("features.csv", FEATURES))
    assert not result.ok
    assert "unknown fellowship 'pediatric_ir'" in messages(result)[0]


# The files of one command are checked before anything is written (issue 13.4), so a later file
# must see what the earlier ones change: a dry run reports exactly what the real load does.


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_later_file_of_the_command_sees_the_programs_an_earlier_one_adds(vocab_app, dry_run):
    more = programs_csv(ALPHA + ",4,pediatric_ir", header=HEADER + ",positions_per_year,fellowships")
    result = load(vocab_app, ("one.csv", programs_csv(ALPHA)), ("two.csv", more), ("three.csv", more), dry_run=dry_run)
    assert [file.summary() for file in result.files] == [
        "added 1, updated 0, unchanged 0, removed 0",
        "added 0, updated 1, unchanged 0, removed 0",
        "added 0, updated 0, unchanged 1, removed 0",
    ]
    if not dry_run:
        stored = records(vocab_app)["P1"]
        assert (stored["positions_per_year"], stored["fellowships"]) == (4, ["pediatric_ir"])


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_later_file_of_the_command_sees_the_changes_an_earlier_one_makes(vocab_app, dry_run):
    load(vocab_app, ("programs.csv", programs_csv(ALPHA)))
    renamed = programs_csv(ALPHA.replace("Alpha IR Residency", "Alpha Interventional"))
    back = programs_csv(ALPHA)
    result = load(vocab_app, ("one.csv", renamed), ("two.csv", renamed), ("three.csv", back), dry_run=dry_run)
    assert [(file.updated, file.unchanged) for file in result.files] == [(1, 0), (0, 1), (1, 0)]
    assert records(vocab_app)["P1"]["name"] == "Alpha IR Residency"


@pytest.mark.parametrize("dry_run", [True, False])
def test_prune_counts_the_feature_links_the_same_command_removes(vocab_app, dry_run):
    header = HEADER + ",fellowships"
    load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",pediatric_ir", header=header)))
    without = "\n".join(line for line in FEATURES.splitlines() if "pediatric_ir" not in line) + "\n"
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",", header=header)), ("features.csv", without),
                  prune=True, dry_run=dry_run)
    assert result.ok, messages(result)
    assert result.files[1].removed == 1
    assert records(vocab_app)["P1"]["fellowships"] == ([] if not dry_run else ["pediatric_ir"])


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_cross_column_rule_sees_what_an_earlier_file_of_the_command_stores(vocab_app, dry_run):
    load(vocab_app, ("programs.csv", programs_csv(BETA + ",yes", header=HEADER + ",esir_available")))
    no_esir = programs_csv(BETA + ",no", header=HEADER + ",esir_available")
    integrated = programs_csv(BETA.replace("diagnostic_radiology", "integrated_ir"))
    result = load(vocab_app, ("one.csv", no_esir), ("two.csv", integrated), dry_run=dry_run)
    assert result.ok, messages(result)
    alone = load(vocab_app, ("two.csv", integrated), dry_run=True)
    assert alone.ok == (not dry_run)  # after the dry run ESIR yes is still stored: the file alone breaks the rule


def test_feature_label_change_is_an_update(vocab_app):
    result = load(vocab_app, ("features.csv", FEATURES.replace("T32 grant", "NIH T32 grant")))
    assert result.files[0].summary() == "added 0, updated 1, unchanged 3, removed 0"


# -- prune ---------------------------------------------------------------------------


def test_rows_absent_from_the_file_are_kept_without_prune(vocab_app):
    load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA)))
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA)))
    assert result.files[0].removed == 0
    assert set(records(vocab_app)) == {"P1", "P2"}


def test_prune_removes_rows_absent_from_every_file_of_that_kind(vocab_app):
    gamma = "P3,Gamma,Gamma Center,Denver,CO,fellowship,1"
    load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA, gamma)))
    result = load(vocab_app, ("one.csv", programs_csv(ALPHA)), ("two.csv", programs_csv(gamma)), prune=True)
    assert [file.removed for file in result.files] == [0, 1]
    assert set(records(vocab_app)) == {"P1", "P3"}
    with vocab_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Feature)) == 4  # other kind untouched


def test_prune_dry_run_counts_removals_but_keeps_them(vocab_app):
    load(vocab_app, ("programs.csv", programs_csv(ALPHA, BETA)))
    result = load(vocab_app, ("programs.csv", programs_csv(ALPHA)), prune=True, dry_run=True)
    assert result.files[0].removed == 1
    assert set(records(vocab_app)) == {"P1", "P2"}


def test_prune_refuses_to_remove_a_feature_that_programs_still_list(vocab_app):
    header = HEADER + ",fellowships"
    load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",pediatric_ir", header=header)))
    without = "\n".join(line for line in FEATURES.splitlines() if "pediatric_ir" not in line) + "\n"
    result = load(vocab_app, ("features.csv", without), prune=True)
    assert messages(result) == [
        "features.csv: line 1: file: --prune would remove fellowship 'pediatric_ir', which 1 program "
        "still lists; remove it from programs.csv first (or in the same command)"
    ]
    assert records(vocab_app)["P1"]["fellowships"] == ["pediatric_ir"]


def test_prune_removes_an_unused_feature(vocab_app):
    without = "\n".join(line for line in FEATURES.splitlines() if "t32_grant" not in line) + "\n"
    result = load(vocab_app, ("features.csv", without), prune=True)
    assert result.files[0].removed == 1


def test_removed_program_takes_its_feature_links_with_it(vocab_app):
    header = HEADER + ",fellowships"
    load(vocab_app, ("programs.csv", programs_csv(ALPHA + ",pediatric_ir", BETA + ",pediatric_ir", header=header)))
    load(vocab_app, ("programs.csv", programs_csv(ALPHA)), prune=True)
    with vocab_app.app_context():
        from finder.catalog.tables import program_features

        assert db.session.scalar(select(func.count()).select_from(program_features)) == 1


@pytest.mark.parametrize(
    "url, valid",
    [
        ("https://a.example.org/path?x=1#top", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("http://[::1]:8080/x", True),
        ("https://ir.example.org:8443", True),
        ("https://", False),
        ("https:// x.org", False),
        ("http://exa mple.org", False),
        ("https:/x.org", False),
        ("mailto:ir@example.org", False),
        ("javascript:alert(1)", False),
        ("//example.org/x", False),
    ],
)
def test_website_must_be_an_absolute_http_address(vocab_app, url, valid):
    header = HEADER + ",website"
    result = load(vocab_app, ("programs.csv", programs_csv(f'{ALPHA},"{url}"', header=header)))
    assert result.ok is valid


def test_no_message_counts_with_a_plural_in_brackets():
    """Counts read "1 program", "8 problems": the one plural helper, never "program(s)"."""
    from pathlib import Path

    from finder.catalog.text import plural

    assert (plural(1, "problem"), plural(8, "problem"), plural(1204, "row")) == ("1 problem", "8 problems", "1,204 rows")
    sources = [p for p in (Path(__file__).parent.parent / "finder").rglob("*") if p.suffix in (".py", ".html")]
    assert not [str(p) for p in sources if "(s)" in p.read_text(encoding="utf-8")]


def test_updates_and_links_written_in_one_statement_each_store_every_kind_of_value(app):
    """The writer applies updates and feature links as one statement each (JSON rows, ids looked
    up by the database): dates, yes/no, whole numbers, derived columns and links all arrive."""
    from finder.catalog.tables import features, program_features, programs

    assert load(app, ("features.csv", FEATURES)).ok
    header = HEADER + ",esir_available,positions_per_year,data_verified_on,fellowships"
    assert load(app, ("p.csv", programs_csv("P2,Beta Radiology,Beta Clinic,Austin,TX,diagnostic_radiology,5,no,,,",
                                            header=header))).ok
    with app.app_context():
        before = db.session.execute(select(programs.c.updated_at)).scalar_one()
    changed = load(app, ("p.csv", programs_csv(
        "P2,Beta Radiology,Beta Clinic,Denver,CO,diagnostic_radiology,5,yes,4,2026-01-15,pediatric_ir;interventional_oncology",
        header=header)), today=date(2026, 3, 1))
    assert changed.ok and changed.files[0].updated == 1
    with app.app_context():
        row = db.session.execute(select(programs)).one()
        assert (row.state, row.region, row.esir_available, row.positions_per_year, row.data_verified_on) == (
            "CO", region_of("CO"), True, 4, date(2026, 1, 15))
        assert row.updated_at >= before
        slugs = db.session.scalars(
            select(features.c.slug).join(program_features, program_features.c.feature_id == features.c.id)
            .order_by(features.c.slug)).all()
        assert slugs == ["interventional_oncology", "pediatric_ir"]
