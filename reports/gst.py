"""GST figures from the sales records: a period's tax summary, the GSTR-1 sections and the GSTR-3B table.

Every figure is a sum of the rounded invoice and credit note lines (DESIGN.md), added in whole paise by
the database (shop.money.MoneySum), so it is exact on SQLite too. A completed invoice counts in the
month it was issued; a credit note counts in the month it was issued, in the section of its invoice;
a cancelled invoice counts only in the document summary (its number was used).

GSTR-1 follows the portal's tables: B2B (buyers with a GSTIN), B2CL (inter-state invoices to
unregistered buyers above the limit), B2CS (every other sale to unregistered buyers, by place of supply
and rate, net of their credit notes), nil-rated supplies (0% lines), the HSN summary (split B2B / B2C),
credit notes to registered buyers (CDNR) and against B2CL invoices (CDNUR), and the documents issued.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.functional import cached_property

from catalog.models import Unit
from sales.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from shop.models import ShopProfile
from shop.money import MoneySum

ZERO = Decimal("0.00")
QUANTITY_STEP = Decimal("0.001")

# Inter-state invoices to unregistered buyers above this value are reported one by one (B2CL):
# ₹2,50,000 until 31 July 2024, ₹1,00,000 since 1 August 2024 (Notification 12/2024-Central Tax).
B2CL_LIMITS = ((date(2024, 7, 31), Decimal("250000")), (date.max, Decimal("100000")))
# From the May 2025 return the HSN summary is filed in two tables, supplies to registered and to
# unregistered buyers (GSTN advisory on Table 12).
HSN_SPLIT_FROM = date(2025, 5, 1)
GST_START = date(2017, 7, 1)

# GST unit quantity codes (UQC) the portal accepts; anything else is filed as OTH (others).
UQC_CODES = frozenset((
    "BAG", "BAL", "BDL", "BKL", "BOU", "BOX", "BTL", "BUN", "CAN", "CBM", "CCM", "CMS", "CTN", "DOZ", "DRM", "GGK",
    "GMS", "GRS", "GYD", "KGS", "KLR", "KME", "LTR", "MLT", "MTR", "MTS", "NOS", "OTH", "PAC", "PCS", "PRS", "QTL",
    "ROL", "SET", "SQF", "SQM", "SQY", "TBS", "TGM", "THD", "TON", "TUB", "UGS", "UNT", "YDS",
))
# Galla's usual unit codes, for a unit whose UQC was left empty.
UQC_BY_UNIT = {"pcs": "NOS", "nos": "NOS", "kg": "KGS", "g": "GMS", "l": "LTR", "ltr": "LTR", "ml": "MLT",
               "m": "MTR", "box": "BOX", "pack": "PAC", "pkt": "PAC", "dozen": "DOZ", "pair": "PRS", "set": "SET",
               "bag": "BAG", "bottle": "BTL", "can": "CAN", "roll": "ROL", "tin": "CAN"}

# The line columns every section adds up, by the name the figures use.
AMOUNT_COLUMNS = (("taxable", "taxable_value"), ("cgst", "cgst"), ("sgst", "sgst"), ("igst", "igst"),
                  ("cess", "cess"))
_SERIAL = re.compile(r"^(?P<series>.*?)(?P<serial>\d+)$")


@dataclass(frozen=True)
class Amounts:
    """Taxable value and each tax of some lines, to the paisa."""

    taxable: Decimal = ZERO
    cgst: Decimal = ZERO
    sgst: Decimal = ZERO
    igst: Decimal = ZERO
    cess: Decimal = ZERO

    @classmethod
    def of(cls, row: dict) -> "Amounts":
        return cls(**{name: row[name] for name, _column in AMOUNT_COLUMNS})

    def __add__(self, other: "Amounts") -> "Amounts":
        return Amounts(*(getattr(self, n) + getattr(other, n) for n, _c in AMOUNT_COLUMNS))

    def __sub__(self, other: "Amounts") -> "Amounts":
        return Amounts(*(getattr(self, n) - getattr(other, n) for n, _c in AMOUNT_COLUMNS))

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst + self.cess

    @property
    def total(self) -> Decimal:
        return self.taxable + self.tax

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name, _column in AMOUNT_COLUMNS)


def total_of(rows) -> Amounts:
    """Return the amounts of rows (anything with `.amounts`) added up."""
    return sum((row.amounts for row in rows), Amounts())


def _exact_quantity(value, expression, connection) -> Decimal:
    return Decimal(value or 0).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)


class QuantitySum(ExpressionWrapper):
    """The sum of a quantity column, exact on SQLite too: added in thousandths, as MoneySum adds paise."""

    def __init__(self, column: str):
        super().__init__(Sum(Round(F(column) * 1000)) / 1000, output_field=DecimalField(max_digits=20,
                                                                                         decimal_places=3))

    @cached_property
    def convert_value(self):
        return _exact_quantity


def _amount_sums() -> dict:
    return {name: MoneySum(column) for name, column in AMOUNT_COLUMNS}


# --- Periods ------------------------------------------------------------------------------------


def month_start(month: date) -> date:
    return month.replace(day=1)


def month_end(month: date) -> date:
    """Return the last day of the month `month` falls in."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _moments(start: date, end: date) -> tuple[datetime, datetime]:
    """Return the shop-time instants from the start of `start` to the end of `end` (exclusive)."""
    begin = timezone.make_aware(datetime.combine(start, time.min))
    finish = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return begin, finish


