"""Import catalogue files (CSV or Excel) all-or-nothing, for the admin, the command and the tests.

`import_file` reads a file, imports it through the resources in `catalog.resources` and returns an
`ImportReport` that names each bad row (numbered as the spreadsheet shows it: the header is row 1),
its column and what is wrong, in plain words.
"""

import codecs
import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from import_export.formats import base_formats
from import_export.results import Result, RowResult

from catalog.import_widgets import ROW_KEY, clean_text
from catalog.resources import RESOURCES, FileProblem
from shop.models import User
from shop.spreadsheets import (
    SheetLimits,
    SheetTooBig,
    XlsxUnreadable,
    read_csv_rows,
    read_xlsx_rows,
    size_problem,
)

IMPORT_PERMISSION = "shop.import_data"
COST_PERMISSION = "catalog.view_cost_price"
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx file is a zip archive


class FileUnreadable(ValueError):
    """The file is not a CSV or Excel file we can read, or is past the limits; the message says what to do."""


class FileTooBig(FileUnreadable):
    """The file is past a row, column or size limit (shop.spreadsheets.SheetLimits)."""


# --- Reading files ----------------------------------------------------------------------------


def _is_blank(values: Iterable) -> bool:
    return all(clean_text(value) == "" for value in values)


def build_dataset(numbered_rows: Iterable[tuple[int, list]]) -> tablib.Dataset:
    """Return a Dataset from (row number, cells) pairs: the first non-blank row holds the headers.

    Blank rows are left out but every row keeps its number in the ROW_KEY column, so errors name
    the row the shop owner sees. Columns without a header are dropped.
    """
    rows = iter(numbered_rows)
    headers: list[str] = []
    for _number, cells in rows:
        if not _is_blank(cells):
            headers = [clean_text(cell) for cell in cells]
            break
    keep = [i for i, header in enumerate(headers) if header]
    dataset = tablib.Dataset(headers=[headers[i] for i in keep] + [ROW_KEY])
    for number, cells in rows:
        if _is_blank(cells):
            continue
        cells = list(cells) + [""] * (len(headers) - len(cells))
        dataset.append(["" if cells[i] is None else cells[i] for i in keep] + [number])
    return dataset


def decode_text(data: bytes | str) -> str:
    """Return the text of a CSV file saved as UTF-8 (with or without Excel's BOM) or UTF-16."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileUnreadable(
            'This CSV file is not saved as UTF-8, so names in Hindi and other scripts would be lost. In Excel '
            'choose File › Save As › "CSV UTF-8 (Comma delimited)" and import that file.') from None


class LimitedFormatMixin:
    """A format that reads within SheetLimits: the upload limits unless given others (the command's)."""

    def __init__(self, encoding=None, *, limits: SheetLimits | None = None):
        super().__init__(encoding)
        self.limits = limits or SheetLimits.for_uploads()


class ShopCSV(LimitedFormatMixin, base_formats.CSV):
    """CSV as Excel and shop software save it: UTF-8 with or without a BOM, comma, semicolon or tab."""

    # Read as bytes, so that the encoding is ours to detect and to explain.
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        text = decode_text(in_stream)
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        try:
            return build_dataset(read_csv_rows(text, delimiter=delimiter, limits=self.limits))
        except SheetTooBig as error:
            raise FileTooBig(str(error)) from None
        except csv.Error as error:
            raise FileUnreadable(f"This CSV file could not be read: {error}.") from None


class ShopXLSX(LimitedFormatMixin, base_formats.XLSX):
    """The first sheet of an Excel workbook; numbers stored as text are read by the resources."""

    def create_dataset(self, in_stream):
        try:
            return build_dataset(read_xlsx_rows(in_stream, limits=self.limits))
        except SheetTooBig as error:
            raise FileTooBig(str(error)) from None
        except XlsxUnreadable:
            raise FileUnreadable("This is not an Excel (.xlsx) file we can read. Save it as .xlsx or "
                                 "CSV UTF-8 and import it again.") from None


FORMATS = {".csv": ShopCSV, ".xlsx": ShopXLSX}


def read_dataset(data: bytes, *, file_name: str = "", file_format: str = "",
                 limits: SheetLimits | None = None) -> tablib.Dataset:
    """Read a CSV or .xlsx file within the limits (default: the upload limits).

    The format is file_format ("csv" or "xlsx") when given (the one chosen on the admin's form), else
    the name's extension, or else the content.
    """
    limits = limits or SheetLimits.for_uploads()
    suffix = f".{file_format}" if file_format else Path(file_name).suffix.lower()
    if suffix and suffix not in FORMATS:
        raise FileUnreadable(f"Import a .csv or .xlsx file (this one is {suffix}).")
    if problem := size_problem(len(data), limits):
        raise FileTooBig(problem)
    file_format = FORMATS.get(suffix) or (ShopXLSX if data.startswith(XLSX_MAGIC) else ShopCSV)
    return file_format(limits=limits).create_dataset(data)


# --- The report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the row as the spreadsheet numbers it (None: the whole file), column and message."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(frozen=True)
class ImportReport:
    what: str
    rows: int
    new: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]
    dry_run: bool

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        counts = f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged"
        if not self.ok:
            return f"Nothing was imported: {len(self.errors)} problem(s) in the file."
        if self.dry_run:
            return f"The file is fine ({self.rows} rows of {self.what}: {counts}). Nothing was saved (dry run)."
        return f"Imported {self.rows} rows of {self.what}: {counts}."


