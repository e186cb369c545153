"""Uploads have size, row and column limits, refused with a clear message before anything is imported.

An .xlsx is read streaming and its declared size is ignored: a few kilobytes declaring A1:XFD1048576
or unpacking to a huge sheet is read fast or refused.
"""

import csv
import io
import re
import signal
import zipfile
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl.styles import Font

from catalog.importing import FileTooBig, FileUnreadable, import_file, read_dataset
from catalog.models import Product
from shop.spreadsheets import SheetLimits, SheetTooBig, limit_rows, read_xlsx_rows
from tests.catalog.test_import import make_catalogue

pytestmark = pytest.mark.django_db
HEADER = ["sku", "name", "unit", "selling_price", "tax_rate"]


@pytest.fixture
def catalogue(db):
    make_catalogue()


@pytest.fixture
def small_limits(settings):
    settings.IMPORT_MAX_ROWS = 5
    settings.IMPORT_MAX_COLUMNS = 8
    return SheetLimits.for_uploads()


@contextmanager
def finishes_within(seconds: float):
    """Fail (instead of hanging for minutes) when the block takes longer than this."""

    def too_slow(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def product_rows(n: int) -> list[list[str]]:
    return [[f"SKU-{i}", f"Product {i}", "pcs", "10", "18"] for i in range(n)]


def csv_bytes(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[list], *, edit_sheet=None) -> bytes:
    """An .xlsx of these rows; edit_sheet(xml) may rewrite the sheet's XML afterwards."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    if edit_sheet is None:
        return plain.getvalue()
    source, edited = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = edit_sheet(content)
            target.writestr(info.filename, content)
    return edited.getvalue()


def declare_dimension(reference: str):
    return lambda xml: re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{reference}"'.encode(), xml)


def preview(client, data: bytes, name: str):
    fmt = "1" if name.endswith(".xlsx") else "0"
    return client.post(reverse("admin:catalog_product_import"), {
        "resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, data)})


def form_error(response) -> str:
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    return " ".join(response.context["form"].errors["import_file"])


# --- Size -----------------------------------------------------------------------------------------


def test_default_limits_are_five_megabytes_twenty_thousand_rows_sixty_columns():
    limits = SheetLimits.for_uploads()
    assert (limits.max_bytes, limits.max_rows, limits.max_columns) == (5 * 1024 * 1024, 20_000, 60)


def test_upload_past_the_size_limit_is_refused_unread_and_names_the_limit(client, owner, catalogue, settings,
                                                                          _private_upload_dir):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    client.force_login(owner)
    message = form_error(preview(client, csv_bytes([HEADER, *product_rows(40)]), "products.csv"))
    assert "a file imported here may be at most 1,000 bytes" in message
    assert "python manage.py import_catalog products FILE" in message
    assert not Product.objects.exists()
    assert not any(Path(_private_upload_dir).glob("*"))  # not even stored


def test_upload_within_the_size_limit_is_previewed(client, owner, catalogue, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10_000
    client.force_login(owner)
    response = preview(client, csv_bytes([HEADER, *product_rows(40)]), "products.csv")
    assert response.context["confirm_form"] is not None


# --- Rows -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["products.csv", "products.xlsx"])
def test_file_past_the_row_limit_is_refused_on_the_form(client, owner, catalogue, small_limits, name):
    client.force_login(owner)
    make = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    message = form_error(preview(client, make([HEADER, *product_rows(6)]), name))
    assert "more than 5 rows" in message and "import_catalog products" in message
    assert not Product.objects.exists()


@pytest.mark.parametrize("name", ["products.csv", "products.xlsx"])
def test_file_at_the_row_limit_with_blank_rows_is_read(client, owner, catalogue, small_limits, name):
    client.force_login(owner)
    make = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    rows = [HEADER, *product_rows(5)]
    rows[3:3] = [[], [""] * 5]  # blank rows do not count, but keep the numbering
    rows[-1][2] = "crate"
    response = preview(client, make(rows), name)
    assert [row.number for row in response.context["result"].invalid_rows] == [8]  # read, and named by its row


def test_reading_stops_at_the_first_row_past_the_limit(small_limits):
    consumed = count()

    def endless_rows():
        for number in count(1):
            next(consumed)
            yield number, ["x"]

    with pytest.raises(SheetTooBig, match="more than 5 rows"):
        list(limit_rows(endless_rows(), small_limits))
    assert next(consumed) == 7  # the header, five rows, and the one past the limit


def test_csv_of_a_million_rows_is_refused_fast(small_limits):
    data = b"sku,name\n" + b"A,B\n" * 1_000_000
    with finishes_within(2), pytest.raises(FileTooBig, match="more than 5 rows"):
        read_dataset(data, file_name="big.csv", limits=SheetLimits(
            max_bytes=None, max_rows=5, max_columns=8, max_unpacked_bytes=None))


def test_import_catalog_command_has_no_row_limit(catalogue, small_limits, tmp_path):
    path = tmp_path / "products.csv"
    path.write_bytes(csv_bytes([HEADER, *product_rows(12)]))
    call_command("import_catalog", "products", str(path))
    assert Product.objects.count() == 12


def test_service_import_keeps_the_upload_limits_by_default(catalogue, small_limits):
    report = import_file(kind="products", path_or_bytes=csv_bytes([HEADER, *product_rows(6)]), user=None,
                         file_name="products.csv")
    assert not report.ok and "more than 5 rows" in report.errors[0].message
    assert not Product.objects.exists()


# --- Columns --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["products.csv", "products.xlsx"])
def test_header_past_the_column_limit_is_refused(client, owner, catalogue, small_limits, name):
    client.force_login(owner)
    make = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    rows = [HEADER + [f"extra_{i}" for i in range(4)], *product_rows(2)]  # 9 columns
    message = form_error(preview(client, make(rows), name))
    assert "data past column H; an import takes at most 8 columns" in message


@pytest.mark.parametrize("name", ["products.csv", "products.xlsx"])
def test_value_far_right_of_the_header_is_refused(client, owner, catalogue, small_limits, name):
    client.force_login(owner)
    make = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    rows = [HEADER, *product_rows(2)]
    rows[2] = rows[2] + [None if name.endswith(".xlsx") else ""] * 95 + ["far right"]
    assert "at most 8 columns" in form_error(preview(client, make(rows), name))


def test_empty_cells_past_the_column_limit_do_not_count(client, owner, catalogue, small_limits):
    client.force_login(owner)
    rows = [HEADER + [""] * 20, *(row + [""] * 20 for row in product_rows(2))]  # Excel's trailing commas
    response = preview(client, csv_bytes(rows), "products.csv")
    assert response.context["confirm_form"] is not None


# --- Excel files that lie about their size ------------------------------------------------------------


def test_xlsx_declaring_the_whole_grid_is_read_fast(catalogue, client, owner):
    data = xlsx_bytes([HEADER, *product_rows(2)], edit_sheet=declare_dimension("A1:XFD1048576"))
    assert len(data) < 10_000
    client.force_login(owner)
    with finishes_within(5):
        response = preview(client, data, "products.xlsx")
    assert response.context["confirm_form"] is not None
    assert len(response.context["result"].rows) == 2


def test_xlsx_declared_dimension_is_ignored_by_the_reader():
    data = xlsx_bytes([HEADER, ["A", "=1+1"]], edit_sheet=declare_dimension("A1:XFD1048576"))
    with finishes_within(2):
        rows = read_xlsx_rows(data, limits=SheetLimits.for_uploads())
    assert rows == [(1, HEADER), (2, ["A"])]  # a formula reads as its (here absent) value


def test_xlsx_with_a_row_numbered_past_the_sheet_is_unreadable():
    data = xlsx_bytes([HEADER, ["A"]], edit_sheet=lambda xml: xml.replace(b'<row r="2"', b'<row r="2000000000"'))
    with finishes_within(2), pytest.raises(FileUnreadable, match="not an Excel"):
        read_dataset(data, file_name="products.xlsx")


def test_xlsx_row_far_below_the_data_is_read_fast():
    data = xlsx_bytes([HEADER, ["A"]], edit_sheet=lambda xml: xml.replace(b'<row r="2"', b'<row r="1048576"'))
    with finishes_within(5):
        rows = read_xlsx_rows(data, limits=SheetLimits.for_uploads())
    assert rows == [(1, HEADER), (1048576, ["A"])]


def test_xlsx_full_of_empty_formatted_cells_is_refused(small_limits):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in range(2, 40):
        for column in range(1, 6):
            book.active.cell(row, column).font = Font(bold=True)  # formatted, no value
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(FileTooBig, match="more than 48 cells"):
        read_dataset(data.getvalue(), file_name="products.xlsx")


def test_xlsx_unpacking_past_the_limit_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 20_000
    data = xlsx_bytes([HEADER, *product_rows(500)])
    assert len(data) < settings.IMPORT_MAX_UPLOAD_BYTES
    with pytest.raises(FileTooBig, match="unpacks to"):
        read_dataset(data, file_name="products.xlsx")


def test_xlsx_row_of_a_million_cells_is_refused_without_building_it():
    cells = b"<c/>" * 1_000_000  # 4 MB of XML, a few kilobytes zipped; openpyxl would build the whole row
    data = xlsx_bytes([HEADER, ["A"]], edit_sheet=lambda xml: xml.replace(
        b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>"))
    assert len(data) < 50_000
    with finishes_within(5), pytest.raises(FileUnreadable):
        read_dataset(data, file_name="products.xlsx")
