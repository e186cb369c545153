"""Fonts of the printed documents: script runs, Hindi shaping, and what happens when a font is missing."""

import io
import subprocess
from decimal import Decimal

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.ttfonts import shapeStr

from sales.checks import check_pdf_fonts
from sales.documents import invoice_pdf
from sales.documents.fonts import DEVA, DEVA_BOLD, fonts, rich
from sales.documents.parts import para
from sales.services import checkout
from tests import factories

D = Decimal


def deva(text: str, font: str = DEVA) -> str:
    return f'<font name="{font}">{text}</font>'


@pytest.mark.parametrize(("text", "markup"), [
    ("Tata Salt 1 kg", "Tata Salt 1 kg"),
    ("बासमती चावल (Basmati rice)", f"{deva('बासमती')} {deva('चावल')} (Basmati rice)"),
    ("(तूर)", deva("(तूर)")),  # brackets the Devanagari font has stay in its run
    ("दाल, 1 kg", f"{deva('दाल,')} 1 kg"),
    ("चावल(Basmati", f"{deva('चावल(')} Basmati"),  # a word mixing scripts is split: each run shapes on its own
    ("दाल&चावल", f"{deva('दाल')} &amp; {deva('चावल')}"),  # "&" is not in the Devanagari font
    ("Salt & <Pepper>", "Salt &amp; &lt;Pepper&gt;"),
    ("₹50", "₹50"),
])
def test_text_is_split_into_runs_by_script(text, markup):
    assert rich(text) == markup


def test_bold_hindi_uses_the_bold_devanagari_face():
    assert rich("तूर दाल", bold=True) == f"{deva('तूर', DEVA_BOLD)} {deva('दाल', DEVA_BOLD)}"


@pytest.mark.parametrize("word", ["क्ष", "त्र", "श्री", "हिन्दी"])
def test_hindi_conjuncts_and_vowel_signs_are_shaped_by_harfbuzz(word):
    shaped = shapeStr(word, fonts().devanagari, 10)
    # HarfBuzz replaces the letters with the font's conjunct and reordered matra glyphs.
    assert str(shaped) != word and hasattr(shaped, "__shapeData__")


def test_only_paragraphs_with_hindi_pay_for_shaping():
    assert para("तूर दाल", 8).style.shaping == 1
    assert para("Toor dal", 8).style.shaping == 0


@pytest.mark.django_db
def test_without_the_latin_font_bills_print_rs_in_helvetica_not_boxes(settings, shop, stocked, cashier):
    settings.PDF_FONT_FILES = {"latin": "/nonexistent/DejaVuSans.ttf", "latin-bold": "/nonexistent/Bold.ttf"}
    assert fonts().rupee == "Rs."
    salt = stocked(name="Tata Salt 1 kg", selling_price=D("28"), tax_rate=factories.tax_rate("0"))
    invoice = checkout(cashier=cashier, lines=[{"product": salt, "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("28")}])
    pdf = invoice_pdf(invoice)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Rs.28.00" in text and "₹" not in text
    page_fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    assert {str(page_fonts[key].get_object()["/BaseFont"]) for key in page_fonts} <= {"/Helvetica",
                                                                                       "/Helvetica-Bold"}


def test_font_check_warns_about_a_missing_font(settings):
    settings.PDF_FONT_FILES = {"devanagari": "/nonexistent/NotoSansDevanagari-Regular.ttf"}
    warnings = check_pdf_fonts(None)
    assert [w.id for w in warnings] == ["galla.W001"]
    assert "Hindi" in warnings[0].msg and "fonts-noto-core" in warnings[0].hint


def test_font_check_is_quiet_when_the_fonts_are_installed():
    assert check_pdf_fonts(None) == []
