"""The A4 layout of a tax invoice (or bill of supply, or later a credit note), with reportlab platypus."""

import io
from collections.abc import Callable
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Spacer, Table, TableStyle

from sales.documents.fonts import fonts, rich
from sales.documents.model import Document, Line
from sales.documents.pages import BOTTOM_MARGIN, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TOP_MARGIN, NumberedCanvas, on_page
from sales.documents.parts import (
    ALERT,
    INK,
    MUTED,
    RULE,
    SHADE,
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
from sales.pricing import TaxSummaryRow

WIDTH = PAGE_WIDTH - 2 * MARGIN
TABLE_SIZE = 7.5
TABLE_SIZES = (7.5, 7, 6.5, 6)  # crore-sized amounts shrink the table text rather than overflow the page
PAD = 2.5
MIN_DESCRIPTION_WIDTH = 70


def _signed(amount: Decimal) -> str:
    return f"+{money(amount)}" if amount > 0 else money(amount)


# (header, cell text, right-aligned); the description column is built separately as a paragraph.
Column = tuple[str, Callable[[Line], str], bool]


def _columns(document: Document) -> list[Column]:
    columns: list[Column] = [
        ("HSN", lambda li: li.hsn, False),
        ("Qty", lambda li: quantity(li.quantity), True),
        ("Unit", lambda li: li.unit, False),
        ("Rate", lambda li: money(li.rate), True),
        ("Disc.", lambda li: money(li.discount) if li.discount else "", True),
    ]
    if document.shows_tax:
        columns += [("Taxable\nvalue", lambda li: money(li.taxable), True),
                    ("GST", lambda li: percent(li.tax_rate), True)]
        if document.inter_state:
            columns.append(("IGST", lambda li: money(li.igst), True))
        else:
            columns += [("CGST", lambda li: money(li.cgst), True), ("SGST", lambda li: money(li.sgst), True)]
        if document.has_cess:
            columns.append(("Cess", lambda li: money(li.cess), True))
    columns.append(("Amount", lambda li: money(li.total), True))
    return columns


def _fit_widths(rows: list[list[str]], bold_rows: set[int], size: float = TABLE_SIZE,
                last_size: float | None = None) -> list[float]:
    """Return column widths that fit the widest text of each column (plain-text cells only).

    last_size: the font size of the last row, when it is printed larger (a bold balance line).
    """
    f = fonts()
    widths = [0.0] * len(rows[0])
    for index, row in enumerate(rows):
        font = f.bold if index in bold_rows else f.regular
        row_size = last_size if last_size and index == len(rows) - 1 else size
        for column, text in enumerate(row):
            widest = max(stringWidth(part, font, row_size) for part in text.split("\n")) if text else 0
            widths[column] = max(widths[column], widest + 2 * PAD + 0.5)
    return widths


def _fit(rows: list[list[str]], bold_rows: set[int], available: float) -> tuple[float, list[float]]:
    """Return the largest table font size (7.5 down to 6) whose columns fit, and their widths."""
    for size in TABLE_SIZES:
        widths = _fit_widths(rows, bold_rows, size)
        if sum(widths) <= available:
            break
    return size, widths


def _line_table(document: Document) -> Table:
    columns = _columns(document)
    header = ["#", *[name for name, _, _ in columns]]
    body = [[str(li.position), *[cell(li) for _, cell, _ in columns]] for li in document.lines]
    totals = document.totals
    total_cells = {"Disc.": money(totals.discount) if totals.discount else "", "Taxable\nvalue": money(totals.taxable),
                   "IGST": money(totals.igst), "CGST": money(totals.cgst), "SGST": money(totals.sgst),
                   "Cess": money(totals.cess), "Amount": money(totals.before_round_off)}
    footer = ["", *[total_cells.get(name, "") for name, _, _ in columns]]
    size, widths = _fit([header, *body, footer], {0, len(body) + 1}, WIDTH - MIN_DESCRIPTION_WIDTH)
    widths.insert(1, max(WIDTH - sum(widths), MIN_DESCRIPTION_WIDTH))
    descriptions = [para(li.description, size) for li in document.lines]
    data = [[header[0], "Description", *header[1:]]]
    data += [[row[0], description, *row[1:]] for row, description in zip(body, descriptions, strict=True)]
    data.append([footer[0], "Total", *footer[1:]])
    f = fonts()
    last = len(data) - 1
    commands = [
        ("FONT", (0, 0), (-1, -1), f.regular, size),
        ("FONT", (0, 0), (-1, 0), f.bold, size),
        ("FONT", (0, last), (-1, last), f.bold, size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("BACKGROUND", (0, last), (-1, last), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, RULE),
        ("LINEABOVE", (0, last), (-1, last), 0.6, RULE),
        ("LINEBELOW", (0, 1), (-1, last - 1), 0.25, RULE),
        ("ALIGN", (0, 0), (0, -1), "RIGHT"),
    ]
    for index, (_, _, right) in enumerate(columns, start=2):
        if right:
            commands.append(("ALIGN", (index, 0), (index, -1), "RIGHT"))
    return Table(data, colWidths=widths, repeatRows=1, style=TableStyle(commands), hAlign="LEFT")


def _header(document: Document) -> Table:
    seller = document.seller
    left = [para(seller.name, 15, bold=True, leading=18)]
    if seller.address:
        left.append(markup("<br/>".join(rich(part) for part in seller.address.splitlines()), 8.5))
    # GSTIN and state on one line, phone and email on the next, so no line ends in a dangling separator.
    for parts in ([f"GSTIN: <b>{rich(seller.gstin)}</b>" if seller.gstin else "",
                   f"State: {rich(seller.state)}" if seller.state else ""],
                  [f"Phone: {rich(seller.phone)}" if seller.phone else "", rich(seller.email)]):
        if any(parts):
            left.append(markup(" &nbsp;·&nbsp; ".join(filter(None, parts)), 8.5, color=MUTED))
    image = logo(seller.logo_name)
    if image is not None:
        left = [Table([[LogoFlowable(image, 22 * mm, 22 * mm), left]], colWidths=[25 * mm, None],
                      style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])]
    right = [para(document.title.upper(), 14, bold=True, align="right", leading=17),
             para(document.copy_label, 8, align="right", color=MUTED),
             Spacer(1, 4),
             markup(f"{rich(document.number_label)} <b>{rich(document.number)}</b>", 9.5, align="right"),
             para(f"Date: {document.issued_at:%d-%m-%Y %H:%M}", 9, align="right")]
    right += [markup(f"{rich(label)}: <b>{rich(value)}</b>", 9, align="right")
              for label, value in document.references]
    return Table([[left, right]], colWidths=[WIDTH * 0.62, WIDTH * 0.38], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 1, INK),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _party(document: Document) -> Table:
    party = document.party
    if party is None:
        left = [para("Bill to", 7.5, color=MUTED), para("Walk-in customer", 9.5, bold=True)]
    else:
        left = [para("Bill to", 7.5, color=MUTED), para(party.name, 9.5, bold=True)]
        if party.address:
            left.append(markup("<br/>".join(rich(p) for p in party.address.splitlines()), 8.5))
        extra = [f"GSTIN: <b>{rich(party.gstin)}</b>" if party.gstin else "",
                 f"Phone: {rich(party.phone)}" if party.phone else ""]
        if any(extra):
            left.append(markup(" &nbsp;·&nbsp; ".join(filter(None, extra)), 8.5))
    right = [para("Place of supply", 7.5, color=MUTED, align="right"),
             para(document.place_of_supply, 9.5, bold=True, align="right"),
             para("Inter-state supply (IGST)" if document.inter_state else "Intra-state supply", 8.5,
                  align="right", color=MUTED)]
    if not document.shows_tax:
        right[-1] = para("Composition scheme", 8.5, align="right", color=MUTED)
    return Table([[left, right]], colWidths=[WIDTH * 0.62, WIDTH * 0.38], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _tax_summary(document: Document, width: float) -> Table:
    tax_columns = ["IGST"] if document.inter_state else ["CGST", "SGST"]
    header = ["GST rate", "Taxable value", *tax_columns, "Cess", "Total tax"]

    def amounts(row: TaxSummaryRow) -> list[str]:
        taxes = [row.igst] if document.inter_state else [row.cgst, row.sgst]
        return [money(row.taxable), *map(money, taxes), money(row.cess), money(row.tax)]

    def rate(row: TaxSummaryRow) -> str:
        return f"{percent(row.tax_rate)} + {percent(row.cess_rate)} cess" if row.cess_rate else percent(row.tax_rate)

    totals = document.totals
    taxes = [totals.igst] if document.inter_state else [totals.cgst, totals.sgst]
    data = [header, *[[rate(row), *amounts(row)] for row in document.tax_summary],
            ["Total", money(totals.taxable), *map(money, taxes), money(totals.cess),
             money(sum(taxes, totals.cess))]]
    f = fonts()
    size, widths = _fit(data, {0, len(data) - 1}, width)
    spare = max(width - sum(widths), 0) / len(widths)
    return Table(data, colWidths=[w + spare for w in widths], hAlign="LEFT", style=[
        ("FONT", (0, 0), (-1, -1), f.regular, size), ("FONT", (0, 0), (-1, 0), f.bold, size),
        ("FONT", (0, -1), (-1, -1), f.bold, size), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE)])


def _totals(document: Document, width: float) -> Table:
    totals = document.totals
    rows: list[tuple[str, str]] = []
    if totals.discount:
        rows.append(("Discount given (included)", money(totals.discount)))
    rows += tax_total_rows(document) or [("Total", money(totals.before_round_off))]
    total_label = "Credit total" if document.credit_note else "Grand total"
    rows += [("Round off", _signed(totals.round_off)), (total_label, money(totals.grand_total))]
    f = fonts()
    return Table([list(row) for row in rows], colWidths=[width * 0.55, width * 0.45], hAlign="RIGHT", style=[
        ("FONT", (0, 0), (-1, -1), f.regular, 8.5), ("FONT", (0, -1), (-1, -1), f.bold, 11),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("LINEABOVE", (0, -1), (-1, -1), 1, INK), ("BACKGROUND", (0, -1), (-1, -1), SHADE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, -1), (-1, -1), 4), ("BOTTOMPADDING", (0, -1), (-1, -1), 5)])


