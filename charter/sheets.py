"""Spreadsheets in and out, as untrusted text: bounded reading, and cells that are never formulas.

An extraction sheet given to ``invoke import-studies`` may come from anyone
(a co-author, a web app, a pull request), so before a cell is read the file
is checked: its size, its rows and columns (docs/format.md, "Limits"), and for
an .xlsx the zip package itself (no zip bomb, no XML with a DTD or entities,
which Excel never writes and which is how XXE and "billion laughs" get in).

Going out, a study field is text a pull request may have written: a value such
as ``=HYPERLINK("http://…"&A1)`` or ``=cmd|' /C calc'!A0`` must reach Excel as
text, never as a formula. In an .xlsx every text cell is stored as text; in a
CSV (which has no types) a text that Excel would read as a formula is written
with a leading apostrophe, and ``import-studies`` drops that apostrophe again.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from charter.limits import SHEET_COLUMNS, SHEET_FILE_BYTES, SHEET_ROWS, megabytes

# What Excel, LibreOffice and Google Sheets take as the start of a formula in a cell of a CSV.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)*([eE][+-]?\d+)?")

MAX_PARTS = 10_000  # parts in the .xlsx zip; a workbook has a few dozen
MAX_UNPACKED = 256 * 2**20  # all parts together
MAX_RATIO = 500  # unpacked : packed, for parts over 1 MB; spreadsheet XML packs about 10:1
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"),
              "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))
_RESAVE = "open it in Excel or LibreOffice, save it again as .xlsx (or export it as CSV) and retry"


class SheetRefused(Exception):
    """A spreadsheet that is not read; the message names the file, what is wrong and what to do."""


# ------------------------------------------------------------------ writing


def csv_text(value: object) -> object:
    """A CSV cell that Excel will show as the text it is: a formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def as_text_cells(row) -> None:
    """Store every text cell of an openpyxl row as text: a value starting with '=' is not made a formula."""
    for cell in row:
        if cell.data_type == "f":
            cell.data_type = "s"


def read_back(text: str) -> str:
    """A cell's text without the apostrophe ``csv_text`` put before a formula-like text."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


# ------------------------------------------------------------------ reading


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > SHEET_FILE_BYTES:
        raise SheetRefused(f"{path} is {megabytes(size)}, over Charter's limit of {megabytes(SHEET_FILE_BYTES)} "
                           "for an extraction sheet; this is far more than any review needs: check that it is the "
                           "right file")


def check_csv_lines(path: Path, text: str) -> None:
    """Refuse a CSV with a line of more columns than SHEET_COLUMNS, before the csv module builds that row."""
    for number, line in enumerate(text.split("\n"), 1):
        if max(line.count(","), line.count(";"), line.count("\t")) >= SHEET_COLUMNS:
            raise SheetRefused(f"{path}: line {number} has more than {SHEET_COLUMNS:,} columns, Charter's limit "
                               "for an extraction sheet: check that it is the right file")


def check_shape(path: Path, rows: int, columns: int, where: str = "") -> None:
    if rows > SHEET_ROWS:
        raise SheetRefused(f"{path}{where}: more than {SHEET_ROWS:,} rows, Charter's limit for an extraction "
                           "sheet: check that it is the right file")
    if columns > SHEET_COLUMNS:
        raise SheetRefused(f"{path}{where}: more than {SHEET_COLUMNS:,} columns, Charter's limit for an "
                           "extraction sheet: check that it is the right file")


def check_workbook(path: Path) -> None:
    """Refuse an .xlsx whose zip package or XML no spreadsheet program writes (zip bomb, DTD, entities)."""
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
            if len(entries) > MAX_PARTS:
                raise SheetRefused(f"{path}: the file holds {len(entries):,} parts, more than the {MAX_PARTS:,} "
                                   f"Charter reads; {_RESAVE}")
            total = sum(info.file_size for info in entries)
            if total > MAX_UNPACKED:
                raise SheetRefused(f"{path}: the file would unpack to {total / 2**20:,.0f} MB, more than the "
                                   f"{MAX_UNPACKED // 2**20} MB Charter reads (a zip bomb?); {_RESAVE}")
            for info in entries:
                if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise SheetRefused(f"{path}: {info.filename} unpacks over {MAX_RATIO} times larger than it is "
                                       f"packed, which no spreadsheet does: the file looks like a zip bomb and is "
                                       f"not read; {_RESAVE}")
                if info.filename.endswith((".xml", ".rels")):
                    _refuse_dtd(package, info, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise SheetRefused(f"{path} cannot be read as an Excel workbook ({error}); {_RESAVE}") from None


def _refuse_dtd(package: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Scan one XML part, in chunks and never past what the zip declares, for a DTD or an entity."""
    seen, tail = 0, b""
    with package.open(info) as stream:
        while chunk := stream.read(2**20):
            seen += len(chunk)
            if seen > info.file_size or seen > MAX_UNPACKED:
                raise SheetRefused(f"{path}: {info.filename} is larger than its zip header says; {_RESAVE}")
            window = tail + chunk
            if any(mark in window for mark in _DTD_MARKS):
                raise SheetRefused(f"{path}: {info.filename} declares a DTD or entities (<!DOCTYPE>, <!ENTITY>), "
                                   f"which Excel and LibreOffice never write, so the file is not read; {_RESAVE}")
            tail = window[-32:]