def _sold_lines(start: date, end: date):
    begin, finish = _moments(start, end)
    return InvoiceLine.objects.filter(invoice__status=Invoice.Status.COMPLETED, invoice__issued_at__gte=begin,
                                      invoice__issued_at__lt=finish)


def _returned_lines(start: date, end: date):
    begin, finish = _moments(start, end)
    return CreditNoteLine.objects.filter(credit_note__issued_at__gte=begin, credit_note__issued_at__lt=finish)


def b2cl_limit(day: date) -> Decimal:
    """Return the invoice value above which an inter-state sale to an unregistered buyer is B2CL."""
    return next(limit for last_day, limit in B2CL_LIMITS if day <= last_day)


def uqc_codes() -> dict[str, str]:
    """Return each unit code's GST UQC: the unit's own when the portal knows it, else the usual one, else OTH."""
    codes = {}
    for code, uqc in Unit.objects.values_list("code", "uqc"):
        uqc = (uqc or "").strip().upper()
        codes[code] = uqc if uqc in UQC_CODES else UQC_BY_UNIT.get(code.lower(), "OTH")
    return codes


def uqc_of(unit: str, codes: dict[str, str]) -> str:
    return codes.get(unit) or UQC_BY_UNIT.get(unit.lower(), "OTH")


# --- The period's summary (the seam the dashboard and the emails read) --------------------------


@dataclass(frozen=True)
class RateRow:
    rate: Decimal
    amounts: Amounts


@dataclass(frozen=True)
class HsnRow:
    hsn: str
    description: str
    uqc: str
    rate: Decimal
    quantity: Decimal
    amounts: Amounts


@dataclass(frozen=True)
class GstSummary:
    """Tax of the completed invoices minus the credit notes of a period, in total, by rate and by HSN."""

    start: date
    end: date
    sales: Amounts
    returns: Amounts
    by_rate: list[RateRow]
    by_hsn: list[HsnRow]

    @property
    def net(self) -> Amounts:
        return self.sales - self.returns


def _by_rate(start: date, end: date) -> tuple[dict, dict]:
    sold = {row["tax_rate"]: Amounts.of(row) for row in
            _sold_lines(start, end).values("tax_rate").annotate(**_amount_sums()).order_by()}
    returned = {row["tax_rate"]: Amounts.of(row) for row in
                _returned_lines(start, end).values("tax_rate").annotate(**_amount_sums()).order_by()}
    return sold, returned


