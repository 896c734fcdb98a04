"""Reading the bytes of a CSV file into numbered records."""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from typing import TextIO

from .problems import Invalid


class BrokenRecord(Invalid):
    """The CSV syntax itself is broken at a line (an unclosed quote, say)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")  # the five bytes Windows-1252 leaves undefined


def encoding_of(data: bytes) -> str:
    """The codec to read a CSV file with: UTF-8 (with or without BOM), else Windows-1252.

    Raises Invalid for what is not a text file at all.
    """
    if data.startswith((_ZIP, _OLE)):
        raise Invalid(
            "this is a spreadsheet workbook (.xlsx/.xls), not a CSV file; "
            "save it as 'CSV UTF-8' and load that"
        )
    if b"\x00" in data:
        raise Invalid("this is a binary file, not CSV text")
    if _is_utf8(data):
        return "utf-8-sig"
    if undefined := _NOT_CP1252.search(data):
        line = data.count(b"\n", 0, undefined.start()) + 1
        raise Invalid(
            f"the file is neither UTF-8 nor Windows-1252 text "
            f"(byte 0x{undefined.group()[0]:02x} on line {line})"
        )
    return "cp1252"


def _is_utf8(data: bytes, chunk: int = 1 << 20) -> bool:
    """Whether `data` is valid UTF-8, checked a chunk at a time to spare memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(view[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def decode(data: bytes) -> str:
    """The whole text of a CSV file (see `encoding_of`)."""
    return data.decode(encoding_of(data))


def open_text(data: bytes) -> io.TextIOWrapper:
    """A text stream over `data`, decoded as it is read."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding_of(data), newline="")


def records(text: str | TextIO) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells) for each non-empty record.

    Line numbers are physical lines, the header being line 1; a quoted cell
    may span several lines.
    """
    stream = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(stream, strict=True)
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
