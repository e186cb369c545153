"""Validators for text people type: names, notes, reasons."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# NUL (PostgreSQL cannot store it), the bidirectional embeddings, overrides and isolates that make a
# name display as something else ("‮gnp.exe" shows as "exe.png"), and lone surrogates (not UTF-8).
UNSAFE_CHARACTERS = re.compile("[\x00\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def unsafe_character(text: str) -> str:
    """Return the first character of `text` that plain text must not hold, or "" when there is none."""
    found = UNSAFE_CHARACTERS.search(text or "")
    return found.group() if found else ""


def validate_plain_text(value: str) -> None:
    """Refuse NUL, bidirectional-override characters and lone surrogates in a name or a note."""
    character = unsafe_character(value)
    if character:
        raise ValidationError(
            _("Remove the hidden control character U+%(code)s: it cannot be stored, or it changes how the text "
              "is shown."), code="unsafe_text", params={"code": f"{ord(character):04X}"})
