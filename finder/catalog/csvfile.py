"""Reading the bytes of a CSV file into numbered records (contract section 1, reading rules).

The messages speak of what a person can change in the file (its encoding, its delimiter,
a quote), never in the csv module's or a codec's own words.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TextIO

from .problems import Invalid

# Cells are checked against their column's length rule, whatever their size: the csv
# module's own limit (128 KiB per cell) must never be what a person reads about. The
# whole file is in memory already, so no cell can be larger than it.
csv.field_size_limit(2**31 - 1)


class BrokenRecord(Invalid):
    """The CSV syntax itself is broken at a line (an unclosed quote, say)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")  # the five bytes Windows-1252 leaves undefined
_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")
_SAMPLE = 4096  # bytes looked at to tell UTF-16 without a byte-order mark


def encoding_of(data: bytes) -> str:
    """The codec to read a CSV file with (contract section 1): UTF-16 when it starts with
    a UTF-16 byte-order mark, UTF-8 (with or without BOM), else Windows-1252.

    Raises Invalid for what is not a text file, UTF-16 without a byte-order mark, and a
    file that mixes UTF-8 lines with lines in another encoding.
    """
    if data.startswith((_ZIP, _OLE)):
        raise Invalid(
            "this is a spreadsheet workbook (.xlsx/.xls), not a CSV file; "
            "save it as 'CSV UTF-8' and load that"
        )
    if data.startswith(_UTF16_BOMS):
        return "utf-16"
    if looks_like_bomless_utf16(data):
        raise Invalid(
            "this file looks like UTF-16 text without a byte-order mark, which cannot be read "
            "safely; save it as 'CSV UTF-8' (or as UTF-16 'Unicode text', which has the mark)"
        )
    if b"\x00" in data:
        raise Invalid("this is a binary file, not CSV text")
    if _is_utf8(data):
        return "utf-8-sig"
    _refuse_mixed_encodings(data)
    if undefined := _NOT_CP1252.search(data):
        line = data.count(b"\n", 0, undefined.start()) + 1
        raise Invalid(
            f"the file is neither UTF-8 nor Windows-1252 text "
            f"(byte 0x{undefined.group()[0]:02x} on line {line})"
        )
    return "cp1252"


def is_binary(data: bytes) -> bool:
    """Whether the bytes are plainly not text: NUL bytes that are not UTF-16's."""
    return b"\x00" in data[:65536] and not data.startswith(_UTF16_BOMS) and not looks_like_bomless_utf16(data)


def looks_like_bomless_utf16(data: bytes) -> bool:
    """NUL bytes in every other position of the start (mostly-ASCII UTF-16 of either order)."""
    sample = data[: _SAMPLE - _SAMPLE % 2]
    if len(sample) < 4:
        return False
    halves = (sample[0::2], sample[1::2])
    nuls = [half.count(0) / len(half) for half in halves]
    return max(nuls) >= 0.9 and min(nuls) <= 0.1


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


def _refuse_mixed_encodings(data: bytes) -> None:
    """Invalid when some lines are UTF-8 with non-ASCII characters and others are not UTF-8.

    Such a file was pasted together from two sources; reading it as Windows-1252 would turn
    its UTF-8 lines into mojibake ("CafÃ©") without a word.
    """
    utf8_line = other_line = None
    for match in _NON_ASCII_LINE.finditer(data):
        try:
            match.group().decode("utf-8")
        except UnicodeDecodeError:
            other_line = other_line or data.count(b"\n", 0, match.start()) + 1
        else:
            utf8_line = utf8_line or data.count(b"\n", 0, match.start()) + 1
        if utf8_line and other_line:
            raise Invalid(f"mixed encodings: line {utf8_line} is UTF-8, line {other_line} is not; "
                          "save the whole file as 'CSV UTF-8'")


def decode(data: bytes) -> str:
    """The whole text of a CSV file (see `encoding_of`)."""
    return data.decode(encoding_of(data))


def open_text(data: bytes) -> io.TextIOWrapper:
    """A text stream over `data`, decoded as it is read."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding_of(data), newline="")


_SEP_LINE = re.compile(r"sep=(.*?)\r?\n?", re.DOTALL)
_DELIMITER_NAMES = {";": "';'", "\t": "tabs", "|": "'|'"}


def delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, f"'{delimiter}'")


def records(text: str | TextIO) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, cells) for each non-empty record.

    Line numbers are physical lines, the header being line 1; a quoted cell may span
    several lines. A first line `sep=,` (a spreadsheet's hint) is skipped but counted.
    Raises BrokenRecord for broken quoting, on the line where the broken record starts,
    after yielding every record before it; and for a first line `sep=X` naming another
    delimiter.
    """
    stream = io.StringIO(text, newline="") if isinstance(text, str) else text
    first = stream.readline()
    lines = stream
    if sep := _SEP_LINE.fullmatch(first):
        if sep.group(1) != ",":
            raise BrokenRecord(1, f"this file says it uses {delimiter_name(sep.group(1))} between columns "
                                  f"(its first line is '{first.strip()[:20]}'); save it with commas")
        skipped = 1
    else:
        lines, skipped = chain([first], stream), 0
    reader = csv.reader(lines, strict=True)
    start = skipped + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BrokenRecord(start, _quoting_problem(error)) from None
        if "".join(cells).strip():  # some cell holds more than white space
            yield start, cells
        start = skipped + reader.line_num + 1


def _quoting_problem(error: csv.Error) -> str:
    """What is wrong with the quotes, in words for the person who edits the file."""
    if "end of data" in str(error):  # the csv module reached the end of the file inside quotes
        return ("a quoted cell starts in this record but its closing quote is missing, so the rest "
                "of the file would be one cell; add the closing quote (a quote inside a cell is "
                'written twice: "")')
    return ("a quoted cell must end with its quote right before the comma or the end of the line; "
            'a quote inside a cell is written twice ("")')


def other_delimiter(header: list[str], known: Iterable[str]) -> str | None:
    """The delimiter (';' or tab) of a header row that holds no comma but splits on it into
    known column names, else None."""
    if len(header) != 1:
        return None
    names = set(known)
    for delimiter in (";", "\t"):
        parts = [part.strip().strip('"').lower() for part in header[0].split(delimiter)]
        if len(parts) > 1 and all(part in names for part in parts if part):
            return delimiter
    return None
