"""Validators for product codes."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_hsn = RegexValidator(
    r"^\d{4}(\d{2}){0,2}$", _("An HSN code has 4, 6 or 8 digits."), code="invalid_hsn"
)


def gtin_check_digit(digits_without_check: str) -> int:
    """Return the GS1 check digit for EAN-8, UPC-A (12) or EAN-13 codes without their last digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits_without_check)))
    return (10 - total % 10) % 10


def validate_barcode(value: str) -> None:
    """Accept an EAN-8/UPC-A/EAN-13 code with a correct check digit, or any internal code.

    Codes of 8, 12 or 13 digits are retail barcodes and must carry a correct check digit;
    anything else (letters, other lengths) is the shop's own code and only needs to be printable.
    """
    code = (value or "").strip()
    if not code:
        return
    if code.isdigit() and len(code) in (8, 12, 13):
        if gtin_check_digit(code[:-1]) != int(code[-1]):
            raise ValidationError(
                _("Barcode %(code)s has a wrong check digit (expected %(digit)d): check it for a typing mistake."),
                params={"code": code, "digit": gtin_check_digit(code[:-1])},
                code="barcode_check_digit",
            )
        return
    if not code.isprintable() or " " in code:
        raise ValidationError(_("A barcode cannot contain spaces or control characters."), code="barcode_chars")


def hsn_length_problem(code: str, min_digits: int) -> str:
    """Return why a well-formed HSN code is too short for the shop's turnover bracket, or "" when it is fine.

    A malformed code is left to validate_hsn, which says what shape an HSN code has.
    """
    if code and code.isdigit() and len(code) in (4, 6, 8) and len(code) < min_digits:
        return (f"This shop needs HSN codes of at least {min_digits} digits (set in the shop profile); "
                f"{code} has {len(code)}.")
    return ""