def _offers(document: Document, width: float) -> list:
    """The offers inside the discount: which discount rule or coupon took how much off which lines."""
    if not document.offers:
        return []
    f = fonts()
    rows = [["Offers applied", "On", "Saved"]]
    rows += [[offer.name, offer.lines_text, money(offer.amount)] for offer in document.offers]
    widths = _fit_widths(rows, {0}, size=8)
    widths[0] = max(width - widths[1] - widths[2], 0)
    names = [[para(row[0], 8), *row[1:]] for row in rows[1:]]
    return [Table([rows[0], *names], colWidths=widths, hAlign="LEFT", style=[
        ("FONT", (0, 0), (-1, -1), f.regular, 8), ("FONT", (0, 0), (-1, 0), f.bold, 8),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD)]), Spacer(1, 5)]


def _summary(document: Document) -> Table:
    left_width, right_width = WIDTH * 0.6, WIDTH * 0.4
    left = [_tax_summary(document, left_width - 6 * mm), Spacer(1, 5)] if document.shows_tax else []
    left += _offers(document, left_width - 6 * mm)
    left += [para("Amount in words", 7.5, color=MUTED), para(document.amount_in_words, 9, bold=True)]
    return Table([[left, _totals(document, right_width)]], colWidths=[left_width, right_width], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 8)])


