"""Names and notes refuse NUL and the characters that make text display as something else."""

import pytest
from django.core.exceptions import ValidationError

from ledger.services import customer_create
from shop.validators import validate_plain_text
from tests import factories

UNSAFE = ["\x00", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("character", UNSAFE, ids=[f"U+{ord(c):04X}" for c in UNSAFE])
def test_nul_and_bidirectional_overrides_are_refused(character):
    with pytest.raises(ValidationError, match=f"U\\+{ord(character):04X}"):
        validate_plain_text(f"Meena{character}txt.exe")


@pytest.mark.parametrize("text", ["Meena Stores", "बासमती चावल", "மீனா", "میںا\u200f", "Chai ☕", "Line\nbreak", ""])
def test_ordinary_text_in_any_script_is_accepted(text):
    validate_plain_text(text)


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "field"), [
    (lambda: factories.CustomerFactory.build(name="Meena\u202egnp.exe"), "name"),
    (lambda: factories.CustomerFactory.build(name="Meena", notes="pay\x00later"), "notes"),
    (lambda: factories.CustomerFactory.build(name="Meena", address="Shop 4\u2066"), "address"),
    (lambda: factories.ProductFactory.build(name="Salt\u202e"), "name"),
    (lambda: factories.CategoryFactory.build(name="Snacks\u2067"), "name"),
    (lambda: factories.BrandFactory.build(name="Tata\x00"), "name"),
    (lambda: factories.SupplierFactory.build(name="Metro\u202d"), "name"),
], ids=["customer-name", "customer-notes", "customer-address", "product", "category", "brand", "supplier"])
def test_models_refuse_unsafe_names_and_notes(make, field):
    with pytest.raises(ValidationError) as refused:
        make().full_clean()
    assert field in refused.value.message_dict


@pytest.mark.django_db
def test_adding_a_customer_with_a_bidi_override_in_the_name_adds_no_one(owner):
    from ledger.models import Customer

    with pytest.raises(ValidationError) as refused:
        customer_create(user=owner, name="Meena\u202e", phone="9876543210")
    assert list(refused.value.message_dict) == ["name"] and not Customer.objects.exists()
