"""The 80 mm thermal receipt: one page exactly as tall as its content.

Each flowable is measured at the printable width, the page is made that tall, and the flowables
are drawn top-down straight onto the canvas (no frames, so nothing can spill onto a second page).
"""

import io

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from sales.documents.fonts import fonts, rich
from sales.documents.model import Document
from sales.documents.parts import (
    ALERT,
    INK,
    MUTED,
    LogoFlowable,
    UpiQr,
    logo,
    markup,
    money,
    para,
    percent,
    quantity,
    tax_total_rows,
)

PAGE_WIDTH = 80 * mm
MARGIN_X = 4 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN_X  # 72 mm printable
MARGIN_Y = 4 * mm
SIZE = 7.5


def _rule() -> HRFlowable:
    return HRFlowable(width="100%", thickness=0.5, color=INK, dash=(1.5, 1.5), spaceBefore=3, spaceAfter=3)


def _pairs(rows: list[tuple[str, str]], *, size: float = SIZE, bold_last: bool = False,
           alert_last: bool = False) -> Table:
    """Return a label/amount table across the receipt, amounts right-aligned."""
    f = fonts()
    commands = [("FONT", (0, 0), (-1, -1), f.regular, size), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)]
    if bold_last:
        commands += [("FONT", (0, -1), (-1, -1), f.bold, size + 2.5), ("TOPPADDING", (0, -1), (-1, -1), 3)]
    if alert_last:
        commands += [("TEXTCOLOR", (0, -1), (-1, -1), ALERT), ("FONT", (0, -1), (-1, -1), f.bold, size)]
    return Table([list(row) for row in rows], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=commands)


def _header(document: Document) -> list[Flowable]:
    seller, story = document.seller, []
    image = logo(seller.logo_name)
    if image is not None:
        story += [LogoFlowable(image, 40 * mm, 14 * mm), Spacer(1, 2)]
    story.append(para(seller.name, 11, bold=True, align="center", leading=13.5))
    story += [para(line, SIZE, align="center") for line in seller.address.splitlines() if line.strip()]
    if seller.gstin:
        story.append(para(f"GSTIN: {seller.gstin}", SIZE, bold=True, align="center"))
    if seller.phone:
        story.append(para(f"Phone: {seller.phone}", SIZE, align="center"))
    story += [Spacer(1, 3), para(document.title.upper(), 9.5, bold=True, align="center"),
              para(document.copy_label, 6.5, align="center", color=MUTED)]
    if document.cancelled:
        story += [Spacer(1, 3), Table([[para("CANCELLED", 14, bold=True, align="center", color=ALERT)],
                                       [para(document.cancel_note, SIZE, align="center", color=ALERT)]],
                                      colWidths=[WIDTH], style=[("BOX", (0, 0), (-1, -1), 1.2, ALERT)])]
    story += [_rule(), _pairs([(f"No: {document.number}", f"{document.issued_at:%d-%m-%Y %H:%M}")])]
    story += [_pairs([(label, value)]) for label, value in document.references]
    party = document.party
    if party is not None:
        story.append(para(f"Customer: {party.name}" + (f" ({party.phone})" if party.phone else ""), SIZE))
        if party.gstin:
            story.append(para(f"GSTIN: {party.gstin}", SIZE))
        if party.address:
            story.append(para(party.address.replace("\n", ", "), SIZE))
        story.append(para(f"Place of supply: {document.place_of_supply}", SIZE))
    return story


def _lines(document: Document) -> Table:
    """Each line: its description across the receipt, then "qty unit × rate" and the amount."""
    f = fonts()
    rows, commands = [], [("FONT", (0, 0), (-1, -1), f.regular, SIZE), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                          ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                          ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                          ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
    for line in document.lines:
        top = len(rows)
        rows.append([para(f"{line.position}. {line.description}", SIZE + 0.5, bold=True), ""])
        commands.append(("SPAN", (0, top), (1, top)))
        detail = f"{quantity(line.quantity)} {line.unit} × {money(line.rate)}"
        if document.shows_tax:
            detail += f"  GST {percent(line.tax_rate)}"
        rows.append([detail, money(line.total)])
        if line.discount:
            rows.append([f"  discount {money(line.discount)}", ""])
            commands.append(("TEXTCOLOR", (0, len(rows) - 1), (0, len(rows) - 1), MUTED))
        commands.append(("BOTTOMPADDING", (0, len(rows) - 1), (-1, len(rows) - 1), 3))
    widest = max((stringWidth(money(line.total), f.regular, SIZE) for line in document.lines), default=0)
    amount_width = max(WIDTH * 0.3, widest + 2)
    return Table(rows, colWidths=[WIDTH - amount_width, amount_width], style=commands)


def _totals(document: Document) -> list[Flowable]:
    totals = document.totals
    count = len(document.lines)
    rows = [(f"{count} item{'s' if count != 1 else ''}", "")]
    if totals.discount:
        rows.append(("Discount" if document.credit_note else "You saved", money(totals.discount)))
        # Of which, by offer: a long rule name wraps instead of running under the amount.
        rows += [(markup(f"&nbsp;&nbsp;{rich(offer.name)}", SIZE - 0.5, color=MUTED), money(offer.amount))
                 for offer in document.offers]
    rows += tax_total_rows(document)
    sign = "+" if totals.round_off > 0 else ""
    total_label = "CREDIT TOTAL" if document.credit_note else "GRAND TOTAL"
    rows += [("Round off", f"{sign}{money(totals.round_off)}"), (total_label, money(totals.grand_total))]
    return [_pairs(rows, bold_last=True), para(document.amount_in_words, 6.5, color=MUTED)]


def _tax_summary(document: Document) -> list[Flowable]:
    if not document.shows_tax:
        return [para(document.declaration, 6.5, align="center")] if document.declaration else []
    f = fonts()
    taxes = ["IGST"] if document.inter_state else ["CGST", "SGST"]
    rows = [["GST", "Taxable", *taxes]]
    for row in document.tax_summary:
        amounts = [row.igst] if document.inter_state else [row.cgst, row.sgst]
        rows.append([percent(row.tax_rate), money(row.taxable), *map(money, amounts)])
    size = SIZE - 1
    return [_rule(), Table(rows, colWidths=[WIDTH * 0.16] + [WIDTH * 0.84 / (len(rows[0]) - 1)] * (len(rows[0]) - 1),
                           style=[("FONT", (0, 0), (-1, -1), f.regular, size), ("FONT", (0, 0), (-1, 0), f.bold, size),
                                  ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                  ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)])]


