"""What a printed sales document says, as plain data; the layouts only arrange it.

An invoice becomes a `Document` here; so does a credit note (title "Credit Note", `references`
naming the invoice it is against, its refunds instead of payments), printed by the same layouts.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from sales.models import CreditNote, Invoice, Payment
from sales.pricing import TaxSummaryRow
from sales.upi import merchant_vpa, upi_payment_link
from sales.words import amount_in_words
from shop.gst import STATE_NAMES
from shop.models import ShopProfile

ZERO = Decimal("0")
BILL_OF_SUPPLY_DECLARATION = "Composition taxable person, not eligible to collect tax on supplies."
AWAITING = "awaiting confirmation"


@dataclass(frozen=True)
class Seller:
    name: str
    address: str
    gstin: str
    phone: str
    email: str
    state: str  # "Maharashtra (27)"
    logo_name: str  # file name in default storage, "" without a logo


@dataclass(frozen=True)
class Party:
    name: str
    phone: str = ""
    gstin: str = ""
    address: str = ""


@dataclass(frozen=True)
class Line:
    position: int
    description: str
    hsn: str
    quantity: Decimal
    unit: str
    rate: Decimal
    discount: Decimal
    taxable: Decimal
    tax_rate: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    cess: Decimal
    total: Decimal


@dataclass(frozen=True)
class PaymentRow:
    method: str
    reference: str
    amount: Decimal
    status: str  # "received", "awaiting confirmation" or "on credit (udhar)"

    @property
    def awaiting(self) -> bool:
        """UPI without a confirmed transaction number yet: not money in until the shop confirms it."""
        return self.status == AWAITING


def payment_status(payment: Payment) -> str:
    if payment.method == Payment.Method.CREDIT:
        return "on credit (udhar)"
    if payment.method == Payment.Method.STORE_CREDIT:
        return "from store credit"
    return AWAITING if payment.status == Payment.Status.AWAITING else "received"


@dataclass(frozen=True)
class OfferRow:
    """What one offer (a discount rule, or a coupon's) took off the bill, and on which lines."""

    name: str  # the rule's name as sold, with the coupon's code when a coupon gave it
    positions: tuple[int, ...]  # the line numbers it took something off
    amount: Decimal

    @property
    def lines_text(self) -> str:
        return ("line " if len(self.positions) == 1 else "lines ") + ", ".join(map(str, self.positions))


def offers_of(invoice_lines: list) -> list[OfferRow]:
    """Return the offers of an invoice's lines (their InvoiceLineDiscount rows), one row per offer in the
    order they first appear, added up exactly. Uses prefetched offers (and their coupons) when present."""
    found: dict[tuple[str, str], tuple[list[int], list[Decimal]]] = {}
    for position, line in enumerate(invoice_lines, 1):
        for offer in line.offers.all():
            code = offer.coupon.code if offer.coupon_id else ""
            positions, amounts = found.setdefault((offer.description, code), ([], []))
            if position not in positions:
                positions.append(position)
            amounts.append(offer.amount)
    return [OfferRow(name=f"{name} (coupon {code})" if code else name, positions=tuple(positions),
                     amount=sum(amounts, ZERO))
            for (name, code), (positions, amounts) in found.items()]


@dataclass(frozen=True)
class Totals:
    gross: Decimal
    discount: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    cess: Decimal
    round_off: Decimal
    grand_total: Decimal

    @property
    def before_round_off(self) -> Decimal:
        """The sum of the line amounts, as stored on the invoice (the grand total less its round off)."""
        return self.grand_total - self.round_off


@dataclass(frozen=True)
class Document:
    title: str  # "Tax Invoice", "Bill of Supply", "Credit Note"
    copy_label: str  # "Original for recipient"
    number: str
    issued_at: datetime  # local time
    seller: Seller
    party: Party | None
    place_of_supply: str  # "Maharashtra (27)"
    inter_state: bool
    shows_tax: bool  # False on a bill of supply: no tax columns or lines at all
    lines: list[Line]
    tax_summary: list[TaxSummaryRow]
    totals: Totals
    amount_in_words: str
    payments: list[PaymentRow] = field(default_factory=list)
    cash_tendered: Decimal = ZERO
    change: Decimal = ZERO
    received: Decimal = ZERO
    balance_due: Decimal = ZERO
    upi_link: str = ""  # payment QR, when something is due and the shop has a UPI ID
    upi_vpa: str = ""
    cancelled: bool = False
    cancel_note: str = ""
    references: list[tuple[str, str]] = field(default_factory=list)  # extra (label, value) under the number
    declaration: str = ""
    notes: str = ""
    number_label: str = "Invoice no."
    barcode: str = ""  # printed as a Code 128 barcode on the receipt: the invoice number, for returns
    credit_note: bool = False  # a credit note prints its refunds where an invoice prints its payments
    refunds: list[PaymentRow] = field(default_factory=list)
    offers: list[OfferRow] = field(default_factory=list)  # the shop's offers inside the discount, by name

    @property
    def has_cess(self) -> bool:
        return any(row.cess for row in self.tax_summary)


def state_label(code: str) -> str:
    return f"{STATE_NAMES.get(code, code)} ({code})" if code else ""


def seller_of(profile: ShopProfile) -> Seller:
    return Seller(name=profile.name, address=profile.address, gstin=profile.gstin, phone=profile.phone,
                  email=profile.email, state=state_label(profile.state), logo_name=profile.logo.name or "")


def tax_summary(lines: list[Line], cess_rates: list[Decimal]) -> list[TaxSummaryRow]:
    """Return one row per (GST rate, cess rate), summing the rounded lines so the rows add up to the totals."""
    groups: dict[tuple[Decimal, Decimal], list[Line]] = defaultdict(list)
    for line, cess_rate in zip(lines, cess_rates, strict=True):
        groups[(line.tax_rate, cess_rate)].append(line)
    return [TaxSummaryRow(tax_rate=rate, cess_rate=cess_rate, taxable=sum((li.taxable for li in rows), ZERO),
                   cgst=sum((li.cgst for li in rows), ZERO), sgst=sum((li.sgst for li in rows), ZERO),
                   igst=sum((li.igst for li in rows), ZERO), cess=sum((li.cess for li in rows), ZERO))
            for (rate, cess_rate), rows in sorted(groups.items())]


def invoice_document(invoice: Invoice, profile: ShopProfile | None = None) -> Document:
    """Return what the invoice's PDF and receipt print. Uses prefetched lines and payments when present."""
    profile = profile or ShopProfile.objects.get_profile()
    invoice_lines = list(invoice.lines.all())
    payments = list(invoice.payments.all())
    lines = [Line(position=n, description=li.description, hsn=li.hsn_code, quantity=li.quantity, unit=li.unit,
                  rate=li.unit_price, discount=li.discount, taxable=li.taxable_value, tax_rate=li.tax_rate,
                  cgst=li.cgst, sgst=li.sgst, igst=li.igst, cess=li.cess, total=li.line_total)
             for n, li in enumerate(invoice_lines, 1)]
    customer = invoice.customer
    party = Party(name=customer.name, phone=customer.phone, gstin=customer.gstin,
                  address=customer.address) if customer else None
    # A cancelled invoice's credit and payments are reversed: nothing is due on it any more.
    balance_due = ZERO if invoice.is_cancelled else invoice.balance_due
    vpa = merchant_vpa(profile)
    upi_link = ""
    if balance_due > 0 and vpa:
        upi_link = upi_payment_link(vpa=vpa, payee_name=profile.name, amount=balance_due,
                                    note=f"Bill {invoice.number}", reference=invoice.number)
    cancel_note = ""
    if invoice.is_cancelled:
        when = timezone.localtime(invoice.cancelled_at).strftime("%d-%m-%Y %H:%M") if invoice.cancelled_at else ""
        cancel_note = " ".join(filter(None, ["Cancelled", f"on {when}" if when else "",
                                             f"— reason: {invoice.cancel_reason}" if invoice.cancel_reason else ""]))
    return Document(
        title="Bill of Supply" if invoice.bill_of_supply else "Tax Invoice",
        copy_label="Original for recipient",
        number=invoice.number,
        issued_at=timezone.localtime(invoice.issued_at),
        seller=seller_of(profile),
        party=party,
        place_of_supply=state_label(invoice.place_of_supply),
        inter_state=invoice.inter_state,
        shows_tax=not invoice.bill_of_supply,
        lines=lines,
        tax_summary=[] if invoice.bill_of_supply else tax_summary(lines, [li.cess_rate for li in invoice_lines]),
        totals=Totals(gross=invoice.gross_total, discount=invoice.discount_total, taxable=invoice.taxable_total,
                      cgst=invoice.cgst_total, sgst=invoice.sgst_total, igst=invoice.igst_total,
                      cess=invoice.cess_total, round_off=invoice.round_off, grand_total=invoice.grand_total),
        amount_in_words=amount_in_words(invoice.grand_total),
        payments=[PaymentRow(method=p.get_method_display(), reference=p.reference, amount=p.amount,
                             status=payment_status(p)) for p in payments],
        cash_tendered=invoice.cash_tendered,
        change=invoice.change_given,
        received=invoice.amount_received,
        balance_due=balance_due,
        upi_link=upi_link,
        upi_vpa=vpa if upi_link else "",
        cancelled=invoice.is_cancelled,
        cancel_note=cancel_note,
        declaration=BILL_OF_SUPPLY_DECLARATION if invoice.bill_of_supply else "",
        notes=invoice.notes,
        barcode=invoice.number,
        offers=offers_of(invoice_lines),
    )


def credit_note_document(credit_note: CreditNote, profile: ShopProfile | None = None) -> Document:
    """Return what a credit note's PDF and receipt print: its lines at the invoice's prices and rates, the
    invoice it is against, and where the money went. Uses prefetched lines when present."""
    profile = profile or ShopProfile.objects.get_profile()
    invoice = credit_note.invoice
    note_lines = list(credit_note.lines.all())
    lines = [Line(position=n, description=li.description, hsn=li.hsn_code, quantity=li.quantity, unit=li.unit,
                  rate=li.unit_price, discount=li.discount, taxable=li.taxable_value, tax_rate=li.tax_rate,
                  cgst=li.cgst, sgst=li.sgst, igst=li.igst, cess=li.cess, total=li.line_total)
             for n, li in enumerate(note_lines, 1)]
    customer = credit_note.customer
    party = Party(name=customer.name, phone=customer.phone, gstin=customer.gstin,
                  address=customer.address) if customer else None
    refunds = []
    if credit_note.khata_amount:
        refunds.append(PaymentRow(method="Taken off the khata", reference="", amount=credit_note.khata_amount,
                                  status="credited"))
    if credit_note.store_credit_back:
        refunds.append(PaymentRow(method="Back to store credit", reference="", amount=credit_note.store_credit_back,
                                  status="credited"))
    if credit_note.refund_amount:
        label = {CreditNote.RefundMethod.CASH: "Cash refund", CreditNote.RefundMethod.UPI: "UPI refund",
                 CreditNote.RefundMethod.STORE_CREDIT: "Store credit"}.get(credit_note.refund_method,
                                                                           credit_note.get_refund_method_display())
        refunds.append(PaymentRow(method=label, reference=credit_note.refund_reference,
                                  amount=credit_note.refund_amount, status="refunded"))
    sold_on = timezone.localtime(invoice.issued_at)
    return Document(
        title="Credit Note",
        copy_label="Original for recipient",
        number=credit_note.number,
        number_label="Credit note no.",
        issued_at=timezone.localtime(credit_note.issued_at),
        seller=seller_of(profile),
        party=party,
        place_of_supply=state_label(invoice.place_of_supply),
        inter_state=invoice.inter_state,
        shows_tax=not invoice.bill_of_supply,
        lines=lines,
        tax_summary=[] if invoice.bill_of_supply else tax_summary(lines, [li.cess_rate for li in note_lines]),
        totals=Totals(gross=credit_note.gross_total, discount=credit_note.discount_total,
                      taxable=credit_note.taxable_total, cgst=credit_note.cgst_total, sgst=credit_note.sgst_total,
                      igst=credit_note.igst_total, cess=credit_note.cess_total, round_off=credit_note.round_off,
                      grand_total=credit_note.grand_total),
        amount_in_words=amount_in_words(credit_note.grand_total),
        references=[("Against invoice", invoice.number), ("Invoice date", f"{sold_on:%d-%m-%Y}")],
        declaration=BILL_OF_SUPPLY_DECLARATION if invoice.bill_of_supply else "",
        notes=credit_note.reason,
        credit_note=True,
        refunds=refunds,
    )
