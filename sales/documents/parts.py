"""Pieces both layouts use: number formats, paragraph styles, the logo and the UPI QR code."""

import functools
import io
import logging
from decimal import Decimal

from django.core.files.storage import default_storage
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Paragraph

from sales.documents.fonts import Fonts, fonts, has_devanagari, plain, rich
from sales.qr import qr_runs
from shop.money import format_inr, format_quantity

logger = logging.getLogger(__name__)

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#5f6b7a")
RULE = colors.HexColor("#b8c0cc")
SHADE = colors.HexColor("#eef1f5")
ALERT = colors.HexColor("#c62828")
QR_FORM = "UpiQr"  # the QR is drawn as a PDF form XObject of this name (tests look for it)


def money(amount: Decimal) -> str:
    return plain(format_inr(amount))


def quantity(amount: Decimal) -> str:
    return format_quantity(amount)


def percent(rate: Decimal) -> str:
    return f"{format_quantity(rate)}%"


def style(size: float, *, bold: bool = False, align: str = "left", color=INK, leading: float | None = None,
          shaped: bool = False) -> ParagraphStyle:
    """Return a paragraph style; cached, so each is built once per process (and per set of fonts)."""
    return _style(fonts(), size, bold, align, color, leading, shaped)


@functools.cache
def _style(f: Fonts, size: float, bold: bool, align: str, color, leading: float | None,
           shaped: bool) -> ParagraphStyle:
    alignment = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}[align]
    return ParagraphStyle(
        f"galla-{size}-{bold}-{align}-{color}-{leading}-{shaped}", fontName=f.bold if bold else f.regular,
        fontSize=size, leading=leading or round(size * 1.25, 2), alignment=alignment, textColor=color,
        # HarfBuzz shaping costs time, so only text with Devanagari in it is shaped.
        shaping=1 if shaped else 0, splitLongWords=1)


def para(text: str, size: float, **options) -> Paragraph:
    """Return a paragraph of plain text (escaped; Devanagari runs in their own font and shaped)."""
    return Paragraph(rich(text, options.get("bold", False)), style(size, shaped=has_devanagari(text), **options))


def markup(html: str, size: float, **options) -> Paragraph:
    """Return a paragraph of trusted markup (bold, breaks) built from already-escaped parts."""
    return Paragraph(html, style(size, shaped=has_devanagari(html), **options))


@functools.lru_cache(maxsize=8)
def _logo_bytes(name: str) -> bytes | None:
    """Return the logo shrunk to print size as JPEG bytes, read from storage once per file name."""
    try:
        with default_storage.open(name, "rb") as stored, PILImage.open(stored) as image:
            image.load()
            image.thumbnail((600, 600))
            flat = PILImage.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
    except (OSError, ValueError) as error:
        logger.warning("Shop logo %s could not be read, printing without it: %s", name, error)
        return None
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90)  # JPEG passes through reportlab without re-encoding
    return out.getvalue()


def logo(name: str) -> ImageReader | None:
    data = _logo_bytes(name) if name else None
    return ImageReader(io.BytesIO(data)) if data else None


class LogoFlowable(Flowable):
    """The shop logo, scaled to fit a box and keeping its proportions."""

    def __init__(self, image: ImageReader, max_width: float, max_height: float):
        super().__init__()
        pixels_w, pixels_h = image.getSize()
        scale = min(max_width / pixels_w, max_height / pixels_h)
        self.image, self.width, self.height = image, pixels_w * scale, pixels_h * scale

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.drawImage(self.image, 0, 0, self.width, self.height)


class UpiQr(Flowable):
    """A UPI payment QR code: one filled path (fast to draw) inside a form XObject named QR_FORM."""

    def __init__(self, link: str, size: float, quiet_modules: int = 2):
        super().__init__()
        self.link, self.width, self.height, self.quiet = link, size, size, quiet_modules

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        count, runs = qr_runs(self.link)
        module = self.width / (count + 2 * self.quiet)
        canvas = self.canv
        canvas.beginForm(QR_FORM, 0, 0, self.width, self.height)
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for row, column, length in runs:
            path.rect((column + self.quiet) * module, self.height - (row + self.quiet + 1) * module,
                      length * module, module * 1.02)  # a hair taller so rows do not show seams
        canvas.drawPath(path, stroke=0, fill=1)
        canvas.endForm()
        canvas.doForm(QR_FORM)


def tax_total_rows(document) -> list[tuple[str, str]]:
    """Return the tax lines of a document's totals: taxable value, then IGST or CGST and SGST, then cess."""
    totals = document.totals
    if not document.shows_tax:
        return []
    rows = [("Taxable value", money(totals.taxable))]
    if document.inter_state:
        rows.append(("IGST", money(totals.igst)))
    else:
        rows += [("CGST", money(totals.cgst)), ("SGST", money(totals.sgst))]
    if totals.cess:
        rows.append(("Cess", money(totals.cess)))
    return rows
