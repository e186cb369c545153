"""System checks for printing: the packaged PDF font (and any configured one) loads, and Hindi can be shaped."""

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
    """Warn when the packaged font is broken, when a PDF_FONT_FILES entry cannot be used, or when Hindi cannot be
    shaped. System fonts are never needed."""
    from sales.documents.fonts import PACKAGE, font_problems  # reportlab only when checking

    problems = font_problems()
    warnings = [
        Warning(f"PDF_FONT_FILES['{problem.role}'] cannot be used ({problem.reason}); printing with Mukta instead.",
                hint=f"Point it at a readable .ttf file, or remove it to print with Mukta from {PACKAGE}.",
                id="galla.W003")
        for problem in problems if problem.configured
    ]
    if broken := [problem for problem in problems if not problem.configured]:
        roles = {problem.role for problem in broken}
        # Without the regular face the bold one falls back to Helvetica too: say only what a reader notices.
        what_breaks = "; ".join(WHAT_BREAKS[role] for role in WHAT_BREAKS
                                if role in roles and role.removesuffix("-bold") not in roles - {role})
        warnings.append(Warning(
            f"The PDF font package {PACKAGE} cannot be loaded ({broken[0].reason}): {what_breaks}.",
            hint="Reinstall the requirements: .venv/bin/pip install --force-reinstall -r requirements.txt",
            id="galla.W001"))
    if importlib.util.find_spec("uharfbuzz") is None:
        warnings.append(Warning("uharfbuzz is not installed; Hindi names on bills print with misplaced vowel signs.",
                                hint="pip install -r requirements.txt (uharfbuzz)", id="galla.W002"))
    return warnings
