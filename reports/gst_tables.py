"""The GST returns as tables: one per GSTR-1 section and the GSTR-3B liability, each with its headers,
rows and totals. The page, the CSV and Excel exports and the PDF all show these same tables.

Cells are plain values: text, or Decimals whose column kind says how to show them (an amount, a rate
or a quantity); exports keep the numbers as numbers.
"""

from dataclasses import dataclass
from decimal import Decimal

import tablib

from reports.gst import Amounts, Document, Gstr1, Gstr3b, HsnRow, total_of
from shop.gst import STATE_NAMES
from shop.money import format_inr, format_quantity
from shop.spreadsheets import escape_dataset

TEXT, WRAP, MONEY, RATE, QUANTITY, COUNT = "text", "wrap", "money", "rate", "quantity", "count"
NUMBER_KINDS = (MONEY, RATE, QUANTITY, COUNT)
# How a page shows each kind of cell: numbers right-aligned, short codes and dates on one line.
CELL_CLASS = {TEXT: "whitespace-nowrap", WRAP: "", **dict.fromkeys(NUMBER_KINDS, "galla-amount")}
TAX_HEADERS = ("Taxable value", "IGST", "CGST", "SGST", "Cess")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: tuple[tuple[str, str], ...]  # (header, kind)
    rows: list[tuple]
    totals: tuple | None = None
    note: str = ""

    @property
    def headers(self) -> list[str]:
        return [header for header, _kind in self.columns]

    @property
    def kinds(self) -> list[str]:
        return [kind for _header, kind in self.columns]

    def shown(self, row: tuple) -> list[tuple[str, str]]:
        """Return a row's cells as text, each with its CSS class on the page."""
        return [(show(cell, kind), CELL_CLASS[kind]) for cell, kind in zip(row, self.kinds, strict=True)]

    @property
    def shown_headers(self) -> list[tuple[str, str]]:
        return [(header, "galla-amount" if kind in NUMBER_KINDS else "") for header, kind in self.columns]

    @property
    def shown_rows(self) -> list[list[tuple[str, str]]]:
        return [self.shown(row) for row in self.rows]

    @property
    def shown_totals(self) -> list[tuple[str, str]] | None:
        return self.shown(self.totals) if self.totals else None

    def dataset(self) -> tablib.Dataset:
        """Return the table as a spreadsheet (totals as the last row), text cells safe from formulas."""
        dataset = tablib.Dataset(headers=self.headers, title=self.key[:31])
        for row in [*self.rows, *([self.totals] if self.totals else [])]:
            dataset.append(row)
        return escape_dataset(dataset)


def show(cell, kind: str) -> str:
    if cell is None or cell == "":
        return ""
    if kind == MONEY:
        return format_inr(cell)
    if kind == RATE:
        return f"{format_quantity(cell)}%"
    if kind == QUANTITY:
        return format_quantity(cell)
    return str(cell)


def _state(code: str) -> str:
    return f"{code}-{STATE_NAMES.get(code, '')}"


def _taxes(amounts: Amounts) -> tuple:
    return (amounts.taxable, amounts.igst, amounts.cgst, amounts.sgst, amounts.cess)


def _tax_columns() -> tuple:
    return tuple((header, MONEY) for header in TAX_HEADERS)


def _document_rows(documents: list[Document], *, with_gstin: bool, with_invoice: bool = False) -> list[tuple]:
    rows = []
    for document in documents:
        for rate in document.rates:
            rows.append((*((document.gstin, document.name) if with_gstin else ()), document.number,
                         f"{document.date:%d-%m-%Y}", *((document.invoice_number,) if with_invoice else ()),
                         document.value, _state(document.place_of_supply), rate.rate, *_taxes(rate.amounts)))
    return rows


def _document_table(key: str, title: str, documents: list[Document], *, with_gstin: bool, number: str,
                    with_invoice: bool = False, note: str = "") -> Table:
    columns = ((("GSTIN of buyer", TEXT), ("Buyer", WRAP)) if with_gstin else ()) + (
        (number, TEXT), ("Date", TEXT), *((("Against invoice", TEXT),) if with_invoice else ()),
        ("Value", MONEY), ("Place of supply", TEXT), ("Rate", RATE), *_tax_columns())
    before_value = len(columns) - len(TAX_HEADERS) - 3  # the columns left of value, place and rate
    value = sum((document.value for document in documents), Decimal("0.00"))
    totals = (("Total", *("",) * (before_value - 1), value, "", "", *_taxes(total_of(documents)))
              if documents else None)
    return Table(key, title, columns, _document_rows(documents, with_gstin=with_gstin, with_invoice=with_invoice),
                 totals, note)


