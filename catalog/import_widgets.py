"""Widgets that read catalogue files the way shops write them, and look related rows up by name.

Used by catalog.resources; every lookup table is read once per import.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal

from import_export import widgets

from catalog.models import Category
from shop.gst import STATES
from shop.money import parse_decimal

ROW_KEY = "_file_row"
MISSING = "This is empty; fill it in."
CHUNK = 900  # keys per IN (...) query, well under every database's parameter limit


# --- Reading cells (numbers: shop.money.parse_decimal) ----------------------------------------

def clean_text(value: object) -> str:
    """Return a cell as trimmed NFC text; a whole number Excel stored as 18.0 reads "18"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def lookup_key(text: str) -> str:
    """Return a name as matched against the database: case and repeated spaces do not matter."""
    return " ".join(clean_text(text).casefold().split())


def file_row(number: int, row: dict) -> int:
    """Return the row number the spreadsheet shows for the number-th data row (header = row 1)."""
    return int(row.get(ROW_KEY) or number + 1)


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- Widgets ----------------------------------------------------------------------------------


class TextWidget(widgets.CharWidget):
    """Trimmed text. An empty cell clears the value, or keeps it where the field may not be blank."""

    def __init__(self, *, blank: bool = True, upper: bool = False):
        super().__init__(coerce_to_string=True, allow_blank=blank)
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if self.upper:
            text = text.upper()
        if not text:
            return "" if self.allow_blank else None
        return text


class CodeWidget(TextWidget):
    """A code typed as digits (barcode, HSN): spots the ones Excel shortened to 8.90103E+12."""

    def __init__(self, *, label: str):
        super().__init__(blank=True)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if re.fullmatch(r"\d(\.\d+)?E\+?\d+", text, flags=re.IGNORECASE):
            raise ValueError(f"{self.label} {text} was shortened by Excel: format the column as Text and "
                             f"type the full number again.")
        return text


class NumberWidget(widgets.DecimalWidget):
    """A decimal column read with `parse_decimal`; negative numbers are refused in the column's words."""

    def __init__(self, *, label: str):
        super().__init__(coerce_to_string=True)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        number = parse_decimal(value)
        if number is not None and number < 0:
            raise ValueError(f"{self.label} cannot be negative ({clean_text(value)}).")
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return value if kwargs.get("force_native_type") else f"{value:f}"


class YesNoWidget(widgets.BooleanWidget):
    """Yes/no columns: yes, no, y, n, true, false, 1, 0. An empty cell keeps the current value."""

    WORDS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = clean_text(value).casefold()
        if not text:
            return None
        if text not in self.WORDS:
            raise ValueError(f'Write yes or no (not "{clean_text(value)}").')
        return self.WORDS[text]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("yes" if value else "no")


class StateWidget(widgets.Widget):
    """A GST state written as its code (27, or 7 for 07) or its name (Maharashtra)."""

    CODES = {code for code, _name in STATES}
    BY_NAME = {lookup_key(name): code for code, name in STATES}

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if not text:
            return ""
        code = text.split("-")[0].strip()
        if code.isdigit() and code.zfill(2) in self.CODES:
            return code.zfill(2)
        if lookup_key(text) in self.BY_NAME:
            return self.BY_NAME[lookup_key(text)]
        raise ValueError(f'Unknown state "{text}". Write its name (Maharashtra) or GST code (27).')

    def render(self, value, obj=None, **kwargs):
        return dict(STATES).get(value, value or "")


_AMBIGUOUS = object()


