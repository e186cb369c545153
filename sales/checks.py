"""System checks for what printing needs from the machine: fonts and the text shaper."""

import importlib.util

from django.core.checks import Warning, register

WHAT_BREAKS = {
    "latin": "bills print in Helvetica with 'Rs.' instead of the ₹ sign",
    "latin-bold": "bold text prints in the regular face",
    "devanagari": "Hindi product names print as empty boxes",
    "devanagari-bold": "bold Hindi text prints in the regular face",
}


@register("galla")
def check_pdf_fonts(app_configs, **kwargs) -> list[Warning]:
    """Warn when a font for invoice PDFs is missing, or when Hindi cannot be shaped."""
    from sales.documents.fonts import FONT_PACKAGES, font_candidates, missing_fonts  # reportlab only when checking

    warnings = [
        Warning(f"PDF font '{role}' not found; {WHAT_BREAKS[role]}.",
                hint=f"Install the Debian package {FONT_PACKAGES[role]}, or set PDF_FONT_FILES['{role}'] to a .ttf "
                     f"path. Looked in: {', '.join(font_candidates(role))}.",
                id="galla.W001")
        for role in missing_fonts()
    ]
    if importlib.util.find_spec("uharfbuzz") is None:
        warnings.append(Warning("uharfbuzz is not installed; Hindi names on bills print with misplaced vowel signs.",
                                hint="pip install -r requirements.txt (uharfbuzz)", id="galla.W002"))
    return warnings