def _hsn_table(key: str, title: str, rows: list[HsnRow], note: str = "") -> Table:
    columns = (("HSN", TEXT), ("Description", WRAP), ("UQC", TEXT), ("Quantity", QUANTITY), ("Rate", RATE),
               *_tax_columns())
    body = [(row.hsn or "(none)", row.description, row.uqc, row.quantity, row.rate, *_taxes(row.amounts))
            for row in rows]
    totals = ("Total", "", "", "", "", *_taxes(total_of(rows))) if rows else None
    return Table(key, title, columns, body, totals, note)


def gstr1_tables(report: Gstr1) -> list[Table]:
    """Return GSTR-1's sections as tables, in the order of the return."""
    b2cs_columns = (("Supply", TEXT), ("Place of supply", TEXT), ("Rate", RATE), *_tax_columns())
    b2cs_rows = [("Inter-state" if row.inter_state else "Intra-state", _state(row.place_of_supply), row.rate,
                  *_taxes(row.amounts)) for row in report.b2cs]
    nil_total = sum((row.amount for row in report.nil), Decimal("0.00"))
    tables = [
        _document_table("b2b", "4A: B2B invoices (buyers with a GSTIN)", report.b2b, with_gstin=True,
                        number="Invoice"),
        _document_table("b2cl", "5: B2C large (inter-state, unregistered, above the limit)", report.b2cl,
                        with_gstin=False, number="Invoice"),
        Table("b2cs", "7: B2C others (by place of supply and rate, net of their credit notes)", b2cs_columns,
              b2cs_rows, ("Total", "", "", *_taxes(total_of(report.b2cs))) if report.b2cs else None),
        Table("nil", "8: Nil-rated supplies (0%)", (("Supply", TEXT), ("Nil-rated", MONEY), ("Exempted", MONEY),
                                                    ("Non-GST", MONEY)),
              [(row.label, row.amount, Decimal("0.00"), Decimal("0.00")) for row in report.nil],
              ("Total", nil_total, Decimal("0.00"), Decimal("0.00")) if report.nil else None),
        _document_table("cdnr", "9B: Credit notes to registered buyers (CDNR)", report.cdnr, with_gstin=True,
                        number="Credit note", with_invoice=True),
        _document_table("cdnur", "9B: Credit notes against B2C large invoices (CDNUR)", report.cdnur,
                        with_gstin=False, number="Credit note", with_invoice=True),
    ]
    if report.hsn_split:
        tables += [_hsn_table("hsn_b2b", "12: HSN summary, supplies to registered buyers", report.hsn_b2b),
                   _hsn_table("hsn_b2c", "12: HSN summary, supplies to unregistered buyers", report.hsn_b2c)]
    else:
        tables.append(_hsn_table("hsn", "12: HSN summary", report.hsn_b2c))
    tables.append(Table(
        "docs", "13: Documents issued",
        (("Documents", WRAP), ("Series", TEXT), ("From", TEXT), ("To", TEXT), ("Total", COUNT),
         ("Cancelled", COUNT), ("Net issued", COUNT)),
        [(row.label, row.series, row.first, row.last, row.total, row.cancelled, row.net_issued)
         for row in report.documents]))
    return tables


def gstr3b_tables(liability: Gstr3b) -> list[Table]:
    """Return GSTR-3B's outward supplies (3.1) and inter-state supplies to unregistered persons (3.2)."""
    zero = Decimal("0.00")
    outward = Table("gstr3b_31", "3.1 Outward supplies and the tax on them (net of credit notes)",
                    (("Nature of supplies", WRAP), *_tax_columns()), [
                        ("(a) Outward taxable supplies (other than zero-rated, nil-rated and exempted)",
                         *_taxes(liability.outward_taxable)),
                        ("(b) Outward taxable supplies (zero-rated)", zero, zero, zero, zero, zero),
                        ("(c) Other outward supplies (nil-rated, exempted)", liability.nil_rated, zero, zero, zero,
                         zero),
                        ("(d) Inward supplies (liable to reverse charge)", zero, zero, zero, zero, zero),
                        ("(e) Non-GST outward supplies", zero, zero, zero, zero, zero)],
                    ("Total", *_taxes(liability.total)))
    unregistered = Table("gstr3b_32", "3.2 Of 3.1(a): inter-state supplies to unregistered persons",
                         (("Place of supply", TEXT), ("Taxable value", MONEY), ("IGST", MONEY)),
                         [(_state(pos), amounts.taxable, amounts.igst)
                          for pos, amounts in liability.unregistered_inter_state],
                         ("Total", sum((a.taxable for _p, a in liability.unregistered_inter_state), zero),
                          sum((a.igst for _p, a in liability.unregistered_inter_state), zero))
                         if liability.unregistered_inter_state else None)
    return [outward, unregistered]


def tables_databook(tables: list[Table]) -> tablib.Databook:
    """Return the tables as one workbook, a sheet each."""
    return tablib.Databook([table.dataset() for table in tables])

