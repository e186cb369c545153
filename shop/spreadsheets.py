"""Spreadsheets in and out, safely: formula escaping for exports, size limits and bounded readers for uploads.

Exports: a cell that starts with = + - @ tab or carriage return is a formula to Excel, LibreOffice and
Google Sheets, so a product called "=HYPERLINK(...)" would run when the file is opened. Following
OWASP's CSV-injection advice such text gets a leading single quote: the value stays readable, and
real numbers (a price, "-5") are left alone. Imports read our own quote back off (`unescape_formula`).

Uploads: `check_upload_size` refuses a file before anything reads it, and `read_csv_rows` and
`read_xlsx_rows` stop at the first row or column past the limits, so a request never holds more than
the limits allow. An .xlsx is a zip archive whose few kilobytes may unpack to gigabytes and which may
declare any size (A1:XFD1048576): its declared size is ignored and its cells are counted by a cheap
streaming pass before openpyxl reads a single row.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.parsers import expat

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MB = 1024 * 1024


# --- Formulas -----------------------------------------------------------------------------------


def escape_formula(value: object) -> object:
    """Return a text cell that a spreadsheet would run as a formula with a leading quote; else the value.

    Numbers, and text that is a plain number ("-5", "+2.50"), are not formulas anyone can abuse and stay.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_formula(value: object) -> object:
    """Return a cell as it was before `escape_formula`: "'=1+1" reads "=1+1"; anything else unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def escape_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """Escape every cell of a dataset in place (the headers are ours) and return it."""
    rows = [tuple(escape_formula(cell) for cell in row) for row in dataset]
    del dataset[:]
    for row in rows:
        dataset.append(row)
    return dataset


# --- Limits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLimits:
    """How much of a spreadsheet one read may take. None: no limit."""

    max_bytes: int | None  # the file as uploaded
    max_rows: int | None  # rows with data, after the header row
    max_columns: int
    max_unpacked_bytes: int | None  # what an .xlsx (a zip archive) may unpack to

    @classmethod
    def for_uploads(cls) -> "SheetLimits":
        """The limits for a file uploaded through the web (settings IMPORT_MAX_*)."""
        return cls(max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES, max_rows=settings.IMPORT_MAX_ROWS,
                   max_columns=settings.IMPORT_MAX_COLUMNS, max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES)

    @classmethod
    def for_command(cls) -> "SheetLimits":
        """The limits for a file the owner imports from the shell: any number of rows."""
        return cls(max_bytes=None, max_rows=None, max_columns=settings.IMPORT_MAX_COLUMNS, max_unpacked_bytes=None)

    @property
    def cell_budget(self) -> int | None:
        """How many cells (even empty formatted ones) an .xlsx sheet may hold."""
        return None if self.max_rows is None else (self.max_rows + 1) * self.max_columns


class SheetTooBig(ValueError):
    """The file is past one of the limits; the message names the limit."""


def describe_bytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size:,} bytes"


def size_problem(size: int, limits: SheetLimits) -> str:
    """Return why a file of this many bytes is too big, or "" when it is not."""
    if limits.max_bytes is None or size <= limits.max_bytes:
        return ""
    return (f"This file is {describe_bytes(size)}; a file imported here may be at most "
            f"{describe_bytes(limits.max_bytes)}.")


def check_upload_size(upload, *, limits: SheetLimits | None = None) -> None:
    """Raise ValidationError naming the limit when an uploaded file is too big, before reading any of it.

    For any upload form (the catalogue import, a bank statement): call it from the form's clean_<field>.
    """
    if problem := size_problem(upload.size, limits or SheetLimits.for_uploads()):
        raise ValidationError(problem, code="file_too_big")


def column_letters(number: int) -> str:
    """Return a spreadsheet's name for a column number: 1 is A, 60 is BH."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def too_many_rows(limits: SheetLimits) -> SheetTooBig:
    return SheetTooBig(f"This file has more than {limits.max_rows:,} rows; an import here takes at most "
                       f"{limits.max_rows:,} rows after the header.")


def too_many_columns(limits: SheetLimits) -> SheetTooBig:
    return SheetTooBig(f"This file has data past column {column_letters(limits.max_columns)}; an import takes at "
                       f"most {limits.max_columns} columns.")


# --- Reading rows within the limits -------------------------------------------------------------


def _used_width(cells: Sequence) -> int:
    """Return how many cells a row uses, up to its last non-empty one."""
    width = len(cells)
    if cells.count(None) == width:  # in C: a sheet's gaps are rows of Nones, and there may be a million
        return 0
    while width and (cells[width - 1] is None or str(cells[width - 1]).strip() == ""):
        width -= 1
    return width


