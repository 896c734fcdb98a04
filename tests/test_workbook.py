"""Excel workbooks (.xlsx): read by the CSV rules, written by the export, round trip unchanged."""

import io
import zipfile
from datetime import datetime

import pytest
import xlsxwriter
from sqlalchemy import select

from finder.catalog import workbook
from finder.catalog.workbook import cell_text, workbook_records
from finder.extensions import db
from finder.models import Program

from .conftest import SEED, load

FEATURES = (SEED / "features.csv").read_bytes()
HEADER = ["program_code", "name", "institution", "city", "state", "program_type", "length_years",
          "positions_per_year", "esir_available", "data_verified_on", "description"]


def make_workbook(rows: list[list[object]], *, first_sheet: str = "Programs", extra_sheet: bool = False) -> bytes:
    """A workbook as a spreadsheet program would save it: typed cells, a date format, a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet(first_sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, day)
            elif isinstance(value, tuple):  # (formula, its computed value)
                sheet.write_formula(r, c, value[0], None, value[1])
            elif value is not None:
                sheet.write(r, c, value)
    if extra_sheet:
        book.add_worksheet("Notes").write(0, 0, "not read")
    book.close()
    return out.getvalue()


def test_cells_read_as_the_text_a_person_sees():
    assert cell_text(6.0) == "6"
    assert cell_text(6.5) == "6.5"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(True) == "TRUE"
    assert cell_text(datetime(2024, 2, 25)) == "2024-02-25"
    assert cell_text(datetime(2024, 2, 25, 13, 30)) == "2024-02-25 13:30"
    assert cell_text(None) == ""


def test_first_sheet_row_numbers_dates_numbers_and_formula_values(app):
    data = make_workbook([
        HEADER,
        ["WB-1", "Cañon City IR", "Hôpital Saint-Éloi", "Cañon City", "co", "integrated_ir", 6.0, ("=2*2", 4),
         None, datetime(2024, 2, 25), "=not a formula, text"],
        [],
        ["WB-2", "Second", "Inst", "Boston", "MA", "diagnostic_radiology", 5, 12, True, None, None],
    ], extra_sheet=True)
    rows = list(workbook_records(data))
    assert [line for line, _ in rows] == [1, 2, 4]  # the empty spreadsheet row 3 is skipped, numbers kept
    assert rows[1][1][6:10] == ["6", "4", "", "2024-02-25"]
    result = load(app, ("seed/features.csv", FEATURES), ("programs.xlsx", data))
    assert result.ok, result.problems
    with app.app_context():
        one = db.session.scalar(select(Program).where(Program.program_code == "WB-1"))
        assert (one.city, one.state, one.length_years, one.positions_per_year) == ("Cañon City", "CO", 6, 4)
        assert one.data_verified_on.isoformat() == "2024-02-25" and one.description == "=not a formula, text"
        assert db.session.scalar(select(Program.esir_available).where(Program.program_code == "WB-2")) is True


def test_problems_in_a_workbook_name_the_spreadsheet_row_and_the_csv_message(app):
    data = make_workbook([HEADER, [], ["WB-1", "Name", "Inst", "City", "ZZ", "integrated_ir", 9.0]])
    result = load(app, ("seed/features.csv", FEATURES), ("programs.xlsx", data))
    assert [str(p) for p in result.problems] == [
        "programs.xlsx: line 3: state: 'ZZ' is not the USPS code of a US state, DC or PR",
        "programs.xlsx: line 3: length_years: '9' must be a whole number from 1 to 7",
    ]


@pytest.mark.parametrize(("data", "message"), [
    (b"program_code,name\nA,B\n", "is named .xlsx but is not an Excel workbook"),
    (b"", "is named .xlsx but is empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel 97-2003 spreadsheet workbook (.xls)"),
    (b"PK\x03\x04 broken zip", "damaged"),
])
def test_what_is_not_a_workbook_is_refused_with_a_clear_message(app, data, message):
    result = load(app, ("programs.xlsx", data))
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert (problem.line, problem.column) == (1, "file") and message in problem.message


def test_a_zip_that_is_not_a_workbook_is_named(app):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    result = load(app, ("upload.csv", out.getvalue()))
    assert "a ZIP file but not an Excel workbook" in result.problems[0].message


def test_a_workbook_that_unpacks_too_far_is_refused(app, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_UNPACKED", 1000)
    data = make_workbook([HEADER, ["WB-1", "x" * 5000]])
    result = load(app, ("programs.xlsx", data))
    message = result.problems[0].message
    assert "the workbook unpacks to" in message and "MB, more than the 0.0 MB limit; save it as CSV" in message


def test_export_xlsx_loads_back_unchanged_with_dates_numbers_accents_and_formula_looking_cells(demo_app, runner, tmp_path):
    tricky = ("program_code,name,institution,city,state,program_type,length_years,positions_per_year,description,data_verified_on\n"
              "WB-9,=HYPERLINK(\"http://x\"),+Plus Hospital,Cañon City,CO,integrated_ir,6,0,"
              "\"-starts with a minus, then 'quotes' and é\",2023-12-31\n"
              "WB-8,@at Program,'=already guarded,Zürich,NY,independent_ir,2,,\"line one\nline two\",\n")
    assert load(demo_app, ("tricky.csv", tricky)).ok
    before = tmp_path / "before.csv"
    book = tmp_path / "programs.xlsx"
    assert runner.invoke(args=["seed", "export", str(before)]).exit_code == 0
    exported = runner.invoke(args=["seed", "export", str(book)])
    assert exported.exit_code == 0 and "Wrote" in exported.output
    again = runner.invoke(args=["seed", "load", "--dry-run", str(book)])
    assert again.exit_code == 0, again.output
    assert "added 0, updated 0, unchanged" in again.output and "removed 0" in again.output
    # onto an empty catalog: the workbook gives back exactly the CSV export
    with demo_app.app_context():
        db.session.execute(Program.__table__.delete())
        db.session.commit()
    assert runner.invoke(args=["seed", "load", str(book)]).exit_code == 0
    after = tmp_path / "after.csv"
    assert runner.invoke(args=["seed", "export", str(after)]).exit_code == 0
    assert after.read_bytes() == before.read_bytes()


def test_exported_cells_are_typed_and_formula_text_is_guarded(demo_app, tmp_path):
    assert load(demo_app, ("t.csv", "program_code,name,institution,city,state,program_type,length_years\n"
                                    "WB-7,=1+1,Inst,City,MA,integrated_ir,6\n")).ok
    out = io.BytesIO()
    with demo_app.app_context(), db.engine.connect() as connection:
        workbook.export_workbook(connection, out)
    rows = {cells[0]: cells for _, cells in workbook_records(out.getvalue())}
    assert rows["WB-7"][1] == "'=1+1"  # never run by a spreadsheet; the loader drops the guard
    import python_calamine

    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0)
    values = sheet.to_python()
    header = values[0]
    first = values[1]
    assert isinstance(first[header.index("length_years")], float)  # a number in the spreadsheet
    assert type(first[header.index("data_verified_on")]).__name__ in ("date", "datetime")


def test_seed_load_reads_a_workbook_by_its_name(app, runner, tmp_path):
    (tmp_path / "features.xlsx").write_bytes(make_workbook([["kind", "slug", "label"], ["research", "t32", "T32 grant"]]))
    result = runner.invoke(args=["seed", "load", str(tmp_path / "features.xlsx")])
    assert result.exit_code == 0, result.output
    assert "added 1" in result.output
