"""Reference data every shop starts with: the GST slabs, common units and a default warehouse.

Used by the data migration (with historical models) and by `seed_demo` (after a flush).
"""

from decimal import Decimal

# GST slabs in force since 22 September 2025.
TAX_RATES = [
    ("GST 0%", "0"),
    ("GST 0.25%", "0.25"),
    ("GST 3%", "3"),
    ("GST 5%", "5"),
    ("GST 18%", "18"),
    ("GST 40%", "40"),
]

UNITS = [
    # code, name, GST unit quantity code, fractions allowed
    ("pcs", "Pieces", "NOS", False),
    ("kg", "Kilogram", "KGS", True),
    ("g", "Gram", "GMS", True),
    ("l", "Litre", "LTR", True),
    ("ml", "Millilitre", "MLT", True),
    ("m", "Metre", "MTR", True),
    ("box", "Box", "BOX", False),
    ("pack", "Pack", "PAC", False),
    ("dozen", "Dozen", "DOZ", False),
    ("pair", "Pair", "PRS", False),
    ("set", "Set", "SET", False),
]


def ensure_reference_data(TaxRate, Unit, Warehouse) -> None:  # noqa: N803  (model classes)
    """Create whichever slabs, units and default warehouse are missing."""
    for name, rate in TAX_RATES:
        TaxRate.objects.get_or_create(name=name, defaults={"rate": Decimal(rate)})
    for code, name, uqc, fraction in UNITS:
        Unit.objects.get_or_create(code=code, defaults={"name": name, "uqc": uqc, "allows_fraction": fraction})
    if not Warehouse.objects.exists():
        Warehouse.objects.create(name="Shop floor", is_default=True)