def limit_rows(numbered_rows: Iterable[tuple[int, Sequence]], limits: SheetLimits) -> Iterator[tuple[int, list]]:
    """Yield the non-blank (row number, cells), cut to their last used cell and unescaped.

    Raise SheetTooBig at the first row past a limit: the first non-blank row is the header and at most
    max_rows non-blank rows may follow it, so no more than max_rows + 1 rows are ever yielded.
    """
    used = 0
    for number, cells in numbered_rows:
        width = _used_width(cells)
        if not width:
            continue
        if width > limits.max_columns:
            raise too_many_columns(limits)
        used += 1
        if limits.max_rows is not None and used > limits.max_rows + 1:
            raise too_many_rows(limits)
        yield number, [unescape_formula(cell) for cell in cells[:width]]


def read_csv_rows(text: str, *, delimiter: str, limits: SheetLimits) -> Iterator[tuple[int, list]]:
    """Yield the numbered rows of a CSV text within the limits (csv.Error for a malformed file)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    yield from limit_rows(enumerate(reader, start=1), limits)


class XlsxUnreadable(ValueError):
    """Not an .xlsx workbook that openpyxl can read."""


def _check_unpacked_size(data: bytes, limits: SheetLimits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise XlsxUnreadable("not a zip archive") from None
    with archive:
        # zipfile never unpacks more than an entry declares, so the declared sizes are a true bound.
        unpacked = sum(info.file_size for info in archive.infolist())
    if limits.max_unpacked_bytes is not None and unpacked > limits.max_unpacked_bytes:
        raise SheetTooBig(f"This Excel file unpacks to {describe_bytes(unpacked)}; an import here takes at most "
                          f"{describe_bytes(limits.max_unpacked_bytes)}. Save it as CSV UTF-8, or split it.")


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - ord("A") + 1
    return number


def _count_cells(source, limits: SheetLimits) -> None:
    """Stream a sheet's XML once, holding nothing, and raise when it is past a limit.

    openpyxl builds each row in memory with every cell it names (up to column XFD, even empty ones)
    and fills the gap to a row numbered 2,000,000,000 with empty rows. This pass refuses such sheets
    cheaply: cells past the Excel grid, more cells than the limits allow (even empty formatted ones),
    or a value past the column limit.
    """
    state = {"row": 0, "column": 0, "in_row": 0, "cells": 0, "in_cell": False}
    budget = limits.cell_budget

    def start(name: str, attributes: dict) -> None:
        tag = name.rpartition(" ")[2]
        if tag == "row":
            reference = attributes.get("r")
            state["row"] = int(reference) if reference and reference.isdigit() else state["row"] + 1
            state["column"] = state["in_row"] = 0
            if state["row"] > EXCEL_MAX_ROWS:
                raise XlsxUnreadable("row past the sheet's end")
        elif tag == "c":
            reference = attributes.get("r")
            state["column"] = _column_number(reference) if reference else state["column"] + 1
            state["in_row"] += 1
            state["cells"] += 1
            state["in_cell"] = True
            if state["column"] > EXCEL_MAX_COLUMNS or state["in_row"] > EXCEL_MAX_COLUMNS:
                raise XlsxUnreadable("column past the sheet's end")
            if budget is not None and state["cells"] > budget:
                raise SheetTooBig(f"This sheet holds more than {budget:,} cells (counting empty formatted ones); "
                                  f"an import here takes at most {limits.max_rows:,} rows of "
                                  f"{limits.max_columns} columns. Delete the unused rows and columns, or split it.")
        elif tag in ("v", "is") and state["in_cell"] and state["column"] > limits.max_columns:
            raise too_many_columns(limits)

    def end(name: str) -> None:
        if name.rpartition(" ")[2] == "c":
            state["in_cell"] = False

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        while chunk := source.read(64 * 1024):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise XlsxUnreadable("malformed sheet") from None


def read_xlsx_rows(data: bytes, *, limits: SheetLimits) -> list[tuple[int, list]]:
    """Return the numbered rows of a workbook's first sheet within the limits.

    Raises SheetTooBig past a limit and XlsxUnreadable for anything that is not a readable .xlsx.
    """
    import openpyxl  # here: only Excel files need it

    _check_unpacked_size(data, limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise XlsxUnreadable("openpyxl could not open it") from None
    try:
        if not book.worksheets:
            raise XlsxUnreadable("no worksheet")
        sheet = book.worksheets[0]
        with sheet._get_source() as source:  # the sheet's XML inside the archive (openpyxl pinned 3.1)
            _count_cells(source, limits)
        sheet.reset_dimensions()  # never trust the declared A1:XFD1048576
        try:
            rows = enumerate(sheet.iter_rows(max_col=limits.max_columns, values_only=True), start=1)
            return list(limit_rows(rows, limits))
        except SheetTooBig:
            raise
        except Exception:
            raise XlsxUnreadable("openpyxl could not read a row") from None
    finally:
        book.close()