def _payments(document: Document, width: float) -> list:
    f = fonts()
    rows = [["Payment", "Reference", "Status", "Amount"]]
    for payment in document.payments:
        rows.append([payment.method, payment.reference or "—", payment.status, money(payment.amount)])
    if document.cash_tendered and document.change:
        rows += [["Cash given", "", "", money(document.cash_tendered)],
                 ["Change returned", "", "", money(document.change)]]
    rows += [["Received", "", "", money(document.received)], ["Balance due", "", "", money(document.balance_due)]]
    widths = _fit_widths(rows, {0, len(rows) - 1}, size=8, last_size=9.5)
    spare = max(width - sum(widths), 0)
    widths[1] += spare
    commands = [
        ("FONT", (0, 0), (-1, -1), f.regular, 8), ("FONT", (0, 0), (-1, 0), f.bold, 8),
        ("FONT", (0, -1), (-1, -1), f.bold, 9.5), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, -2), (-1, -2), 0.6, RULE), ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5), ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD)]
    for index, payment in enumerate(document.payments, start=1):
        if payment.awaiting:
            commands.append(("TEXTCOLOR", (2, index), (2, index), ALERT))
    if document.balance_due > 0:
        commands.append(("TEXTCOLOR", (0, -1), (-1, -1), ALERT))
    return [Table(rows, colWidths=widths, hAlign="LEFT", style=commands)]


