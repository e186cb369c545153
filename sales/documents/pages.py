"""What every A4 page carries besides its content: the footer with "Page n of N", the running header
after page 1, and the CANCELLED watermark."""

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sales.documents.fonts import fonts, plain
from sales.documents.model import Document
from sales.documents.parts import ALERT, INK, MUTED, RULE

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 12 * mm
TOP_MARGIN = 16 * mm  # room for the running header on pages after the first
BOTTOM_MARGIN = 16 * mm


class NumberedCanvas(Canvas):
    """Keeps each page until the document is complete, then stamps "Page n of N" on every one."""

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        self._document = document
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        count = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            footer(self, self._document, number, count)
            super().showPage()
        super().save()


def footer(canvas: Canvas, document: Document, number: int, count: int) -> None:
    f = fonts()
    canvas.saveState()
    canvas.setFont(f.regular, 7.5)
    canvas.setFillColor(MUTED)
    canvas.setStrokeColor(RULE)
    canvas.line(MARGIN, BOTTOM_MARGIN - 5 * mm, PAGE_WIDTH - MARGIN, BOTTOM_MARGIN - 5 * mm)
    canvas.drawString(MARGIN, BOTTOM_MARGIN - 9 * mm,
                      plain(f"{document.seller.name} · GSTIN {document.seller.gstin}" if document.seller.gstin
                            else document.seller.name))
    canvas.drawRightString(PAGE_WIDTH - MARGIN, BOTTOM_MARGIN - 9 * mm,
                           f"{document.title} {document.number} · Page {number} of {count}")
    canvas.restoreState()


def on_page(canvas: Canvas, document: Document) -> None:
    """Draw what sits under each page's content: the CANCELLED watermark and, after page 1, a running header."""
    f = fonts()
    if document.cancelled:
        canvas.saveState()
        canvas.setFillColor(ALERT, alpha=0.16)
        canvas.setFont(f.bold, 96)
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -34, "CANCELLED")
        canvas.restoreState()
    if canvas.getPageNumber() > 1:
        canvas.saveState()
        canvas.setFont(f.bold, 8.5)
        canvas.setFillColor(INK)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 10 * mm, plain(document.seller.name))
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 10 * mm,
                               f"{document.title} {document.number} (continued)")
        canvas.restoreState()
