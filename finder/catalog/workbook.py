"""Excel workbooks (.xlsx) in and out: the same records as a CSV file, and the export as a sheet.

Reading: the first sheet, row 1 the header, line N = spreadsheet row N, every cell as the
text a person sees in it (dates `YYYY-MM-DD`, whole numbers without `.0`), so the loader
checks a workbook by exactly the rules and messages of a CSV file. python-calamine reads the
sheet (Rust, several times faster than openpyxl's read-only mode on big sheets); XlsxWriter
writes the export row by row (constant memory).
"""

import io
import math
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import BinaryIO

import python_calamine
from sqlalchemy import Connection

from .export import program_records
from .problems import Invalid
from .schema import PROGRAM_COLUMN_NAMES
from .text import guard_formula

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
SUFFIXES = (".xlsx", ".xlsm")
# What the parts of one workbook may unpack to: a small upload must not expand into gigabytes.
MAX_UNPACKED = 256 * 1024 * 1024
DATE_FORMAT = "yyyy-mm-dd"


def is_workbook(path: str, data: bytes) -> bool:
    """Whether to read `data` as a workbook: by its name (.xlsx) or by its bytes (a ZIP or an old .xls)."""
    return path.lower().endswith(SUFFIXES) or data.startswith((_ZIP, _OLE))


def workbook_records(data: bytes) -> "SheetRows":
    """(spreadsheet row, cell texts) of each non-empty row of the first sheet, header first.

    Raises Invalid, saying what the file is instead, when it is not an .xlsx workbook.
    """
    _check_container(data)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise Invalid("the workbook has no sheet")
        sheet = book.get_sheet_by_index(0)
    except Invalid:
        raise
    except Exception:  # calamine's own errors name its internals, not what to do
        raise Invalid("the workbook is damaged or not an Excel workbook (.xlsx); open it in a spreadsheet "
                      "and save it again as Excel Workbook (.xlsx) or CSV UTF-8") from None
    return SheetRows(sheet)


class SheetRows:
    """An iterator of (row, cells) that also knows how many rows the sheet has (for progress)."""

    def __init__(self, sheet):
        self.lines = sheet.height
        self._rows = _rows(sheet)

    def __iter__(self):
        return self

    def __next__(self) -> tuple[int, list[str]]:
        return next(self._rows)


def _check_container(data: bytes) -> None:
    if data.startswith(_OLE):
        raise Invalid("this is an old Excel 97-2003 spreadsheet workbook (.xls) or another old Office file; "
                      "save it as Excel Workbook (.xlsx) or CSV UTF-8 and load that")
    if not data.startswith(_ZIP):
        kind = "empty" if not data else "not an Excel workbook"
        raise Invalid(f"the file is named .xlsx but is {kind}; save it from the spreadsheet as "
                      f"Excel Workbook (.xlsx), or name a CSV file .csv")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise Invalid("this looks like a spreadsheet workbook (.xlsx) but is damaged (its ZIP container "
                      "cannot be read); save it again as Excel Workbook (.xlsx) or CSV UTF-8") from None
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else "a ZIP file but not an Excel workbook"
        raise Invalid(f"this is {what}; save it as Excel Workbook (.xlsx) or CSV UTF-8 and load that")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED:
        raise Invalid(f"the workbook unpacks to {unpacked / 2**20:,.1f} MB, more than the "
                      f"{MAX_UNPACKED / 2**20:,.1f} MB limit; save it as CSV UTF-8 and load that")


def _rows(sheet) -> Iterator[tuple[int, list[str]]]:
    first_row = sheet.start[0] + 1 if sheet.start else 1
    width = None
    for offset, values in enumerate(sheet.iter_rows()):
        cells = [cell_text(value) for value in values]
        if not any(cell.strip() for cell in cells):
            continue
        if width is None:  # the header: blank cells after its last name are not columns
            width = len(cells)
            while width and not cells[width - 1].strip():
                width -= 1
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]
        yield first_row + offset, cells


def cell_text(value: object) -> str:
    """A cell's value as the text a person sees in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # a spreadsheet shows 15 significant digits
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def write_workbook(target: str | BinaryIO, header: list[str], rows: Iterable[list[object]]) -> int:
    """Write one sheet: the header, then `rows` (whole numbers and dates typed, text guarded); return the row count.

    Text that a spreadsheet would run as a formula gets the export's leading `'` (the loader removes it).
    """
    import xlsxwriter  # here, not at import: 80 ms of every process's start-up, for the export alone

    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("programs")
    day = book.add_format({"num_format": DATE_FORMAT})
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _write_cell(sheet, count, column, value, day)
    book.close()
    return count


def _write_cell(sheet, row: int, column: int, value: object, day) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, column, "yes" if value else "no")
    elif isinstance(value, int):
        sheet.write_number(row, column, value)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), day)
    elif isinstance(value, (list, tuple, set, frozenset)):
        sheet.write_string(row, column, ";".join(sorted(value)))
    else:
        sheet.write_string(row, column, guard_formula(str(value)))


def export_workbook(connection: Connection, target: str | BinaryIO) -> int:
    """Every program as the first sheet of a workbook, the columns of programs.csv; return how many."""
    rows = ([record[name] for name in PROGRAM_COLUMN_NAMES] for record in program_records(connection))
    return write_workbook(target, PROGRAM_COLUMN_NAMES, rows)
