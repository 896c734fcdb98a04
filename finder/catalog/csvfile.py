"""Reading the bytes of a CSV file into numbered records."""

import csv
import io
from collections.abc import Iterator

from .problems import Invalid


class BrokenRecord(Invalid):
    """The CSV syntax itself is broken at a line (an unclosed quote, say)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"


def decode(data: bytes) -> str:
    """Decode a CSV file: UTF-8 (with or without BOM), else Windows-1252.

    Raises Invalid for what is not a text file at all.
    """
    if data.startswith((_ZIP, _OLE)):
        raise Invalid(
            "this is a spreadsheet workbook (.xlsx/.xls), not a CSV file; "
            "save it as 'CSV UTF-8' and load that"
        )
    if b"\x00" in data:
        raise Invalid("this is a binary file, not CSV text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise Invalid(
            f"the file is neither UTF-8 nor Windows-1252 text "
            f"(byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells) for each non-empty record.

    Line numbers are physical lines, the header being line 1; a quoted cell
    may span several lines.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BrokenRecord(start, f"broken CSV quoting ({error})") from None
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = reader.line_num + 1
