"""A report printed on A4, with the invoice's building blocks (sales.documents): Mukta with ₹ and Devanagari,
the same colours and "Page n of N" footer. Wide reports print in landscape."""

import io
from dataclasses import dataclass

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Spacer, Table, TableStyle

from reports.pages import NUMERIC, ReportTable, cell_text
from sales.documents.fonts import fonts, plain, rich
from sales.documents.model import seller_of
from sales.documents.pages import BOTTOM_MARGIN, MARGIN, TOP_MARGIN
from sales.documents.parts import INK, MUTED, RULE, SHADE, markup, para
from shop.models import ShopProfile, User

SIZE = 7.5
PAD = 2.5


@dataclass(frozen=True)
class _Heading:
    """What the shared page footer reads off a printed document."""

    title: str
    number: str  # here: the period printed
    seller: object
    cancelled: bool = False


def _header(*, title: str, period: str, filters: str, profile: ShopProfile, printed_by: User, width: float) -> Table:
    left = [para(profile.name, 14, bold=True, leading=17)]
    if profile.address:
        left.append(markup("<br/>".join(rich(line) for line in profile.address.splitlines()), 8))
    if profile.gstin:
        left.append(markup(f"GSTIN: <b>{rich(profile.gstin)}</b>", 8, color=MUTED))
    who = printed_by.get_full_name() or printed_by.get_username()
    right = [para(title.upper(), 13, bold=True, align="right", leading=16)]
    if period:
        right.append(para(period, 10, bold=True, align="right"))
    if filters:
        right.append(para(filters, 8, align="right"))
    right.append(para(f"Printed {timezone.localtime():%d-%m-%Y %H:%M} by {who}", 7.5, align="right", color=MUTED))
    return Table([[left, right]], colWidths=[width * 0.5, width * 0.5], style=[
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("LINEBELOW", (0, 0), (-1, -1), 1, INK),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _widths(table: ReportTable, width: float) -> list[float]:
    """Text columns get twice the room of number columns."""
    shares = [1 if column.kind in NUMERIC else 2 for column in table.columns]
    return [width * share / sum(shares) for share in shares]


def _grid(table: ReportTable, width: float) -> Table:
    f = fonts()
    header = [para(str(column.label), SIZE, bold=True, align="right" if column.kind in NUMERIC else "left")
              for column in table.columns]
    body = [[para(cell_text(value, column.kind), SIZE, align="right" if column.kind in NUMERIC else "left")
             for value, column in zip(row, table.columns, strict=True)]
            for row in [*table.rows, *([table.totals] if table.totals else [])]]
    commands = [
        ("FONT", (0, 0), (-1, -1), f.regular, SIZE), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD), ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
    ]
    if table.totals:
        body[-1] = [para(cell_text(value, column.kind), SIZE, bold=True,
                         align="right" if column.kind in NUMERIC else "left")
                    for value, column in zip(table.totals, table.columns, strict=True)]
        commands += [("BACKGROUND", (0, -1), (-1, -1), SHADE), ("LINEABOVE", (0, -1), (-1, -1), 0.6, RULE)]
    return Table([header, *body], colWidths=_widths(table, width), repeatRows=1, hAlign="LEFT",
                 style=TableStyle(commands))


def report_pdf(table: ReportTable, *, title: str, period: str, filters: str, profile: ShopProfile,
               printed_by: User, wide: bool = False) -> bytes:
    """Return a report as an A4 PDF (landscape when wide)."""
    page_width, page_height = landscape(A4) if wide else A4
    width = page_width - 2 * MARGIN
    heading = _Heading(title=title, number=period, seller=seller_of(profile))
    story = [_header(title=title, period=period, filters=filters, profile=profile, printed_by=printed_by,
                     width=width), Spacer(1, 6)]
    if table.note:
        story += [para(table.note, 8, color=MUTED), Spacer(1, 6)]
    story.append(_grid(table, width) if table.rows else para("Nothing to show for this period.", 9, color=MUTED))
    out = io.BytesIO()
    template = BaseDocTemplate(out, pagesize=(page_width, page_height), leftMargin=MARGIN, rightMargin=MARGIN,
                               topMargin=TOP_MARGIN, bottomMargin=BOTTOM_MARGIN, title=plain(f"{title} {period}"),
                               author=profile.name, invariant=1)
    frame = Frame(MARGIN, BOTTOM_MARGIN, width, page_height - TOP_MARGIN - BOTTOM_MARGIN, leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    template.addPageTemplates([PageTemplate(
        frames=[frame], onPage=lambda canvas, _: _continued(canvas, heading, page_width, page_height))])
    template.build(story, canvasmaker=lambda *args, **kwargs: _Canvas(*args, document=heading,
                                                                      page_width=page_width, **kwargs))
    return out.getvalue()


def _continued(canvas, heading: _Heading, page_width: float, page_height: float) -> None:
    """After page 1, a running header with the shop and the report's title."""
    if canvas.getPageNumber() == 1:
        return
    f = fonts()
    canvas.saveState()
    canvas.setFont(f.bold, 8.5)
    canvas.setFillColor(INK)
    canvas.drawString(MARGIN, page_height - 10 * mm, plain(heading.seller.name))
    canvas.drawRightString(page_width - MARGIN, page_height - 10 * mm,
                           plain(f"{heading.title} {heading.number} (continued)"))
    canvas.restoreState()


class _Canvas(Canvas):
    """Keeps each page until the report is complete, then stamps the footer with "Page n of N" on every one
    (the invoice's footer, drawn across a portrait or landscape page)."""

    def __init__(self, *args, document: _Heading, page_width: float, **kwargs):
        super().__init__(*args, **kwargs)
        self._document = document
        self._page_width = page_width
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        count = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(number, count)
            super().showPage()
        super().save()

    def _footer(self, number: int, count: int) -> None:
        seller, right = self._document.seller, self._page_width - MARGIN
        self.saveState()
        self.setFont(fonts().regular, 7.5)
        self.setFillColor(MUTED)
        self.setStrokeColor(RULE)
        self.line(MARGIN, BOTTOM_MARGIN - 5 * mm, right, BOTTOM_MARGIN - 5 * mm)
        self.drawString(MARGIN, BOTTOM_MARGIN - 9 * mm,
                        plain(f"{seller.name} · GSTIN {seller.gstin}" if seller.gstin else seller.name))
        self.drawRightString(right, BOTTOM_MARGIN - 9 * mm,
                             plain(f"{self._document.title} {self._document.number} · Page {number} of {count}"))
        self.restoreState()