def _hsn_rows(start: date, end: date, *, registered: bool | None) -> list[HsnRow]:
    """Return the HSN summary: per (HSN, UQC, rate), sold less returned, for registered buyers, others or all."""
    codes = uqc_codes()
    groups: dict[tuple, dict] = {}

    def add(queryset, gstin_column: str, sign: int) -> None:
        rows = (queryset.values("hsn_code", "unit", "tax_rate", gstin_column)
                .annotate(first_description=Min("description"), quantity_sum=QuantitySum("quantity"),
                          **_amount_sums()).order_by())
        for row in rows:
            if registered is not None and bool(row[gstin_column]) != registered:
                continue
            key = (row["hsn_code"], uqc_of(row["unit"], codes), row["tax_rate"])
            group = groups.setdefault(key, {"description": row["first_description"], "quantity": Decimal("0.000"),
                                            "amounts": Amounts()})
            amounts = Amounts.of(row)
            group["quantity"] += sign * row["quantity_sum"]
            group["amounts"] = group["amounts"] + amounts if sign > 0 else group["amounts"] - amounts

    add(_sold_lines(start, end), "invoice__customer__gstin", 1)
    add(_returned_lines(start, end), "credit_note__invoice__customer__gstin", -1)
    return [HsnRow(hsn=hsn, description=group["description"], uqc=uqc, rate=rate, quantity=group["quantity"],
                   amounts=group["amounts"])
            for (hsn, uqc, rate), group in sorted(groups.items())
            if group["quantity"] or group["amounts"]]  # goods sold and all taken back leave no row


def gst_summary(*, start: date, end: date) -> GstSummary:
    """Return the taxable value and each tax of the period's completed invoices minus its credit notes."""
    sold, returned = _by_rate(start, end)
    by_rate = [RateRow(rate, sold.get(rate, Amounts()) - returned.get(rate, Amounts()))
               for rate in sorted(set(sold) | set(returned))]
    return GstSummary(start=start, end=end, sales=sum(sold.values(), Amounts()),
                      returns=sum(returned.values(), Amounts()), by_rate=by_rate,
                      by_hsn=_hsn_rows(start, end, registered=None))


# --- GSTR-1 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """An invoice or credit note as GSTR-1 lists it, with its taxed lines added up per rate (0% left out)."""

    number: str
    date: date
    value: Decimal
    place_of_supply: str
    inter_state: bool
    gstin: str
    name: str
    rates: tuple[RateRow, ...]
    invoice_number: str = ""  # a credit note's invoice

    @property
    def amounts(self) -> Amounts:
        return total_of(self.rates)


@dataclass(frozen=True)
class B2csRow:
    inter_state: bool
    place_of_supply: str
    rate: Decimal
    amounts: Amounts

    @property
    def supply_type(self) -> str:
        return "INTER" if self.inter_state else "INTRA"


@dataclass(frozen=True)
class NilRow:
    """0% (nil-rated) supplies of one kind: inter- or intra-state, to registered or unregistered buyers."""

    supply_type: str  # the portal's INTRB2B, INTRAB2B, INTRB2C, INTRAB2C
    amount: Decimal

    LABELS = {"INTRB2B": "Inter-state, to registered buyers", "INTRAB2B": "Intra-state, to registered buyers",
              "INTRB2C": "Inter-state, to unregistered buyers", "INTRAB2C": "Intra-state, to unregistered buyers"}

    @property
    def label(self) -> str:
        return self.LABELS[self.supply_type]


@dataclass(frozen=True)
class SeriesRow:
    """One numbering series of the documents issued in the month (GSTR-1 table 13)."""

    kind: str  # "invoice" or "credit_note"
    series: str
    first: str
    last: str
    total: int
    cancelled: int

    @property
    def net_issued(self) -> int:
        return self.total - self.cancelled

    @property
    def nature(self) -> int:
        """The portal's doc_num: 1 invoices for outward supply, 5 credit notes."""
        return 1 if self.kind == "invoice" else 5

    @property
    def label(self) -> str:
        return "Invoices for outward supply" if self.kind == "invoice" else "Credit notes"


