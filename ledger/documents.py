"""Printed khata documents, built from the invoice's building blocks (sales.documents): the A4 customer
statement and the 80 mm receipt of a repayment, as PDF bytes. Same fonts (Mukta: ₹ and Hindi names),
colours, page footer and UPI QR as the invoices."""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from ledger.models import CreditEntry
from ledger.selectors import Statement, entry_particulars, khata_upi_link
from sales.documents.fonts import fonts, rich
from sales.documents.model import Seller, seller_of
from sales.documents.pages import BOTTOM_MARGIN, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TOP_MARGIN, NumberedCanvas, on_page
from sales.documents.parts import ALERT, INK, MUTED, RULE, SHADE, LogoFlowable, UpiQr, logo, markup, money, para
from sales.documents.receipt import MARGIN_X, MARGIN_Y, SIZE
from sales.documents.receipt import PAGE_WIDTH as RECEIPT_WIDTH
from sales.documents.receipt import WIDTH as RECEIPT_PRINTABLE
from sales.documents.receipt import _pairs as receipt_pairs
from sales.documents.receipt import _rule as receipt_rule
from sales.upi import merchant_vpa
from shop.models import ShopProfile
from shop.money import money_sum

WIDTH = PAGE_WIDTH - 2 * MARGIN
ZERO = Decimal("0")


@dataclass(frozen=True)
class PageLabels:
    """What the invoice's page furniture (footer, running header, watermark) prints for a khata document."""

    seller: Seller
    title: str
    number: str
    cancelled: bool = False


def _date(day) -> str:
    return day.strftime("%d-%m-%Y")


# --- The statement (A4) -----------------------------------------------------------------------------------------


