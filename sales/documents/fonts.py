"""The TrueType fonts of printed documents: Mukta, installed from PyPI with the fontpkg-mukta package.

Mukta (SIL Open Font License, by Ek Type) draws Latin, Devanagari and the ₹ sign in one family with
a static Bold, so a bill prints the same on every machine and needs no system font package.
reportlab shapes paragraphs with Devanagari through HarfBuzz (uharfbuzz), so conjuncts and vowel
signs come out right.

A shop may print with other fonts: PDF_FONT_FILES = {"latin": "/path/to/Regular.ttf", "latin-bold": ...,
"devanagari": ..., "devanagari-bold": ...}. A role left out, or whose file cannot be read, uses Mukta.
When Latin and Devanagari come from different files, text is split into runs by script so each run
uses a font that has its glyphs.
"""

import functools
import logging
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.signals import setting_changed
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

PACKAGED_FAMILY = "Mukta"
PACKAGE = "fontpkg-mukta"
ROLES = ("latin", "latin-bold", "devanagari", "devanagari-bold")
RUPEE, DEVANAGARI_KA = 0x20B9, 0x0915

# Devanagari, Devanagari Extended and Vedic Extensions.
_DEVANAGARI = re.compile("[\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff]")
_WORD = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class FontProblem:
    """A font that could not be used: a PDF_FONT_FILES entry (configured) or the packaged Mukta."""

    role: str
    path: str
    reason: str
    configured: bool


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    # A face of its own for Devanagari runs; None when the regular face draws Devanagari itself
    # (Mukta) or when no font has it (Hindi then prints as missing-glyph boxes).
    devanagari: str | None
    devanagari_bold: str | None
    rupee: str  # "₹", or "Rs." when the regular face has no ₹ (built-in Helvetica)


class PackagedFontMissing(Exception):
    pass


def packaged_font(*, bold: bool) -> Path:
    """Return the path of Mukta Regular or Bold inside the installed fontpkg-mukta package."""
    try:
        import fontpkg

        path = fontpkg.path(PACKAGED_FAMILY, weight=700 if bold else 400)
    except ImportError as error:
        raise PackagedFontMissing(f"fontpkg is not installed: {error}") from error
    except (fontpkg.FontpkgError, OSError, ValueError, KeyError) as error:  # not installed, or a broken install
        raise PackagedFontMissing(f"{type(error).__name__}: {error}") from error
    if not path.is_file():
        raise PackagedFontMissing(f"{path} is missing")
    return path


def _configured(role: str) -> str | None:
    return getattr(settings, "PDF_FONT_FILES", {}).get(role) or None


def _font_name(path: Path) -> str:
    """Return a reportlab font name unique to the file, so a changed setting never reuses an old face."""
    return f"Galla-{path.stem}-{zlib.crc32(str(path).encode()):08x}"


def _load(path: Path) -> str:
    """Register a TrueType file with reportlab (once per process) and return its font name."""
    name = _font_name(path)
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


def _load_role(role: str, problems: list[FontProblem]) -> str | None:
    """Return the font name of a role: its configured file if that loads, else packaged Mukta, else None."""
    configured = _configured(role)
    if configured:
        try:
            return _load(Path(configured))
        except (OSError, TTFError) as error:
            problems.append(FontProblem(role, configured, str(error), configured=True))
    packaged = ""
    try:
        packaged = packaged_font(bold=role.endswith("-bold"))
        return _load(packaged)
    except (PackagedFontMissing, OSError, TTFError) as error:
        problems.append(FontProblem(role, str(packaged), str(error), configured=False))
    return None


def _draws(name: str, codepoint: int) -> bool:
    return codepoint in pdfmetrics.getFont(name).face.charToGlyph


def _family(regular: str, bold: str) -> None:
    """Let <b> inside a paragraph switch to the bold face of the same family."""
    addMapping(regular, 0, 0, regular)
    addMapping(regular, 1, 0, bold)
    addMapping(regular, 0, 1, regular)
    addMapping(regular, 1, 1, bold)


@functools.cache
def _resolved() -> tuple[Fonts, tuple[FontProblem, ...]]:
    problems: list[FontProblem] = []
    names = {role: _load_role(role, problems) for role in ROLES}
    for problem in problems:
        if problem.configured:
            logger.warning("PDF_FONT_FILES[%r] (%s) cannot be used, printing with Mukta: %s", problem.role,
                           problem.path, problem.reason)
    if broken := [problem.role for problem in problems if not problem.configured]:
        logger.warning("PDF fonts %s from %s cannot be loaded: %s", ", ".join(broken), PACKAGE,
                       next(problem.reason for problem in problems if not problem.configured))
    if names["latin"]:
        regular, bold = names["latin"], names["latin-bold"] or names["latin"]
    else:
        regular, bold = "Helvetica", "Helvetica-Bold"
    _family(regular, bold)
    devanagari = names["devanagari"]
    if devanagari in (regular, bold) or (devanagari and not _draws(devanagari, DEVANAGARI_KA)):
        devanagari = None  # the regular face draws Devanagari itself, or this font cannot
    devanagari_bold = (names["devanagari-bold"] or devanagari) if devanagari else None
    if devanagari:
        _family(devanagari, devanagari_bold)
    rupee = "₹" if regular != "Helvetica" and _draws(regular, RUPEE) else "Rs."
    return Fonts(regular, bold, devanagari, devanagari_bold, rupee), tuple(problems)


def fonts() -> Fonts:
    """Register the fonts once per process and return their reportlab names."""
    return _resolved()[0]


def font_problems() -> tuple[FontProblem, ...]:
    """Return the fonts that could not be used (a broken package or a wrong PDF_FONT_FILES entry)."""
    return _resolved()[1]


def plain(text: str) -> str:
    """Return text safe for the regular face: ₹ becomes "Rs." when that face has no ₹."""
    rupee = fonts().rupee
    return text if rupee == "₹" else text.replace("₹", rupee)


def has_devanagari(text: str) -> bool:
    return bool(_DEVANAGARI.search(text))


@functools.cache
def _devanagari_font_chars() -> frozenset[str]:
    """Return the characters the separate Devanagari face draws (its script, digits, punctuation)."""
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
    """Return paragraph markup for text: escaped and, when Devanagari has a face of its own, in runs.

    reportlab shapes a word with the font of its first run, so a word that mixes scripts without
    a space ("चावल(Basmati") is split in two with a space between; with one family (Mukta) for
    both scripts nothing is split.
    """
    f = fonts()
    deva = f.devanagari_bold if bold else f.devanagari
    text = plain(text)
    if deva is None or not has_devanagari(text):
        return escape(text)
    out = []
    for word in _WORD.findall(text):
        if word.isspace() or not has_devanagari(word):
            out.append(escape(word))
            continue
        out.append(" ".join(f'<font name="{deva}">{escape(run)}</font>' if is_deva else escape(run)
                            for is_deva, run in _word_runs(word)))
    return "".join(out)


def reset_fonts() -> None:
    """Forget the fonts found so far (after PDF_FONT_FILES changes, e.g. in tests)."""
    _resolved.cache_clear()
    rich.cache_clear()
    _devanagari_font_chars.cache_clear()


def _on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting == "PDF_FONT_FILES":
        reset_fonts()


setting_changed.connect(_on_setting_changed)