@dataclass
class Gstr1:
    month: date
    gstin: str
    b2b: list[Document] = field(default_factory=list)
    b2cl: list[Document] = field(default_factory=list)
    b2cs: list[B2csRow] = field(default_factory=list)
    nil: list[NilRow] = field(default_factory=list)
    hsn_b2b: list[HsnRow] = field(default_factory=list)
    hsn_b2c: list[HsnRow] = field(default_factory=list)
    cdnr: list[Document] = field(default_factory=list)
    cdnur: list[Document] = field(default_factory=list)
    documents: list[SeriesRow] = field(default_factory=list)

    @property
    def fp(self) -> str:
        """The return period as the portal writes it: MMYYYY."""
        return f"{self.month:%m%Y}"

    @property
    def hsn_split(self) -> bool:
        return self.month >= HSN_SPLIT_FROM

    @property
    def outward(self) -> Amounts:
        """Taxed supplies less credit notes, as the sections add up: B2B + B2CL + B2CS - CDNR - CDNUR."""
        return (total_of(self.b2b) + total_of(self.b2cl) + total_of(self.b2cs)
                - total_of(self.cdnr) - total_of(self.cdnur))


def _section(*, gstin: str, inter_state: bool, value: Decimal, day: date) -> str:
    """Return where an invoice (and its credit notes) goes: "b2b", "b2cl" or "b2cs"."""
    if gstin:
        return "b2b"
    if inter_state and value > b2cl_limit(day):
        return "b2cl"
    return "b2cs"


def _nil_type(*, inter_state: bool, registered: bool) -> str:
    return ("INTR" if inter_state else "INTRA") + ("B2B" if registered else "B2C")


def _rates_by_document(queryset, document_column: str) -> dict[int, list[tuple[Decimal, Amounts]]]:
    rates = defaultdict(list)
    for row in queryset.values(document_column, "tax_rate").annotate(**_amount_sums()).order_by("tax_rate"):
        rates[row[document_column]].append((row["tax_rate"], Amounts.of(row)))
    return rates


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _listed(prefix: str) -> Q:
    """Return the condition for an invoice listed one by one (B2B, or B2CL by the limit of its own date);
    `prefix` leads from the queried model to the invoice ("" for invoices themselves)."""
    large, since = Q(), None
    for last_day, limit in B2CL_LIMITS:
        part = Q(**{f"{prefix}grand_total__gt": limit})
        if since is not None:
            part &= Q(**{f"{prefix}issued_at__gte": since})
        if last_day != date.max:
            since = _moments(last_day + timedelta(days=1), last_day + timedelta(days=1))[0]
            part &= Q(**{f"{prefix}issued_at__lt": since})
        large |= part
    return Q(**{f"{prefix}customer__gstin__gt": ""}) | (Q(**{f"{prefix}inter_state": True}) & large)


def _b2cs_sums(queryset, invoice: str, sign: int, b2cs: dict, nil: dict) -> None:
    """Add up, in the database, the lines of the invoices not listed one by one: B2CS and nil-rated B2C."""
    rows = (queryset.exclude(_listed(invoice)).values(f"{invoice}inter_state", f"{invoice}place_of_supply", "tax_rate")
            .annotate(**_amount_sums()).order_by())
    for row in rows:
        inter_state, amounts = row[f"{invoice}inter_state"], Amounts.of(row)
        if not row["tax_rate"]:
            nil[_nil_type(inter_state=inter_state, registered=False)] += sign * amounts.taxable
        else:
            key = (inter_state, row[f"{invoice}place_of_supply"], row["tax_rate"])
            b2cs[key] = b2cs[key] + amounts if sign > 0 else b2cs[key] - amounts


