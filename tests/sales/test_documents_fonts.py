"""Fonts of the printed documents: Mukta from PyPI by default, script runs for a configured pair of fonts, Hindi
shaping, and what happens when a font cannot be loaded."""

import re
from decimal import Decimal
from pathlib import Path

import fontpkg
import fontpkg_mukta
import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import shapeStr

from sales.checks import check_pdf_fonts
from sales.documents import invoice_pdf
from sales.documents.fonts import fonts, reset_fonts, rich
from sales.documents.parts import para
from sales.services import checkout
from tests import factories
from tests.pdf import PageFont, drawn_fonts, pdfium_text

D = Decimal
# Bitstream Vera ships inside reportlab: a Latin-only font that every machine with the requirements has.
VERA = Path(reportlab.__file__).parent / "fonts"


@pytest.fixture
def fresh_fonts(monkeypatch):
    """Resolve the fonts again inside the test, and again after it (the patches are undone by then)."""
    reset_fonts()
    yield monkeypatch
    reset_fonts()


@pytest.fixture
def vera_and_mukta(settings):
    """A shop that prints Latin in Vera and leaves Devanagari to Mukta: two faces, so text goes in runs."""
    settings.PDF_FONT_FILES = {"latin": str(VERA / "Vera.ttf"), "latin-bold": str(VERA / "VeraBd.ttf")}
    return fonts()


def deva(text: str, bold: bool = False) -> str:
    f = fonts()
    return f'<font name="{f.devanagari_bold if bold else f.devanagari}">{text}</font>'


def font_file(name: str) -> Path:
    return Path(pdfmetrics.getFont(name).face.filename)


def test_bills_print_in_mukta_from_the_fontpkg_package_and_no_system_font():
    f = fonts()
    assert font_file(f.regular) == fontpkg.path("Mukta") == fontpkg_mukta.ROOT / "files" / "Mukta-Regular.ttf"
    assert font_file(f.bold) == fontpkg.path("Mukta", weight=700)
    # One family draws Latin, Devanagari and ₹, so nothing needs a second font.
    assert f.devanagari is None and f.rupee == "₹"


@pytest.mark.parametrize("text", ["बासमती चावल (Basmati rice)", "चावल(Basmati", "दाल&चावल", "₹50 तूर"])
def test_with_mukta_text_stays_in_one_face_and_mixed_words_are_not_split(text):
    assert rich(text) == text.replace("&", "&amp;")
    assert rich(text, bold=True) == text.replace("&", "&amp;")


def test_only_paragraphs_with_hindi_pay_for_shaping():
    assert para("तूर दाल", 8).style.shaping == 1
    assert para("Toor dal", 8).style.shaping == 0


@pytest.mark.parametrize("word", ["क्ष", "त्र", "श्री", "हिन्दी"])
def test_hindi_conjuncts_and_vowel_signs_are_shaped_by_harfbuzz(word):
    shaped = shapeStr(word, fonts().regular, 10)
    # HarfBuzz replaces the letters with the font's conjunct and reordered matra glyphs.
    assert str(shaped) != word and hasattr(shaped, "__shapeData__")


@pytest.mark.parametrize(("text", "markup"), [
    ("Tata Salt 1 kg", "Tata Salt 1 kg"),
    ("बासमती चावल (Basmati rice)", "{बासमती} {चावल} (Basmati rice)"),
    ("(तूर)", "{(तूर)}"),  # brackets the Devanagari face has stay in its run
    ("दाल, 1 kg", "{दाल,} 1 kg"),
    ("चावल(Basmati", "{चावल(Basmati}"),  # Mukta draws the Latin letters too: the word shapes in one face
    ("दालΩ", "{दाल} Ω"),  # Ω is not in Mukta: it goes to the Latin face, split off so each run shapes alone
    ("Salt & <Pepper>", "Salt &amp; &lt;Pepper&gt;"),
    ("₹50", "Rs.50"),  # Vera has no ₹
])
def test_with_a_separate_latin_font_text_is_split_into_runs_by_script(vera_and_mukta, text, markup):
    assert vera_and_mukta.devanagari is not None
    assert rich(text) == re.sub(r"\{(.*?)\}", lambda run: deva(run.group(1)), markup)  # {run} in the Devanagari face