class LookupWidget(widgets.ForeignKeyWidget):
    """Find a related row by the name the shop writes, from a table read once per import.

    A plain ForeignKeyWidget runs one query per row. The tables behind these columns are small
    (units, GST rates, categories, brands, warehouses) or preloaded for the file's own keys (SKUs),
    so one query per table per import is both faster and simpler.
    """

    what = "value"

    def __init__(self, model, *, required: bool = False):
        super().__init__(model, field="pk")
        self.required = required
        self.table: dict | None = None
        self.objects: list = []

    # Names an object answers to: the first list wins over the second when they clash.
    def primary_names(self, obj) -> Iterable[str]:
        return [str(obj)]

    def other_names(self, obj) -> Iterable[str]:
        return []

    def key(self, text: str) -> str:
        return lookup_key(text)

    def name_of(self, obj) -> str:
        return next(iter(self.primary_names(obj)))

    def queryset(self):
        return self.model._default_manager.all()

    def unknown(self, text: str) -> str:
        return f'Unknown {self.what} "{text}".'

    def ambiguous(self, text: str) -> str:
        return f'More than one {self.what} is called "{text}".'

    def reset(self) -> None:
        self.table = None

    def load(self, objects: Iterable | None = None) -> None:
        """Read the table (or the given objects) into memory."""
        objects = list(self.queryset() if objects is None else objects)
        self.objects = objects
        self.table = {}
        for names in (self.primary_names, self.other_names):
            claimed: dict[str, object] = {}
            for obj in objects:
                for name in names(obj):
                    key = self.key(name)
                    if key in self.table:
                        continue
                    claimed[key] = obj if claimed.get(key, obj) is obj else _AMBIGUOUS
            self.table.update(claimed)

    def remember(self, obj) -> None:
        """Make an object created during this import findable by later rows."""
        if self.table is None:
            self.load()
        for name in self.primary_names(obj):
            self.table[self.key(name)] = obj
        for name in self.other_names(obj):
            self.table.setdefault(self.key(name), obj)

    def find(self, text: str):
        return self.table.get(self.key(text))

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if not text:
            if self.required:
                raise ValueError(MISSING)
            return None
        if self.table is None:
            self.load()
        found = self.find(text)
        if found is None:
            raise ValueError(self.unknown(text))
        if found is _AMBIGUOUS:
            raise ValueError(self.ambiguous(text))
        return found

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.name_of(value)


class CategoryWidget(LookupWidget):
    """A category by name, or as "Parent > Child" when two parents hold a child of that name."""

    what = "category"

    def key(self, text: str) -> str:
        return " > ".join(lookup_key(part) for part in re.split(r"[>›]", text))

    def primary_names(self, obj):
        return [f"{obj.parent.name} > {obj.name}" if obj.parent_id else obj.name]

    def other_names(self, obj):
        return [obj.name] if obj.parent_id else []

    def queryset(self):
        return Category.objects.select_related("parent")

    def unknown(self, text):
        return (f'Unknown category "{text}". Check the spelling, or add the category first '
                f"(import categories before products).")

    def ambiguous(self, text):
        return f'There are several categories called "{text}": write it as "Parent > {text}".'


class ParentCategoryWidget(CategoryWidget):
    def unknown(self, text):
        return (f'Unknown parent category "{text}". Put the parent on an earlier row of this file, '
                f"or add it first.")


class BrandWidget(LookupWidget):
    what = "brand"

    def primary_names(self, obj):
        return [obj.name]

    def unknown(self, text):
        return f'Unknown brand "{text}". Add the brand first (import brands before products).'


class UnitWidget(LookupWidget):
    """A unit by its code (pcs, kg) or its name (Kilogram)."""

    what = "unit"

    def primary_names(self, obj):
        return [obj.code]

    def other_names(self, obj):
        return [obj.name]

    def unknown(self, text):
        codes = ", ".join(sorted(unit.code for unit in self.objects))
        return f'Unknown unit "{text}". Use one of: {codes}.'


class TaxRateWidget(LookupWidget):
    """A GST rate by its name ("GST 18%") or its percent ("18", "18%", Excel's 18.0)."""

    what = "GST rate"

    def primary_names(self, obj):
        return [obj.name]

    def load(self, objects=None):
        objects = list(self.queryset() if objects is None else objects)
        super().load(objects)
        by_percent: dict[Decimal, object] = {}
        # The slab without cess answers to the bare percent; two such slabs make it ambiguous.
        for rate in objects:
            if rate.cess_rate == 0:
                by_percent[rate.rate] = _AMBIGUOUS if rate.rate in by_percent else rate
        self.by_percent = by_percent

    def find(self, text):
        found = super().find(text)
        if found is not None:
            return found
        try:
            percent = parse_decimal(re.sub(r"^gst\s*|\s*%$", "", text, flags=re.IGNORECASE))
        except ValueError:
            return None
        return self.by_percent.get(percent)

    def unknown(self, text):
        percents = ", ".join(f"{rate.normalize():f}" for rate in sorted(self.by_percent))
        return f'Unknown GST rate "{text}". Use one of: {percents} (or a name like "GST 18%").'


class WarehouseWidget(LookupWidget):
    what = "warehouse"

    def primary_names(self, obj):
        return [obj.name]

    def unknown(self, text):
        names = ", ".join(sorted(warehouse.name for warehouse in self.objects))
        return f'Unknown warehouse "{text}". Use one of: {names}.'


class ProductBySkuWidget(LookupWidget):
    """A product by its exact SKU; the resource preloads only the SKUs its file names."""

    what = "SKU"

    def key(self, text):
        return clean_text(text)

    def primary_names(self, obj):
        return [obj.sku]

    def unknown(self, text):
        return f'Unknown SKU "{text}". Import the product first, then its opening stock.'


# --- Results and loading ------------------------------------------------------------------------