def gstr1(*, month: date) -> Gstr1:
    """Return the GSTR-1 sections of a month (any day of it).

    Only B2B and B2CL documents are read one by one; B2CS and nil-rated B2C lines are added up by the database.
    """
    start, end = month_start(month), month_end(month)
    begin, finish = _moments(start, end)
    report = Gstr1(month=start, gstin=ShopProfile.objects.get_profile().gstin)
    b2cs: dict[tuple, Amounts] = defaultdict(Amounts)
    nil: dict[str, Decimal] = defaultdict(Decimal)

    invoices = (Invoice.objects.filter(_listed(""), status=Invoice.Status.COMPLETED, issued_at__gte=begin,
                                       issued_at__lt=finish)
                .order_by("issued_at", "pk").values("id", "number", "issued_at", "grand_total", "place_of_supply",
                                                    "inter_state", "customer__gstin", "customer__name"))
    invoice_rates = _rates_by_document(_sold_lines(start, end).filter(_listed("invoice__")), "invoice_id")
    _b2cs_sums(_sold_lines(start, end), "invoice__", 1, b2cs, nil)
    for invoice in invoices:
        gstin, day = invoice["customer__gstin"] or "", _local_day(invoice["issued_at"])
        section = _section(gstin=gstin, inter_state=invoice["inter_state"], value=invoice["grand_total"], day=day)
        taxed = []
        for rate, amounts in invoice_rates.get(invoice["id"], []):
            if not rate:
                nil[_nil_type(inter_state=invoice["inter_state"], registered=bool(gstin))] += amounts.taxable
            else:
                taxed.append(RateRow(rate, amounts))
        if taxed:
            getattr(report, section).append(Document(
                number=invoice["number"], date=day, value=invoice["grand_total"],
                place_of_supply=invoice["place_of_supply"], inter_state=invoice["inter_state"], gstin=gstin,
                name=invoice["customer__name"] or "", rates=tuple(taxed)))

    notes = (CreditNote.objects.filter(_listed("invoice__"), issued_at__gte=begin, issued_at__lt=finish)
             .order_by("issued_at", "pk")
             .values("id", "number", "issued_at", "grand_total", "invoice__number", "invoice__issued_at",
                     "invoice__grand_total", "invoice__place_of_supply", "invoice__inter_state",
                     "invoice__customer__gstin", "invoice__customer__name"))
    note_rates = _rates_by_document(_returned_lines(start, end).filter(_listed("credit_note__invoice__")),
                                    "credit_note_id")
    # a B2C credit note lowers the B2CS figures of its state and rate
    _b2cs_sums(_returned_lines(start, end), "credit_note__invoice__", -1, b2cs, nil)
    for note in notes:
        gstin = note["invoice__customer__gstin"] or ""
        inter_state = note["invoice__inter_state"]
        section = _section(gstin=gstin, inter_state=inter_state, value=note["invoice__grand_total"],
                           day=_local_day(note["invoice__issued_at"]))
        taxed = []
        for rate, amounts in note_rates.get(note["id"], []):
            if not rate:
                nil[_nil_type(inter_state=inter_state, registered=bool(gstin))] -= amounts.taxable
            else:
                taxed.append(RateRow(rate, amounts))
        if taxed:
            (report.cdnr if section == "b2b" else report.cdnur).append(Document(
                number=note["number"], date=_local_day(note["issued_at"]), value=note["grand_total"],
                place_of_supply=note["invoice__place_of_supply"], inter_state=inter_state, gstin=gstin,
                name=note["invoice__customer__name"] or "", rates=tuple(taxed),
                invoice_number=note["invoice__number"]))

    report.b2b.sort(key=lambda doc: (doc.gstin, doc.date, doc.number))
    report.cdnr.sort(key=lambda doc: (doc.gstin, doc.date, doc.number))
    report.b2cs = [B2csRow(inter_state, pos, rate, amounts)
                   for (inter_state, pos, rate), amounts in sorted(b2cs.items()) if amounts]
    report.nil = [NilRow(kind, amount.quantize(ZERO)) for kind, amount in sorted(nil.items()) if amount]
    if report.hsn_split:
        report.hsn_b2b = _hsn_rows(start, end, registered=True)
        report.hsn_b2c = _hsn_rows(start, end, registered=False)
    else:
        report.hsn_b2c = _hsn_rows(start, end, registered=None)  # one table before May 2025
    report.documents = documents_issued(start=start, end=end)
    return report


