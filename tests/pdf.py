"""Read PDFs the way a person or a program would, with PyPI wheels only (no poppler on the machine).

pypdfium2 carries PDFium, the PDF engine of Chromium: its text is what a reader copies from the page and
its pictures are what the page shows, and it names the font each character is drawn in. pypdf reads the
file's structure (images, page sizes) and is a second, independent text extractor.
"""

import ctypes
import io
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from PIL import Image
from pypdf import PdfReader


def pdfium_text(pdf: bytes) -> str:
    """Return the text of every page as PDFium extracts it."""
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def pypdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def render_page(pdf: bytes, *, dpi: int, number: int = 1) -> Image.Image:
    """Return one page drawn by PDFium as an RGB picture."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[number - 1].render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        document.close()


@dataclass(frozen=True)
class PageFont:
    name: str  # the font's PostScript name without its subset tag: "Mukta-Regular"
    embedded: bool  # the PDF carries the font file, so every viewer and printer draws the same glyphs


def drawn_fonts(pdf: bytes) -> set[PageFont]:
    """Return the font of every character on the pages, as PDFium draws them."""
    found = set()
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            textpage = page.get_textpage()
            for index in range(raw.FPDFText_CountChars(textpage.raw)):
                text_object = raw.FPDFText_GetTextObject(textpage.raw, index)
                if not text_object:
                    continue  # a line break PDFium adds between text lines
                font = raw.FPDFTextObj_GetFont(text_object)
                size = raw.FPDFFont_GetBaseFontName(font, None, 0)
                name = ctypes.create_string_buffer(size)
                raw.FPDFFont_GetBaseFontName(font, name, size)
                found.add(PageFont(name.value.decode().split("+")[-1], bool(raw.FPDFFont_GetIsEmbedded(font))))
    finally:
        document.close()
    return found
