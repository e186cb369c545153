"""A GST return printed on A4: the shop, the month, then each section's table with its totals.

Built from the invoice's building blocks (sales.documents), like the day book: Mukta with ₹ and
Devanagari, the same colours and the "Page n of N" footer.
"""

import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Spacer, Table, TableStyle

from reports.gst_tables import MONEY, NUMBER_KINDS, TEXT, WRAP
from reports.gst_tables import Table as ReturnTable
from sales.documents.fonts import fonts, rich
from sales.documents.model import seller_of
from sales.documents.pages import BOTTOM_MARGIN, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TOP_MARGIN, NumberedCanvas, on_page
from sales.documents.parts import INK, MUTED, RULE, SHADE, markup, para
from shop.models import ShopProfile, User

WIDTH = PAGE_WIDTH - 2 * MARGIN
PAD = 2


@dataclass(frozen=True)
class _Heading:
    """What the shared page furniture (footer, running header) reads off a printed document."""

    title: str
    number: str  # here: the month
    seller: object
    cancelled: bool = False


def _header(title: str, period: str, profile: ShopProfile, printed_by: User) -> Table:
    left = [para(profile.name, 14, bold=True, leading=17)]
    if profile.address:
        left.append(markup("<br/>".join(rich(line) for line in profile.address.splitlines()), 8))
    left.append(markup(f"GSTIN: <b>{rich(profile.gstin or 'not registered')}</b>", 8, color=MUTED))
    who = printed_by.get_full_name() or printed_by.get_username()
    right = [para(title.upper(), 14, bold=True, align="right", leading=17), para(period, 10, bold=True, align="right"),
             para(f"Printed {timezone.localtime():%d-%m-%Y %H:%M} by {who}", 7.5, align="right", color=MUTED)]
    return Table([[left, right]], colWidths=[WIDTH * 0.6, WIDTH * 0.4], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 1, INK),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _size(table: ReturnTable) -> float:
    columns = len(table.columns)
    return 7 if columns <= 8 else 6 if columns <= 12 else 5.5


def _grid(table: ReturnTable) -> Table:
    """Return a section as a ruled table: shaded headers, amounts right-aligned, the totals in bold."""
    f, size = fonts(), _size(table)
    rows = [[para(header, size, bold=True, align="right" if kind in NUMBER_KINDS else "left")
             for header, kind in table.columns]]
    for row in [*table.shown_rows, *([table.shown_totals] if table.totals else [])]:
        rows.append([para(text, size, align="right" if css == "galla-amount" else "left") for text, css in row])
    # codes, numbers and dates need their width on one line; names and descriptions may wrap
    weight = [{MONEY: 1.6, WRAP: 1.8, TEXT: 2.2}.get(kind, 1.0) for kind in table.kinds]
    widths = [WIDTH * share / sum(weight) for share in weight]
    commands = [
        ("FONT", (0, 0), (-1, -1), f.regular, size), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
    ]
    if table.totals:
        commands += [("BACKGROUND", (0, -1), (-1, -1), SHADE), ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE)]
    return Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=TableStyle(commands))


def _section(table: ReturnTable) -> list:
    heading = [para(table.title, 9, bold=True), Spacer(1, 3)]
    if not table.rows:
        return [KeepTogether([*heading, para("Nothing to report.", 8, color=MUTED)]), Spacer(1, 8)]
    return [*heading, _grid(table), Spacer(1, 8)]


def gst_return_pdf(*, title: str, period: str, tables: list[ReturnTable], profile: ShopProfile,
                   printed_by: User) -> bytes:
    """Return a GST return's tables as an A4 PDF."""
    heading = _Heading(title=title, number=period, seller=seller_of(profile))
    story = [_header(title, period, profile, printed_by), Spacer(1, 8)]
    for table in tables:
        story += _section(table)
    out = io.BytesIO()
    template = BaseDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP_MARGIN,
                               bottomMargin=BOTTOM_MARGIN, title=f"{title} {period}", author=profile.name,
                               invariant=1)
    frame = Frame(MARGIN, BOTTOM_MARGIN, WIDTH, PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(frames=[frame], onPage=lambda canvas, _: on_page(canvas, heading))])
    template.build(story, canvasmaker=lambda *args, **kwargs: NumberedCanvas(*args, document=heading, **kwargs))
    return out.getvalue()