def _payments(document: Document) -> list[Flowable]:
    rows = []
    for payment in document.payments:
        label = payment.method + (f" {payment.reference}" if payment.reference else "")
        rows.append((label, money(payment.amount)))
        if payment.awaiting:
            rows.append(("  awaiting confirmation", ""))
    if document.cash_tendered and document.change:
        rows += [("Cash given", money(document.cash_tendered)), ("Change", money(document.change))]
    rows.append(("Balance due", money(document.balance_due)))
    story: list[Flowable] = [_rule(), _pairs(rows, alert_last=document.balance_due > 0)]
    if document.upi_link:
        story += [Spacer(1, 4), UpiQr(document.upi_link, 34 * mm),
                  para(f"Scan to pay {money(document.balance_due)}", SIZE, bold=True, align="center"),
                  para(f"UPI: {document.upi_vpa}", 6.5, align="center", color=MUTED)]
    return story


def _refunds(document: Document) -> list[Flowable]:
    rows = [(refund.method + (f" {refund.reference}" if refund.reference else ""), money(refund.amount))
            for refund in document.refunds]
    rows.append(("Total credited", money(document.totals.grand_total)))
    return [_rule(), _pairs(rows)]


class InvoiceBarcode(Flowable):
    """The invoice number as a Code 128 barcode with the number under it: scanned at the Returns screen."""

    HEIGHT = 10 * mm

    def __init__(self, value: str):
        super().__init__()
        self.value = value
        self.barcode = code128.Code128(value, barHeight=self.HEIGHT, barWidth=0.3 * mm, humanReadable=False,
                                       quiet=False)
        self.width, self.height = self.barcode.width, self.HEIGHT + 3 * mm

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.barcode.drawOn(self.canv, 0, 3 * mm)
        self.canv.setFont(fonts().regular, 6.5)
        self.canv.drawCentredString(self.width / 2, 0.5 * mm, self.value)


def _barcode(document: Document) -> list[Flowable]:
    if not document.barcode:
        return []
    return [Spacer(1, 4), InvoiceBarcode(document.barcode)]


def _story(document: Document) -> list[Flowable]:
    closing = [_rule(), para("Thank you! Please visit again.", SIZE + 0.5, bold=True, align="center")]
    if document.notes:
        notes = f"Reason: {document.notes}" if document.credit_note else document.notes
        closing.insert(1, para(notes, SIZE, align="center"))
    settlement = _refunds(document) if document.credit_note else _payments(document)
    return [*_header(document), _rule(), _lines(document), _rule(), *_totals(document), *_tax_summary(document),
            *settlement, *closing, *_barcode(document)]


def render_receipt(document: Document) -> bytes:
    """Return the 80 mm receipt PDF of a document, one page fitted to its content."""
    story = _story(document)
    measured = []
    for flowable in story:
        width, height = flowable.wrap(WIDTH, 10_000)
        measured.append((flowable, width, height, flowable.getSpaceBefore(), flowable.getSpaceAfter()))
    page_height = 2 * MARGIN_Y + sum(h + before + after for _, _, h, before, after in measured)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(PAGE_WIDTH, page_height), invariant=1)
    canvas.setTitle(f"{document.title} {document.number}")
    canvas.setAuthor(document.seller.name)
    y = page_height - MARGIN_Y
    for flowable, width, height, before, after in measured:
        y -= before + height
        # Centre what is narrower than the receipt (QR, logo); HRFlowable draws its own width.
        x = MARGIN_X + (WIDTH - width) / 2 if width < WIDTH and not isinstance(flowable, HRFlowable) else MARGIN_X
        flowable.drawOn(canvas, x, y)
        y -= after
    canvas.showPage()
    canvas.save()
    return out.getvalue()
