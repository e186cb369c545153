"""GST reference data: state codes and GSTIN validation."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GST state and union territory codes, as the first two digits of a GSTIN.
STATES = [
    ("01", "Jammu and Kashmir"),
    ("02", "Himachal Pradesh"),
    ("03", "Punjab"),
    ("04", "Chandigarh"),
    ("05", "Uttarakhand"),
    ("06", "Haryana"),
    ("07", "Delhi"),
    ("08", "Rajasthan"),
    ("09", "Uttar Pradesh"),
    ("10", "Bihar"),
    ("11", "Sikkim"),
    ("12", "Arunachal Pradesh"),
    ("13", "Nagaland"),
    ("14", "Manipur"),
    ("15", "Mizoram"),
    ("16", "Tripura"),
    ("17", "Meghalaya"),
    ("18", "Assam"),
    ("19", "West Bengal"),
    ("20", "Jharkhand"),
    ("21", "Odisha"),
    ("22", "Chhattisgarh"),
    ("23", "Madhya Pradesh"),
    ("24", "Gujarat"),
    ("26", "Dadra and Nagar Haveli and Daman and Diu"),
    ("27", "Maharashtra"),
    ("29", "Karnataka"),
    ("30", "Goa"),
    ("31", "Lakshadweep"),
    ("32", "Kerala"),
    ("33", "Tamil Nadu"),
    ("34", "Puducherry"),
    ("35", "Andaman and Nicobar Islands"),
    ("36", "Telangana"),
    ("37", "Andhra Pradesh"),
    ("38", "Ladakh"),
    ("97", "Other Territory"),
]
STATE_CHOICES = [(code, f"{code} - {name}") for code, name in STATES]
STATE_NAMES = dict(STATES)

_GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gstin_check_character(first_fourteen: str) -> str:
    """Return the checksum character for the first 14 characters of a GSTIN (Luhn mod 36)."""
    total = 0
    for position, char in enumerate(first_fourteen):
        product = _GSTIN_ALPHABET.index(char) * (2 if position % 2 else 1)
        total += product // 36 + product % 36
    return _GSTIN_ALPHABET[(36 - total % 36) % 36]


def validate_gstin(value: str) -> None:
    """Raise ValidationError unless value is a well-formed GSTIN with a correct checksum."""
    gstin = (value or "").strip().upper()
    if len(gstin) != 15:
        raise ValidationError(_("A GSTIN has exactly 15 characters (this one has %(n)d)."), params={"n": len(gstin)})
    if any(char not in _GSTIN_ALPHABET for char in gstin):
        raise ValidationError(_("A GSTIN holds only capital letters and digits."))
    if gstin[:2] not in STATE_NAMES:
        raise ValidationError(_("%(code)s is not a GST state code."), params={"code": gstin[:2]})
    pan = gstin[2:12]
    if not (pan[:5].isalpha() and pan[5:9].isdigit() and pan[9].isalpha()):
        raise ValidationError(_("Characters 3 to 12 of a GSTIN must be a PAN (like ABCDE1234F)."))
    if gstin[13] != "Z":
        raise ValidationError(_("The 14th character of a GSTIN is always Z."))
    expected = gstin_check_character(gstin[:14])
    if gstin[14] != expected:
        raise ValidationError(_("This GSTIN's check digit is wrong: please check it for a typing mistake."))


def state_of_gstin(gstin: str) -> str:
    """Return the two-digit state code a GSTIN belongs to."""
    return gstin[:2]