def _qr(document: Document) -> list:
    if not document.upi_link:
        return []
    return [UpiQr(document.upi_link, 30 * mm),
            para(f"Scan to pay {money(document.balance_due)}", 8, bold=True, align="center"),
            para(f"UPI: {document.upi_vpa}", 7, align="center", color=MUTED)]


def _payments_and_qr(document: Document) -> Table:
    qr_width = 36 * mm
    left = _payments(document, WIDTH - qr_width - 8 * mm)
    return Table([[left, _qr(document)]], colWidths=[WIDTH - qr_width, qr_width], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 8)])


def _refunds(document: Document) -> Table:
    """Where a credit note's value went: off the khata, back in cash or UPI, or as store credit."""
    f = fonts()
    rows = [["Refund", "Reference", "Amount"]]
    rows += [[refund.method, refund.reference or "—", money(refund.amount)] for refund in document.refunds]
    rows.append(["Total credited", "", money(document.totals.grand_total)])
    widths = _fit_widths(rows, {0, len(rows) - 1}, size=8, last_size=9.5)
    widths[1] += max(WIDTH * 0.6 - sum(widths), 0)
    return Table(rows, colWidths=widths, hAlign="LEFT", style=[
        ("FONT", (0, 0), (-1, -1), f.regular, 8), ("FONT", (0, 0), (-1, 0), f.bold, 8),
        ("FONT", (0, -1), (-1, -1), f.bold, 9.5), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE), ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD)])


def _closing(document: Document) -> Table:
    left = []
    if document.declaration:
        left.append(para(document.declaration, 8, bold=True))
    if document.notes:
        left.append(para(f"{'Reason' if document.credit_note else 'Note'}: {document.notes}", 8))
    noun = "credit note" if document.credit_note else "invoice"
    left.append(para(f"This is a computer-generated {noun}.", 7.5, color=MUTED))
    right = [para(f"For {document.seller.name}", 8.5, bold=True, align="right"), Spacer(1, 9 * mm),
             para("Authorised signatory", 8, align="right", color=MUTED)]
    return Table([[left, right]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 10)])


def _cancelled_banner(document: Document) -> Table:
    return Table([[para(f"CANCELLED — {document.cancel_note}", 10, bold=True, color=ALERT)]], colWidths=[WIDTH],
                 style=[("BOX", (0, 0), (-1, -1), 1.2, ALERT), ("TOPPADDING", (0, 0), (-1, -1), 4),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def render_a4(document: Document) -> bytes:
    """Return the A4 PDF of a document."""
    story = [_header(document), _party(document)]
    if document.cancelled:
        story += [_cancelled_banner(document), Spacer(1, 6)]
    settlement = [Spacer(1, 8), _refunds(document)] if document.credit_note else [_payments_and_qr(document)]
    story += [_line_table(document), KeepTogether([_summary(document)]), KeepTogether(settlement),
              KeepTogether([_closing(document)])]
    out = io.BytesIO()
    template = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN,
        title=f"{document.title} {document.number}", author=document.seller.name, invariant=1)
    frame = Frame(MARGIN, BOTTOM_MARGIN, WIDTH, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(frames=[frame], onPage=lambda canvas, _: on_page(canvas, document))])
    template.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, document=document, **kwargs))
    return out.getvalue()