def _series_rows(kind: str, numbers: list[tuple[str, bool]]) -> list[SeriesRow]:
    """Group document numbers by series (the number without its running serial): first, last and counts."""
    series: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
    for number, cancelled in numbers:
        match = _SERIAL.match(number)
        prefix, serial = (match["series"], int(match["serial"])) if match else (number, 0)
        series[prefix].append((serial, number, cancelled))
    rows = []
    for prefix, documents in sorted(series.items()):
        documents.sort()
        rows.append(SeriesRow(kind=kind, series=prefix, first=documents[0][1], last=documents[-1][1],
                              total=len(documents), cancelled=sum(1 for *_rest, cancelled in documents if cancelled)))
    return rows


def documents_issued(*, start: date, end: date) -> list[SeriesRow]:
    """Return the invoice and credit note series used in the period, with the cancelled invoices counted."""
    begin, finish = _moments(start, end)
    invoices = (Invoice.objects.filter(issued_at__gte=begin, issued_at__lt=finish)
                .exclude(status=Invoice.Status.DRAFT).values_list("number", "status"))
    notes = CreditNote.objects.filter(issued_at__gte=begin, issued_at__lt=finish).values_list("number", flat=True)
    return (_series_rows("invoice", [(number, status == Invoice.Status.CANCELLED) for number, status in invoices])
            + _series_rows("credit_note", [(number, False) for number in notes]))


# --- GSTR-3B ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gstr3b:
    """The outward supplies of GSTR-3B table 3.1, net of credit notes, and table 3.2."""

    month: date
    outward_taxable: Amounts  # 3.1(a): other than zero-rated, nil-rated and exempted
    nil_rated: Decimal  # 3.1(c): nil-rated (0%) and exempted
    unregistered_inter_state: list[tuple[str, Amounts]]  # 3.2: by place of supply

    @property
    def total(self) -> Amounts:
        return self.outward_taxable + Amounts(taxable=self.nil_rated)


def gstr3b(*, month: date) -> Gstr3b:
    """Return GSTR-3B's outward supplies of a month (any day of it): its tax liability on sales."""
    start, end = month_start(month), month_end(month)
    sold, returned = _by_rate(start, end)
    taxed = sum((amounts for rate, amounts in sold.items() if rate), Amounts()) - sum(
        (amounts for rate, amounts in returned.items() if rate), Amounts())
    nil = (sold.get(Decimal("0"), Amounts()) - returned.get(Decimal("0"), Amounts())).taxable
    by_state: dict[str, Amounts] = defaultdict(Amounts)
    sold_rows = (_sold_lines(start, end).filter(invoice__inter_state=True, tax_rate__gt=0)
                 .exclude(invoice__customer__gstin__gt="").values("invoice__place_of_supply")
                 .annotate(**_amount_sums()).order_by())
    for row in sold_rows:
        by_state[row["invoice__place_of_supply"]] += Amounts.of(row)
    returned_rows = (_returned_lines(start, end).filter(credit_note__invoice__inter_state=True, tax_rate__gt=0)
                     .exclude(credit_note__invoice__customer__gstin__gt="")
                     .values("credit_note__invoice__place_of_supply").annotate(**_amount_sums()).order_by())
    for row in returned_rows:
        by_state[row["credit_note__invoice__place_of_supply"]] -= Amounts.of(row)
    return Gstr3b(month=start, outward_taxable=taxed, nil_rated=nil,
                  unregistered_inter_state=[(pos, amounts) for pos, amounts in sorted(by_state.items()) if amounts])