def _statement_header(statement: Statement, seller: Seller) -> Table:
    left = [para(seller.name, 15, bold=True, leading=18)]
    if seller.address:
        left.append(markup("<br/>".join(rich(part) for part in seller.address.splitlines()), 8.5))
    for parts in ([f"GSTIN: <b>{rich(seller.gstin)}</b>" if seller.gstin else "",
                   f"State: {rich(seller.state)}" if seller.state else ""],
                  [f"Phone: {rich(seller.phone)}" if seller.phone else "", rich(seller.email)]):
        if any(parts):
            left.append(markup(" &nbsp;·&nbsp; ".join(filter(None, parts)), 8.5, color=MUTED))
    image = logo(seller.logo_name)
    if image is not None:
        left = [Table([[LogoFlowable(image, 22 * mm, 22 * mm), left]], colWidths=[25 * mm, None],
                      style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])]
    right = [para("STATEMENT OF ACCOUNT", 14, bold=True, align="right", leading=17),
             para("Udhar khata", 8, align="right", color=MUTED), Spacer(1, 4),
             markup(f"Period: <b>{_date(statement.start)}</b> to <b>{_date(statement.end)}</b>", 9.5, align="right"),
             para(f"Printed: {timezone.localtime():%d-%m-%Y %H:%M}", 9, align="right")]
    return Table([[left, right]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 1, INK),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _statement_party(statement: Statement) -> Table:
    customer = statement.customer
    left = [para("Customer", 7.5, color=MUTED), para(customer.name, 11, bold=True)]
    if customer.address:
        left.append(markup("<br/>".join(rich(p) for p in customer.address.splitlines()), 8.5))
    extra = [f"Phone: {rich(customer.phone)}" if customer.phone else "",
             f"GSTIN: <b>{rich(customer.gstin)}</b>" if customer.gstin else ""]
    if any(extra):
        left.append(markup(" &nbsp;·&nbsp; ".join(filter(None, extra)), 8.5))
    closing = statement.closing
    label = "Balance due" if closing > 0 else ("Paid in advance" if closing < 0 else "Nothing due")
    right = [para(label, 7.5, color=MUTED, align="right"),
             para(money(abs(closing)), 16, bold=True, align="right", leading=20,
                  color=ALERT if closing > 0 else INK),
             para(f"as of {_date(statement.end)}", 8.5, align="right", color=MUTED)]
    return Table([[left, right]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])


def _statement_table(statement: Statement) -> Table:
    size = 8
    header = ["Date", "Particulars", "Reference", "Debit", "Credit", "Balance"]
    rows: list[list] = [header, [_date(statement.start), para("Balance brought forward", size, bold=True), "", "", "",
                                 money(statement.opening)]]
    for line in statement.lines:
        entry = line.entry
        particulars = entry_particulars(entry) + (f" — {entry.note}" if entry.note else "")
        rows.append([_date(line.day), para(particulars, size), para(entry.reference, size),
                     money(line.debit) if line.debit else "", money(line.credit) if line.credit else "",
                     money(line.balance)])
    rows.append(["", para("Closing balance", size, bold=True), "", money(statement.total_debit),
                 money(statement.total_credit), money(statement.closing)])
    f = fonts()
    widths = [18 * mm, None, 30 * mm, 24 * mm, 24 * mm, 26 * mm]
    widths[1] = WIDTH - sum(w for w in widths if w)
    last = len(rows) - 1
    return Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=[
        ("FONT", (0, 0), (-1, -1), f.regular, size), ("FONT", (0, 0), (-1, 0), f.bold, size),
        ("FONT", (0, last), (-1, last), f.bold, size), ("FONT", (-1, 1), (-1, 1), f.bold, size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("BACKGROUND", (0, last), (-1, last), SHADE), ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE), ("LINEBELOW", (0, 1), (-1, last - 1), 0.25, RULE),
        ("LINEABOVE", (0, last), (-1, last), 0.6, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])


def _ageing_and_qr(statement: Statement, profile: ShopProfile) -> Table:
    f = fonts()
    ageing = statement.ageing
    rows = [["Owed for", "Amount"], *[[label, money(amount)] for label, amount in ageing.buckets]]
    if ageing.advance:
        rows.append(["Paid in advance", f"-{money(ageing.advance)}"])
    rows.append(["Balance", money(ageing.balance)])
    left = [para(f"Ageing on {_date(ageing.as_of)} (payments settle the oldest debts first)", 8, color=MUTED),
            Spacer(1, 3),
            Table(rows, colWidths=[40 * mm, 30 * mm], hAlign="LEFT", style=[
                ("FONT", (0, 0), (-1, -1), f.regular, 8.5), ("FONT", (0, 0), (-1, 0), f.bold, 8.5),
                ("FONT", (0, -1), (-1, -1), f.bold, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)])]
    link = khata_upi_link(statement.customer, amount=statement.closing, profile=profile)
    right = []
    if link:
        right = [UpiQr(link, 32 * mm), para(f"Scan to pay {money(statement.closing)}", 8.5, bold=True,
                                            align="center"),
                 para(f"UPI: {merchant_vpa(profile)}", 7, align="center", color=MUTED)]
    return Table([[left, right]], colWidths=[WIDTH - 40 * mm, 40 * mm], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 10)])


def statement_pdf(statement: Statement, profile: ShopProfile | None = None) -> bytes:
    """Return the A4 PDF of a customer's statement: opening balance, each entry with its running balance,
    closing balance, ageing and, when something is due, a UPI QR for exactly that."""
    profile = profile or ShopProfile.objects.get_profile()
    seller = seller_of(profile)
    # The footer is drawn without text shaping, so it names the customer by phone (or number), not by name.
    customer = statement.customer
    labels = PageLabels(seller=seller, title="Statement", number=f"{customer.phone or f'#{customer.pk}'} "
                        f"{_date(statement.start)} to {_date(statement.end)}")
    closing = [para("This is a computer-generated statement. Please tell us of any difference within 7 days.",
                    7.5, color=MUTED)]
    story = [_statement_header(statement, seller), _statement_party(statement), _statement_table(statement),
             KeepTogether([_ageing_and_qr(statement, profile)]), Spacer(1, 8), *closing]
    out = io.BytesIO()
    template = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN,
        title=f"Statement {statement.customer.name}", author=seller.name, invariant=1)
    frame = Frame(MARGIN, BOTTOM_MARGIN, WIDTH, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(frames=[frame], onPage=lambda canvas, _: on_page(canvas, labels))])
    template.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, document=labels, **kwargs))
    return out.getvalue()


# --- The repayment receipt (80 mm) ------------------------------------------------------------------------------