def test_bold_hindi_uses_the_bold_face_of_the_separate_devanagari_font(vera_and_mukta):
    assert rich("तूर दाल", bold=True) == f"{deva('तूर', bold=True)} {deva('दाल', bold=True)}"
    assert font_file(vera_and_mukta.devanagari_bold) == fontpkg.path("Mukta", weight=700)


@pytest.mark.django_db
def test_invoice_draws_latin_in_the_configured_font_and_hindi_in_mukta(vera_and_mukta, shop, stocked, cashier):
    rice = stocked(name="बासमती चावल (Basmati rice)", selling_price=D("120"), tax_rate=factories.tax_rate("5"))
    invoice = checkout(cashier=cashier, lines=[{"product": rice, "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("120")}])
    pdf = invoice_pdf(invoice)
    assert {font.name for font in drawn_fonts(pdf)} == {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold",
                                                         "Mukta-Regular"}
    assert "बासमती चावल" in pdfium_text(pdf)


def _not_installed(*args, **kwargs):
    raise fontpkg.FamilyNotInstalled("mukta")


def _corrupt_file(tmp_path):
    broken = tmp_path / "Mukta-Regular.ttf"
    broken.write_bytes(b"not a font")
    return lambda *args, **kwargs: broken


@pytest.mark.parametrize("breakage", ["not-installed", "corrupt-file"])
@pytest.mark.django_db
def test_with_the_font_package_broken_bills_print_rs_in_helvetica_and_the_check_says_so(
        fresh_fonts, tmp_path, shop, stocked, cashier, breakage):
    fresh_fonts.setattr(fontpkg, "path", _not_installed if breakage == "not-installed" else _corrupt_file(tmp_path))
    assert (fonts().regular, fonts().rupee) == ("Helvetica", "Rs.")
    salt = stocked(name="Tata Salt 1 kg", selling_price=D("28"), tax_rate=factories.tax_rate("0"))
    invoice = checkout(cashier=cashier, lines=[{"product": salt, "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("28")}])
    pdf = invoice_pdf(invoice)
    text = pdfium_text(pdf)
    assert "Rs.28.00" in text and "₹" not in text
    assert drawn_fonts(pdf) == {PageFont("Helvetica", embedded=False), PageFont("Helvetica-Bold", embedded=False)}
    [warning] = check_pdf_fonts(None)
    assert warning.id == "galla.W001" and "fontpkg-mukta" in warning.msg
    assert "'Rs.' instead of the ₹ sign" in warning.msg and "Hindi product names print as empty boxes" in warning.msg
    assert "pip install" in warning.hint


def test_font_check_warns_about_a_configured_font_that_cannot_be_read_and_prints_with_mukta(settings):
    settings.PDF_FONT_FILES = {"devanagari": "/nonexistent/NotoSansDevanagari-Regular.ttf"}
    warnings = check_pdf_fonts(None)
    assert [w.id for w in warnings] == ["galla.W003"]
    assert "PDF_FONT_FILES['devanagari']" in warnings[0].msg and "Mukta" in warnings[0].msg
    assert fonts().devanagari is None and font_file(fonts().regular) == fontpkg.path("Mukta")


def test_font_check_is_quiet_with_the_requirements_installed():
    assert check_pdf_fonts(None) == []


def test_without_the_bold_file_bold_text_prints_in_the_regular_face_and_the_check_says_so(fresh_fonts):
    packaged = fontpkg.path

    def regular_only(name, weight=400, **kwargs):
        if weight == 700:
            raise fontpkg.WeightNotAvailable("weight 700 is not available for 'Mukta'")
        return packaged(name, weight=weight, **kwargs)

    fresh_fonts.setattr(fontpkg, "path", regular_only)
    assert (fonts().bold, fonts().rupee) == (fonts().regular, "₹")
    [warning] = check_pdf_fonts(None)
    assert warning.id == "galla.W001"
    assert "bold text prints in the regular face" in warning.msg and "Helvetica" not in warning.msg
