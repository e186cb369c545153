"""The TrueType fonts of printed documents, found on the machine, never downloaded.

DejaVu Sans carries Latin and the ₹ sign; Noto Sans Devanagari carries Hindi names. Text is split
into runs by script so each run uses a font that has its glyphs, and reportlab shapes the
Devanagari runs through HarfBuzz (uharfbuzz) so conjuncts and vowel signs come out right.

Paths are settings-overridable: PDF_FONT_FILES = {"latin": "/path/to/DejaVuSans.ttf", ...}.
"""

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.signals import setting_changed
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

# Each role is looked for in these places, first found wins (Debian, Fedora, Arch layouts).
DEFAULT_FONT_FILES: dict[str, list[str]] = {
    "latin": ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
              "/usr/share/fonts/TTF/DejaVuSans.ttf"],
    "latin-bold": ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                   "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
                   "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"],
    "devanagari": ["/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
                   "/usr/share/fonts/google-noto/NotoSansDevanagari-Regular.ttf",
                   "/usr/share/fonts/noto/NotoSansDevanagari-Regular.ttf",
                   "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
                   "/usr/share/fonts/truetype/freefont/FreeSans.ttf"],
    "devanagari-bold": ["/usr/share/fonts/truetype/noto/NotoSansDevanagari-Bold.ttf",
                        "/usr/share/fonts/google-noto/NotoSansDevanagari-Bold.ttf",
                        "/usr/share/fonts/noto/NotoSansDevanagari-Bold.ttf"],
}
FONT_PACKAGES = {"latin": "fonts-dejavu-core", "latin-bold": "fonts-dejavu-core",
                 "devanagari": "fonts-noto-core", "devanagari-bold": "fonts-noto-core"}

SANS, SANS_BOLD = "GallaSans", "GallaSans-Bold"
DEVA, DEVA_BOLD = "GallaDeva", "GallaDeva-Bold"

# Devanagari, Devanagari Extended and Vedic Extensions.
_DEVANAGARI = re.compile("[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff]")
_WORD = re.compile(r"\S+|\s+")


def font_candidates(role: str) -> list[str]:
    """Return where the font of a role may be: the setting's path if given, else the usual places."""
    configured = getattr(settings, "PDF_FONT_FILES", {}).get(role)
    if configured:
        return [configured] if isinstance(configured, str) else list(configured)
    return DEFAULT_FONT_FILES[role]


def find_font(role: str) -> Path | None:
    return next((Path(p) for p in font_candidates(role) if Path(p).is_file()), None)


def missing_fonts() -> list[str]:
    """Return the font roles with no file on this machine."""
    return [role for role in DEFAULT_FONT_FILES if find_font(role) is None]


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    devanagari: str | None  # None: no Devanagari font, Hindi prints as the Latin font's missing-glyph boxes
    rupee: str  # "₹", or "Rs." when the Latin font has no ₹ (built-in Helvetica)


def _register(name: str, path: Path) -> None:
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))


@functools.cache
def fonts() -> Fonts:
    """Register the fonts once per process and return their reportlab names."""
    found = {role: find_font(role) for role in DEFAULT_FONT_FILES}
    for role, path in found.items():
        if path is None:
            logger.warning("PDF font %s not found (looked in %s): install %s or set PDF_FONT_FILES.",
                           role, ", ".join(font_candidates(role)), FONT_PACKAGES[role])
    if found["latin"]:
        _register(SANS, found["latin"])
        _register(SANS_BOLD, found["latin-bold"] or found["latin"])
        regular, bold, rupee = SANS, SANS_BOLD, "₹"
    else:
        regular, bold, rupee = "Helvetica", "Helvetica-Bold", "Rs."
    devanagari = None
    if found["devanagari"]:
        _register(DEVA, found["devanagari"])
        _register(DEVA_BOLD, found["devanagari-bold"] or found["devanagari"])
        devanagari = DEVA
        addMapping(DEVA, 0, 0, DEVA)
        addMapping(DEVA, 1, 0, DEVA_BOLD)
        addMapping(DEVA, 0, 1, DEVA)
        addMapping(DEVA, 1, 1, DEVA_BOLD)
    # <b> inside a paragraph switches to the bold face of the same family.
    addMapping(regular, 0, 0, regular)
    addMapping(regular, 1, 0, bold)
    addMapping(regular, 0, 1, regular)
    addMapping(regular, 1, 1, bold)
    return Fonts(regular=regular, bold=bold, devanagari=devanagari, rupee=rupee)


def plain(text: str) -> str:
    """Return text safe for the Latin font: ₹ becomes "Rs." when that font has no ₹."""
    rupee = fonts().rupee
    return text if rupee == "₹" else text.replace("₹", rupee)


def has_devanagari(text: str) -> bool:
    return bool(_DEVANAGARI.search(text))


@functools.cache
def _devanagari_font_chars() -> frozenset[str]:
    """Return the characters the Devanagari font draws (its own script, digits, common punctuation, ₹)."""
    deva = fonts().devanagari
    return frozenset(map(chr, pdfmetrics.getFont(deva).face.charToGlyph)) if deva else frozenset()


def _word_runs(word: str) -> list[tuple[bool, str]]:
    """Split one word into (is_devanagari, text) runs.

    Digits and punctuation the Devanagari font also has join the letters next to them, so "(तूर)"
    stays one run; anything else it lacks (Latin letters, "&") goes to the Latin font.
    """
    shared = _devanagari_font_chars()
    runs: list[tuple[bool, str]] = []
    pending = ""  # neutral characters before the first letter of the word
    for char in word:
        if _DEVANAGARI.match(char):
            script = True
        elif char not in shared:
            script = False
        elif runs:
            runs[-1] = (runs[-1][0], runs[-1][1] + char)
            continue
        else:
            pending += char
            continue
        if runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((script, pending + char))
            pending = ""
    if pending:
        runs.append((False, pending))
    return runs


@functools.lru_cache(maxsize=4096)
def rich(text: str, bold: bool = False) -> str:
    """Return paragraph markup for text: escaped, with Devanagari runs in the Devanagari font (bold if asked).

    reportlab shapes a word with the font of its first run, so a word that mixes scripts without
    a space ("चावल(Basmati") is split in two with a space between; product names rarely do this.
    """
    deva = fonts().devanagari
    deva = DEVA_BOLD if deva and bold else deva
    text = plain(text)
    if deva is None or not has_devanagari(text):
        return escape(text)
    out = []
    for word in _WORD.findall(text):
        if word.isspace() or not has_devanagari(word):
            out.append(escape(word))
            continue
        runs = _word_runs(word)
        out.append(" ".join(f'<font name="{deva}">{escape(run)}</font>' if is_deva else escape(run)
                            for is_deva, run in runs))
    return "".join(out)


def reset_fonts() -> None:
    """Forget the fonts found so far (after PDF_FONT_FILES changes, e.g. in tests)."""
    fonts.cache_clear()
    rich.cache_clear()
    _devanagari_font_chars.cache_clear()


def _on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting == "PDF_FONT_FILES":
        reset_fonts()


setting_changed.connect(_on_setting_changed)