def balance_after(entry: CreditEntry) -> Decimal:
    """Return what the customer owed right after this entry was posted."""
    earlier = Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lte=entry.pk)
    return money_sum(entry.customer.credit_entries.filter(earlier), "amount")


def receipt_number(entry: CreditEntry) -> str:
    return f"KR-{entry.pk:06d}"


def _receipt_story(entry: CreditEntry, profile: ShopProfile) -> list[Flowable]:
    seller = seller_of(profile)
    customer = entry.customer
    story: list[Flowable] = []
    image = logo(seller.logo_name)
    if image is not None:
        story += [LogoFlowable(image, 40 * mm, 14 * mm), Spacer(1, 2)]
    story.append(para(seller.name, 11, bold=True, align="center", leading=13.5))
    story += [para(line, SIZE, align="center") for line in seller.address.splitlines() if line.strip()]
    if seller.gstin:
        story.append(para(f"GSTIN: {seller.gstin}", SIZE, bold=True, align="center"))
    if seller.phone:
        story.append(para(f"Phone: {seller.phone}", SIZE, align="center"))
    story += [Spacer(1, 3), para("PAYMENT RECEIPT", 9.5, bold=True, align="center"),
              para("Udhar khata repayment", 6.5, align="center", color=MUTED)]
    reversal = CreditEntry.objects.filter(reverses=entry).first()
    if reversal is not None:
        story += [Spacer(1, 3), Table([[para("REVERSED", 14, bold=True, align="center", color=ALERT)],
                                       [para(f"on {timezone.localtime(reversal.created_at):%d-%m-%Y %H:%M}"
                                             f" — {reversal.note}", SIZE, align="center", color=ALERT)]],
                                      colWidths=[RECEIPT_PRINTABLE], style=[("BOX", (0, 0), (-1, -1), 1.2, ALERT)])]
    when = timezone.localtime(entry.created_at)
    story += [receipt_rule(), receipt_pairs([(f"No: {receipt_number(entry)}", f"{when:%d-%m-%Y %H:%M}")]),
              para(f"Customer: {customer.name}" + (f" ({customer.phone})" if customer.phone else ""), SIZE),
              receipt_rule()]
    method = entry.get_method_display() + (f" {entry.reference}" if entry.reference else "")
    after = balance_after(entry)
    story += [receipt_pairs([("Balance before", money(after - entry.amount)), (f"Paid by {method}", "")]),
              receipt_pairs([("RECEIVED", money(-entry.amount))], bold_last=True), receipt_rule(),
              receipt_pairs([("Balance now", money(after))], alert_last=after > 0)]
    if entry.note:
        story.append(para(entry.note, SIZE))
    if entry.created_by:
        story.append(para(f"Received by {entry.created_by.get_full_name() or entry.created_by.get_username()}",
                          6.5, color=MUTED))
    story += [receipt_rule(), para("Thank you!", SIZE + 0.5, bold=True, align="center")]
    return story


def receipt_pdf(entry: CreditEntry, profile: ShopProfile | None = None) -> bytes:
    """Return the 80 mm receipt of a repayment, one page fitted to its content (as the invoice receipt)."""
    profile = profile or ShopProfile.objects.get_profile()
    story = _receipt_story(entry, profile)
    measured = []
    for flowable in story:
        width, height = flowable.wrap(RECEIPT_PRINTABLE, 10_000)
        measured.append((flowable, width, height, flowable.getSpaceBefore(), flowable.getSpaceAfter()))
    page_height = 2 * MARGIN_Y + sum(h + before + after for _, _, h, before, after in measured)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(RECEIPT_WIDTH, page_height), invariant=1)
    canvas.setTitle(f"Payment receipt {receipt_number(entry)}")
    canvas.setAuthor(profile.name)
    y = page_height - MARGIN_Y
    for flowable, width, height, before, after in measured:
        y -= before + height
        narrow = width < RECEIPT_PRINTABLE and not isinstance(flowable, HRFlowable)
        flowable.drawOn(canvas, MARGIN_X + (RECEIPT_PRINTABLE - width) / 2 if narrow else MARGIN_X, y)
        y -= after
    canvas.showPage()
    canvas.save()
    return out.getvalue()