def report_from_result(result: Result, *, what: str, dry_run: bool) -> ImportReport:
    """Turn an import-export Result into an ImportReport, errors sorted by row."""
    errors: list[RowError] = []
    for base_error in result.base_errors:
        error = base_error.error
        if isinstance(error, FileProblem):
            errors.append(RowError(error.row, error.column, error.message))
        else:
            errors.append(RowError(None, "", f"Saving the file failed, so nothing was imported ({error})."))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                errors.append(RowError(invalid.number, "" if column == NON_FIELD_ERRORS else column, message))
    for error_row in result.error_rows:
        for error in error_row.errors:
            errors.append(RowError(error_row.number, "", f"This row could not be read ({error.error})."))
    totals = result.totals
    return ImportReport(
        what=what,
        rows=result.total_rows,
        new=totals[RowResult.IMPORT_TYPE_NEW],
        updated=totals[RowResult.IMPORT_TYPE_UPDATE],
        unchanged=totals[RowResult.IMPORT_TYPE_SKIP],
        errors=tuple(sorted(errors, key=lambda e: (e.row or 0, e.column))),
        dry_run=dry_run,
    )


# --- Importing --------------------------------------------------------------------------------


def _check_import(kind: str, user: User | None) -> None:
    if kind not in RESOURCES:
        raise ValueError(f"Unknown kind of file {kind!r}; choose one of {', '.join(RESOURCES)}.")
    if user is not None and not user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied("Only an owner or a manager may import files.")


def import_file(
    *,
    kind: str,
    path_or_bytes: str | Path | bytes,
    user: User | None,
    dry_run: bool = False,
    file_name: str = "",
    file_format: str = "",
    progress: Callable[[int, int], None] | None = None,
    limits: SheetLimits | None = None,
) -> ImportReport:
    """Import one catalogue file all-or-nothing and report what happened, row by row.

    kind is one of RESOURCES ("categories", "brands", "suppliers", "products", "opening-stock").
    The format is file_format ("csv" or "xlsx") when given, else the file's extension, or the content.
    A user, when given, must hold the import permission; None means the shell (the command).
    progress, when given, is called with (rows done, rows in the file).
    limits default to the upload limits; the command passes `SheetLimits.for_command()`.
    """
    _check_import(kind, user)
    if isinstance(path_or_bytes, bytes):
        data = path_or_bytes
    else:
        path = Path(path_or_bytes)
        data, file_name = path.read_bytes(), file_name or path.name
    try:
        dataset = read_dataset(data, file_name=file_name, file_format=file_format, limits=limits)
    except FileUnreadable as error:
        return ImportReport(what=kind.replace("-", " "), rows=0, new=0, updated=0, unchanged=0, dry_run=dry_run,
                            errors=(RowError(None, "", str(error)),))
    return import_dataset(kind=kind, dataset=dataset, user=user, dry_run=dry_run, file_name=file_name,
                          progress=progress)


def import_dataset(
    *,
    kind: str,
    dataset: tablib.Dataset,
    user: User | None,
    dry_run: bool = False,
    file_name: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import rows already read by `read_dataset`, all-or-nothing in one transaction; see `import_file`."""
    _check_import(kind, user)
    show_costs = user is None or user.has_perm(COST_PERMISSION)
    resource = RESOURCES[kind](show_costs=show_costs, preview=False)
    result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False, user=user, file_name=file_name,
                                  progress=progress)
    return report_from_result(result, what=kind.replace("-", " "), dry_run=dry_run)
