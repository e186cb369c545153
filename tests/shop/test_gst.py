import pytest
from django.core.exceptions import ValidationError

from shop.gst import STATE_NAMES, gstin_check_character, validate_gstin


@pytest.mark.parametrize("gstin", [
    "27AAPFU0939F1ZV",  # Maharashtra
    "29AAGCB7383J1Z4",  # Karnataka
    "33AAACH7409R1Z8",  # Tamil Nadu
    "24AAACC1206D1ZM",  # Gujarat
    " 27aapfu0939f1zv ",  # typed in lower case with spaces
])
def test_valid_gstins_pass(gstin):
    validate_gstin(gstin)


@pytest.mark.parametrize(("gstin", "message"), [
    ("27AAPFU0939F1Z", "exactly 15 characters"),
    ("27AAPFU0939F1ZVX", "exactly 15 characters"),
    ("27AAPFU0939F1ZW", "check digit is wrong"),
    ("27AAPFU0939F1YV", "14th character"),
    ("99AAPFU0939F1ZV", "not a GST state code"),
    ("2712345678901ZV", "must be a PAN"),
    ("27AAPFU0939F1Z-", "only capital letters and digits"),
])
def test_invalid_gstins_are_refused_with_a_reason(gstin, message):
    with pytest.raises(ValidationError, match=message):
        validate_gstin(gstin)


def test_check_character_detects_every_single_character_typo():
    valid = "27AAPFU0939F1ZV"
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for position in range(14):
        for char in alphabet:
            if char == valid[position]:
                continue
            typo = valid[:position] + char + valid[position + 1:14]
            assert gstin_check_character(typo) != valid[14], typo


def test_state_list_has_every_state_code_once():
    assert len(STATE_NAMES) == 37
    assert STATE_NAMES["27"] == "Maharashtra" and STATE_NAMES["38"] == "Ladakh"
