"""The day book printed on A4: totals per method and kind, the cash in the drawer per day, then every entry.

Built from the invoice's building blocks (sales.documents): Mukta with ₹ and Devanagari, the same
colours, paragraph styles and "Page n of N" footer, so the shop's papers look alike.
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Spacer, Table, TableStyle

from ledger.selectors import DayBook, entry_kind_text
from sales.documents.fonts import fonts, rich
from sales.documents.model import seller_of
from sales.documents.pages import BOTTOM_MARGIN, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TOP_MARGIN, NumberedCanvas, on_page
from sales.documents.parts import ALERT, INK, MUTED, RULE, SHADE, markup, money, para
from shop.models import ShopProfile, User

WIDTH = PAGE_WIDTH - 2 * MARGIN
SIZE = 7.5
PAD = 2.5


@dataclass(frozen=True)
class PrintedHeading:
    """What the shared page furniture (footer, running header) reads off a printed document."""

    title: str
    number: str  # here: the days printed
    seller: object
    cancelled: bool = False


def _days(book: DayBook) -> str:
    if book.start == book.end:
        return f"{book.start:%d-%m-%Y}"
    return f"{book.start:%d-%m-%Y} to {book.end:%d-%m-%Y}"


def ruled_table(rows: list[list], widths: list[float], *, right_from: int, bold_last: bool = False,
          alerts: list[tuple[int, int]] = ()) -> Table:
    """Return a ruled table with a shaded header row; columns from right_from on are right-aligned amounts."""
    f = fonts()
    commands = [
        ("FONT", (0, 0), (-1, -1), f.regular, SIZE), ("FONT", (0, 0), (-1, 0), f.bold, SIZE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
    ]
    if bold_last:
        commands += [("FONT", (0, -1), (-1, -1), f.bold, SIZE), ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE)]
    for column, row in alerts:
        commands.append(("TEXTCOLOR", (column, row), (column, row), ALERT))
    return Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=TableStyle(commands))


def _header(book: DayBook, profile: ShopProfile, printed_by: User) -> Table:
    left = [para(profile.name, 14, bold=True, leading=17)]
    if profile.address:
        left.append(markup("<br/>".join(rich(line) for line in profile.address.splitlines()), 8))
    if profile.gstin:
        left.append(markup(f"GSTIN: <b>{rich(profile.gstin)}</b>", 8, color=MUTED))
    who = printed_by.get_full_name() or printed_by.get_username()
    right = [para("DAY BOOK", 14, bold=True, align="right", leading=17),
             para(_days(book), 10, bold=True, align="right"),
             para(f"Printed {timezone.localtime():%d-%m-%Y %H:%M} by {who}", 7.5, align="right", color=MUTED)]
    return Table([[left, right]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 1, INK),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _totals(book: DayBook) -> Table:
    half = (WIDTH - 6 * mm) / 2
    methods = [["Payment method", "Total"], *[[label, money(amount)] for label, amount in book.method_rows()],
               ["Net (money in − money out)", money(book.total)]]
    kinds = [["Kind", "Total"], *[[label, money(amount)] for label, amount in book.kind_rows() if amount],
             ["Net", money(book.total)]]
    column = [half * 0.62, half * 0.38]
    return Table([[ruled_table(methods, column, right_from=1, bold_last=True),
                   ruled_table(kinds, column, right_from=1, bold_last=True)]],
                 colWidths=[half + 6 * mm, half], style=[("VALIGN", (0, 0), (-1, -1), "TOP"),
                                                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                                         ("RIGHTPADDING", (0, 0), (-1, -1), 0)])


def _signed(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return f"+{money(amount)}" if amount > 0 else money(amount)


def _cash_position(book: DayBook) -> list:
    if not book.cash_days:
        return []
    rows = [["Day", "Opening", "Cash in", "Cash out", "Expected", "Counted", "Difference", "Status"]]
    alerts = []
    for index, day in enumerate(book.cash_days, start=1):
        rows.append([f"{day.day:%d-%m-%Y}", money(day.opening), money(day.cash_in), money(day.cash_out),
                     money(day.expected), money(day.counted) if day.is_closed else "—", _signed(day.difference),
                     "Closed" if day.is_closed else "Open"])
        if day.difference:
            alerts.append((6, index))
    widths = [WIDTH * share for share in (0.12, 0.13, 0.13, 0.13, 0.13, 0.13, 0.13, 0.10)]
    return [para("Cash in the drawer: opening + cash in − cash out = expected", 9, bold=True), Spacer(1, 3),
            ruled_table(rows, widths, right_from=1, alerts=alerts), Spacer(1, 8)]


def _entries(book: DayBook) -> list:
    rows = [["Date", "Time", "Kind", "Method", "Reference", "By", "Amount"]]
    alerts = []
    several_days = book.start != book.end
    for index, entry in enumerate(book.entries.iterator(chunk_size=2000), start=1):
        by = (entry.created_by.get_full_name() or entry.created_by.get_username()) if entry.created_by else ""
        reference = " · ".join(part for part in (entry.reference, entry.note) if part)
        rows.append([f"{entry.date:%d-%m}" if several_days else f"{entry.date:%d-%m-%Y}",
                     f"{timezone.localtime(entry.created_at):%H:%M}", para(entry_kind_text(entry), SIZE),
                     str(entry.get_method_display()), para(reference, SIZE), para(by, SIZE), _signed(entry.amount)])
        if entry.amount < 0:
            alerts.append((6, index))
    if len(rows) == 1:
        return [para("No entries.", 9, color=MUTED)]
    rows.append(["", "", "", "", "", "Net", money(book.total)])
    widths = [WIDTH * share for share in (0.09, 0.07, 0.2, 0.09, 0.3, 0.12, 0.13)]
    return [para(f"Entries ({len(rows) - 2})", 9, bold=True), Spacer(1, 3),
            ruled_table(rows, widths, right_from=6, bold_last=True, alerts=alerts)]


def day_book_pdf(book: DayBook, *, profile: ShopProfile, printed_by: User) -> bytes:
    """Return the day book as an A4 PDF."""
    heading = PrintedHeading(title="Day book", number=_days(book), seller=seller_of(profile))
    story = [_header(book, profile, printed_by), Spacer(1, 8), KeepTogether([_totals(book)]), Spacer(1, 8),
             *_cash_position(book), *_entries(book)]
    out = io.BytesIO()
    template = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP_MARGIN,
                               bottomMargin=BOTTOM_MARGIN, title=f"Day book {heading.number}", author=profile.name,
                               invariant=1)
    frame = Frame(MARGIN, BOTTOM_MARGIN, WIDTH, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(frames=[frame], onPage=lambda canvas, _: on_page(canvas, heading))])
    template.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, document=heading, **kwargs))
    return out.getvalue()
