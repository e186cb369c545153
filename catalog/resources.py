"""Import and export resources for the catalogue (django-import-export).

The files come from shop owners, so every resource here:

* imports all rows or none: the whole file runs in one transaction, rolled back when any row is bad;
* reports each bad row by the number the spreadsheet shows (the header is row 1) and by column;
* reads numbers the way shops write them ("1,250.50", "1,25,000", "₹ 99", Excel numbers stored as text);
* looks related rows up by name (category, brand, unit, GST rate, warehouse, SKU) from tables read once
  per import, never with one query per row;
* runs `full_clean()` on each row (`clean_model_instances`) so validators give field errors, not an
  IntegrityError at save. Uniqueness is checked in memory instead of by Django's per-row queries.

Bulk mode (`use_bulk`) writes rows in batches of 1,000 with `bulk_create`/`bulk_update`, which skip
`save()` and signals (so simple-history would record nothing). No model here relies on `save()`, and
history is still recorded: products and suppliers are written with
simple-history's `bulk_*_with_history`. Categories are saved row by row (a row may name a parent
created a few rows above), and opening stock goes through `catalog.services.stock_add_opening`.
"""

import re
from collections.abc import Callable
from copy import copy

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import DecimalValidator
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Result
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from catalog.import_widgets import (
    MISSING,
    ROW_KEY,
    BrandWidget,
    CategoryWidget,
    CodeWidget,
    LookupWidget,
    NumberWidget,
    ParentCategoryWidget,
    ProductBySkuWidget,
    StateWidget,
    TaxRateWidget,
    TextWidget,
    UnitWidget,
    WarehouseWidget,
    YesNoWidget,
    chunks,
    clean_text,
    file_row,
    lookup_key,
)
from catalog.models import Brand, Category, Product, Stock, StockMovement, Supplier, TaxRate, Unit, Warehouse
from catalog.services import StockChange, stock_add_opening
from catalog.validators import hsn_length_problem
from shop.models import ShopProfile
from shop.money import MONEY_FIELD, QUANTITY_FIELD

# The file readers in catalog.importing add this column: the row's number as the spreadsheet shows it.


class FileProblem(Exception):
    """A problem with the file as a whole, such as a missing or unknown column."""

    def __init__(self, *, row: int | None, column: str, message: str):
        super().__init__(f"Row {row}, {column}: {message}" if row else message)
        self.row = row
        self.column = column
        self.message = message


class ShopImportResult(Result):
    """Rows numbered as the file shows them: the header is row 1, so the first data row is row 2."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(file_row(number, row), row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(file_row(number, row), row, errors)

    def row_errors(self):
        return [(error_row.number, error_row.errors) for error_row in self.error_rows]


class PreloadedInstanceLoader(BaseInstanceLoader):
    """Fetch the existing rows a file refers to in a few queries, not one query per row."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.instances = resource.existing_instances(dataset)

    def get_instance(self, row):
        return self.instances.get(self.resource.row_key(row))


# --- Resources ----------------------------------------------------------------------------------


def column(attribute: str, widget: widgets.Widget, *, keep_when_empty: bool = False, name: str = "") -> fields.Field:
    """Declare a column; with keep_when_empty an empty cell leaves the current (or default) value."""
    return fields.Field(attribute=attribute, column_name=name or attribute, widget=widget,
                        saves_null_values=not keep_when_empty)


class ShopResource(resources.ModelResource):
    """What every catalogue file shares; see the module docstring."""

    cost_fields: tuple[str, ...] = ()  # left out for users who may not see cost prices
    required_columns: tuple[str, ...] = ()
    column_aliases: dict[str, str] = {}  # other headers shops use for our columns

    class Meta:
        clean_model_instances = True
        use_transactions = True
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        instance_loader_class = PreloadedInstanceLoader

    def __init__(self, *, show_costs: bool = True, preview: bool = True, **kwargs):
        super().__init__(**kwargs)
        if not show_costs:
            for name in self.cost_fields:
                self.fields.pop(name, None)
        if not preview:
            # The command and the benchmark show no per-row diff; skipping it halves the work per row.
            self._meta = copy(self._meta)
            self._meta.skip_diff = True
        self._user = None
        self._progress: Callable[[int, int], None] | None = None
        self._total = 0
        self._seen: dict = {}

    @classmethod
    def get_result_class(cls):
        return ShopImportResult

    # Hooks for subclasses.
    def existing_instances(self, dataset) -> dict:
        """Return the rows this file may update, by `row_key`."""
        return {}

    def row_key(self, row: dict):
        return None

    def file_key(self, instance):
        """Return what must be unique within one file (None: nothing to check)."""
        return None

    def duplicate_message(self, instance, first_row: int) -> tuple[str, str]:
        raise NotImplementedError

    def row_problems(self, instance, row: dict, row_number: int) -> dict[str, str]:
        """Return {field: message} for problems only the whole file reveals, such as duplicates."""
        key = self.file_key(instance)
        if key is None:
            return {}
        first = self._seen.setdefault(key, row_number)
        if first == row_number:
            return {}
        field, message = self.duplicate_message(instance, first)
        return {field: message}

    # Columns.
    def canonical_column(self, header: object) -> str:
        name = re.sub(r"[\s\-]+", "_", clean_text(header).casefold().lstrip("\ufeff"))
        return self.column_aliases.get(name, name)

    def header_problems(self, headers: list[str]) -> list[FileProblem]:
        columns = [f.column_name for f in self.get_import_fields()]
        known = set(columns) | {ROW_KEY}
        problems = []
        for header in sorted({h for h in headers if headers.count(h) > 1 and h}):
            problems.append(FileProblem(row=1, column=header, message=f'The column "{header}" appears twice.'))
        for header in headers:
            if header and header not in known:
                problems.append(FileProblem(row=1, column=header, message=(
                    f'Unknown column "{header}". The columns are: {", ".join(columns)}.')))
        for name in self.required_columns:
            if name not in headers:
                problems.append(FileProblem(row=1, column=name, message=f'The file has no "{name}" column.'))
        return problems

    # The import.
    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs):
        """Import every row or none: one transaction, rolled back when any row is bad."""
        dataset.headers = [self.canonical_column(h) for h in (dataset.headers or [])]
        problems = self.header_problems(dataset.headers)
        if problems:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(self.get_error_result_class()(problem))
            return result
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True,
                                   collect_failed_rows=collect_failed_rows, rollback_on_validation_errors=True,
                                   **kwargs)

    def before_import(self, dataset, **kwargs):
        self._user = kwargs.get("user")
        self._progress = kwargs.get("progress")
        self._total = len(dataset)
        self._seen = {}
        for field in self.fields.values():
            if isinstance(field.widget, LookupWidget):
                field.widget.reset()
        self._attnames = [self._attname(f.attribute) for f in self.get_import_fields()]

    def _attname(self, attribute: str) -> str:
        try:
            return self._meta.model._meta.get_field(attribute).attname
        except Exception:  # not a model field
            return attribute

    def _values(self, instance) -> tuple:
        return tuple(getattr(instance, attname, None) for attname in self._attnames)

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new:
            instance._values_before_import = self._values(instance)

    def import_instance(self, instance, row, **kwargs):
        errors: dict = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        row_number = file_row(kwargs.get("row_number", 0), row)
        for field, message in self.row_problems(instance, row, row_number).items():
            errors.setdefault(field, []).append(ValidationError(message))
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Compares plain values (foreign keys by id), so it works without the per-row diff too.
        if import_validation_errors or not self._meta.skip_unchanged:
            return False
        before = getattr(instance, "_values_before_import", None)
        return before is not None and before == self._values(instance)

    def looked_up_fields(self) -> set[str]:
        return {f.attribute for f in self.fields.values() if isinstance(f.widget, LookupWidget)}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Run the model's validators and clean(); raise errors keyed by the file's column names.

        Related rows came from the database through the lookup widgets, so they are not checked
        again (Django would run one query per foreign key per row), and uniqueness was checked in
        memory by `row_problems`. A constraint missed all the same still fails the whole import in
        its transaction, never half of it.
        """
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            looked_up = self.looked_up_fields()
            for name in looked_up - errors.keys():
                model_field = instance._meta.get_field(name)
                if not model_field.null and getattr(instance, model_field.attname) is None:
                    errors[name] = [ValidationError(MISSING, code="null")]
            try:
                instance.full_clean(exclude=set(errors) | looked_up, validate_unique=False,
                                    validate_constraints=False)
            except ValidationError as error:
                errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(self.errors_by_column(errors))

    def errors_by_column(self, errors: dict) -> dict[str, list[str]]:
        """Key errors by the column the shop owner sees, in plain words."""
        columns = {f.attribute: f.column_name for f in self.fields.values()}
        by_column: dict[str, list[str]] = {}
        for name, error_list in errors.items():
            key = name if name == NON_FIELD_ERRORS else columns.get(name, name)
            for error in error_list:
                for single in error.error_list if isinstance(error, ValidationError) else [ValidationError(error)]:
                    message = MISSING if single.code in ("null", "blank", "required") else next(iter(single))
                    by_column.setdefault(key, []).append(message)
        return by_column

    def after_import_row(self, row, row_result, **kwargs):
        if self._progress is not None:
            self._progress(kwargs.get("row_number", 0), self._total)

    # Writing in bulk, with history where the model keeps it.
    def _keeps_history(self) -> bool:
        return bool(getattr(self._meta.model._meta, "simple_history_manager_attribute", None))

    def _nothing_to_keep(self, result) -> bool:
        # Once a row is bad the transaction will be rolled back: writing more rows is wasted work.
        return result is not None and (result.has_errors() or result.has_validation_errors())

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.create_instances or self._nothing_to_keep(result):
            self.create_instances.clear()
            return
        try:
            if self._keeps_history():
                bulk_create_with_history(self.create_instances, self._meta.model, batch_size=batch_size,
                                         default_user=self._user)
            else:
                self._meta.model.objects.bulk_create(self.create_instances, batch_size=batch_size)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances or self._nothing_to_keep(result):
            self.update_instances.clear()
            return
        try:
            if self._keeps_history():
                bulk_update_with_history(self.update_instances, self._meta.model, self.get_bulk_update_fields(),
                                         batch_size=batch_size, default_user=self._user)
            else:
                self._meta.model.objects.bulk_update(self.update_instances, self.get_bulk_update_fields(),
                                                     batch_size=batch_size)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    def get_bulk_update_fields(self):
        # Our keys (SKU, name) are ordinary fields, so unlike an id they may be updated too.
        return [f.attribute for f in self.get_import_fields()]


class CategoryResource(ShopResource):
    """Columns: name, parent (by name; a parent may be created on an earlier row of the same file)."""

    name = column("name", TextWidget(blank=False), keep_when_empty=True)
    parent = column("parent", ParentCategoryWidget(Category))
    required_columns = ("name",)

    class Meta(ShopResource.Meta):
        model = Category
        name = "Categories"
        fields = ("name", "parent")
        import_id_fields = ("name",)
        # Row by row, so a parent created on row 2 exists when row 3 names it. Categories are few.
        use_bulk = False

    def existing_instances(self, dataset):
        return {(lookup_key(c.name), lookup_key(c.parent.name) if c.parent_id else ""): c
                for c in Category.objects.select_related("parent")}

    def row_key(self, row):
        return lookup_key(row.get("name")), lookup_key(row.get("parent") or "")

    def file_key(self, instance):
        return (lookup_key(instance.name or ""), instance.parent_id) if instance.name else None

    def duplicate_message(self, instance, first_row):
        under = f' under "{instance.parent.name}"' if instance.parent_id else ""
        return "name", f'Category "{instance.name}"{under} is already on row {first_row} of this file.'

    def after_save_instance(self, instance, row, **kwargs):
        self.fields["parent"].widget.remember(instance)

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("parent")


class NamedResource(ShopResource):
    """A model identified by its unique name (brands, suppliers)."""

    required_columns = ("name",)

    def existing_instances(self, dataset):
        return {lookup_key(obj.name): obj for obj in self._meta.model.objects.all()}

    def row_key(self, row):
        return lookup_key(row.get("name") or "")

    def file_key(self, instance):
        return lookup_key(instance.name) if instance.name else None

    def duplicate_message(self, instance, first_row):
        return "name", f'"{instance.name}" is already on row {first_row} of this file.'


class BrandResource(NamedResource):
    name = column("name", TextWidget(blank=False), keep_when_empty=True)

    class Meta(ShopResource.Meta):
        model = Brand
        name = "Brands"
        fields = ("name",)
        import_id_fields = ("name",)


class SupplierResource(NamedResource):
    name = column("name", TextWidget(blank=False), keep_when_empty=True)
    gstin = column("gstin", TextWidget(upper=True))
    state = column("state", StateWidget())
    phone = column("phone", TextWidget())
    email = column("email", TextWidget())
    address = column("address", TextWidget())

    class Meta(ShopResource.Meta):
        model = Supplier
        name = "Suppliers"
        fields = ("name", "gstin", "state", "phone", "email", "address")
        import_id_fields = ("name",)


class ProductResource(ShopResource):
    """Products created or updated by SKU; category, brand, unit and GST rate written by name."""

    sku = column("sku", TextWidget(blank=False), keep_when_empty=True)
    name = column("name", TextWidget(blank=False), keep_when_empty=True)
    barcode = column("barcode", CodeWidget(label="Barcode"))
    hsn_code = column("hsn_code", CodeWidget(label="HSN code"))
    category = column("category", CategoryWidget(Category))
    brand = column("brand", BrandWidget(Brand))
    unit = column("unit", UnitWidget(Unit), keep_when_empty=True)
    mrp = column("mrp", NumberWidget(label="MRP"))
    selling_price = column("selling_price", NumberWidget(label="Selling price"), keep_when_empty=True)
    cost_price = column("cost_price", NumberWidget(label="Cost price"), keep_when_empty=True)
    tax_rate = column("tax_rate", TaxRateWidget(TaxRate), keep_when_empty=True)
    tax_inclusive = column("tax_inclusive", YesNoWidget(), keep_when_empty=True)
    reorder_level = column("reorder_level", NumberWidget(label="Reorder level"))
    reorder_quantity = column("reorder_quantity", NumberWidget(label="Reorder quantity"), keep_when_empty=True)
    is_active = column("is_active", YesNoWidget(), keep_when_empty=True)

    cost_fields = ("cost_price",)
    required_columns = ("sku",)
    column_aliases = {"price": "selling_price", "gst": "tax_rate", "gst_rate": "tax_rate", "hsn": "hsn_code",
                      "active": "is_active"}

    class Meta(ShopResource.Meta):
        model = Product
        name = "Products"
        fields = ("sku", "name", "barcode", "hsn_code", "category", "brand", "unit", "mrp", "selling_price",
                  "cost_price", "tax_rate", "tax_inclusive", "reorder_level", "reorder_quantity", "is_active")
        import_id_fields = ("sku",)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        skus = sorted({clean_text(v) for v in dataset["sku"]} - {""})
        self._file_barcodes: dict[str, str] = {}
        if "barcode" in dataset.headers:
            self._file_barcodes = {clean_text(sku): clean_text(barcode)
                                   for sku, barcode in zip(dataset["sku"], dataset["barcode"], strict=True)}
        barcodes = sorted(set(self._file_barcodes.values()) - {""})
        self._barcode_owners = {barcode: sku for chunk in chunks(barcodes)
                                for barcode, sku in Product.objects.filter(barcode__in=chunk)
                                .values_list("barcode", "sku")}
        self._skus = skus
        self._seen_barcodes: dict[str, int] = {}
        self._hsn_min_digits = ShopProfile.objects.get_profile().hsn_min_digits

    def existing_instances(self, dataset):
        related = ("category__parent", "brand", "unit", "tax_rate")
        return {p.sku: p for chunk in chunks(self._skus)
                for p in Product.objects.select_related(*related).filter(sku__in=chunk)}

    def row_key(self, row):
        return clean_text(row.get("sku"))

    def file_key(self, instance):
        return instance.sku or None

    def duplicate_message(self, instance, first_row):
        return "sku", f'SKU "{instance.sku}" is already on row {first_row} of this file.'

    def row_problems(self, instance, row, row_number):
        problems = super().row_problems(instance, row, row_number)
        if hsn_problem := hsn_length_problem(instance.hsn_code, self._hsn_min_digits):
            problems.setdefault("hsn_code", hsn_problem)
        barcode = instance.barcode
        if barcode:
            first = self._seen_barcodes.setdefault(barcode, row_number)
            owner = self._barcode_owners.get(barcode)
            if first != row_number:
                problems["barcode"] = f"Barcode {barcode} is already on row {first} of this file."
            elif owner and owner != instance.sku and self._file_barcodes.get(owner, barcode) == barcode:
                # The owner keeps it unless this same file gives that product another barcode.
                problems["barcode"] = f'Barcode {barcode} already belongs to the product with SKU "{owner}".'
        return problems

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk:
            instance.updated_at = timezone.now()  # bulk_update does not touch auto_now fields

    def get_bulk_update_fields(self):
        return [*super().get_bulk_update_fields(), "updated_at"]

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("category__parent", "brand", "unit", "tax_rate")


class OpeningStockResource(ShopResource):
    """Opening stock: sku, warehouse, quantity, unit_cost; each row becomes an OPENING movement.

    Rows are never written to Stock directly: after every row has passed, the whole file goes
    through `stock_add_opening` in one call, so Stock.quantity == Sum(movements) holds.
    Exporting from the stock list gives the current stock as an opening-stock sheet (the unit
    cost is the product's average cost).
    """

    sku = column("product", ProductBySkuWidget(Product, required=True), name="sku")
    warehouse = column("warehouse", WarehouseWidget(Warehouse, required=True))
    quantity = column("quantity", NumberWidget(label="Quantity"))
    unit_cost = column("unit_cost", NumberWidget(label="Unit cost"))

    cost_fields = ("unit_cost",)
    required_columns = ("sku", "warehouse", "quantity")
    column_aliases = {"qty": "quantity", "cost": "unit_cost", "godown": "warehouse"}

    QUANTITY_DIGITS = DecimalValidator(QUANTITY_FIELD["max_digits"], QUANTITY_FIELD["decimal_places"])
    MONEY_DIGITS = DecimalValidator(MONEY_FIELD["max_digits"], MONEY_FIELD["decimal_places"])

    class Meta(ShopResource.Meta):
        model = StockMovement
        name = "Opening stock"
        fields = ("sku", "warehouse", "quantity", "unit_cost")
        force_init_instance = True  # every row is a new movement
        skip_unchanged = False

    def init_instance(self, row=None):
        return StockMovement(kind=StockMovement.Kind.OPENING)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        skus = sorted({clean_text(v) for v in dataset["sku"]} - {""})
        products = [p for chunk in chunks(skus) for p in Product.objects.select_related("unit").filter(sku__in=chunk)]
        self.fields["sku"].widget.load(products)
        product_ids = sorted(p.pk for p in products)
        self._moved = {pair for chunk in chunks(product_ids) for pair in
                       StockMovement.objects.filter(product_id__in=chunk).values_list("product_id", "warehouse_id")
                       .distinct()}
        self._entries: list[StockChange] = []

    def file_key(self, instance):
        if instance.product_id and instance.warehouse_id:
            return instance.product_id, instance.warehouse_id
        return None

    def duplicate_message(self, instance, first_row):
        return "product", (f'SKU "{instance.product.sku}" in {instance.warehouse.name} is already on row '
                           f"{first_row} of this file.")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if "quantity" not in errors:
            message = self._quantity_problem(instance)
            if message:
                errors["quantity"] = [ValidationError(message)]
        if "unit_cost" not in errors and instance.unit_cost is not None:
            try:
                self.MONEY_DIGITS(instance.unit_cost)
            except ValidationError as error:
                errors["unit_cost"] = [error]
        if not errors.keys() & {"product", "warehouse"} and (instance.product_id, instance.warehouse_id) in self._moved:
            errors["product"] = [ValidationError(
                f'SKU "{instance.product.sku}" already has stock movements in {instance.warehouse.name}; opening '
                f"stock is only for a fresh start. Correct it with a stock count or an adjustment.")]
        if errors:
            raise ValidationError(self.errors_by_column(errors))

    def _quantity_problem(self, instance) -> str:
        amount = instance.quantity
        if amount is None:
            return MISSING
        if amount <= 0:
            return "Opening stock must be more than zero."
        try:
            self.QUANTITY_DIGITS(amount)
        except ValidationError as error:
            return next(iter(error))
        product = instance.product if instance.product_id else None
        if product is not None and not product.unit.allows_fraction and amount != amount.to_integral_value():
            return f"{product.name} is counted in whole {product.unit.code}: {amount:f} is not a whole number."
        return ""

    def save_instance(self, instance, is_create, row, **kwargs):
        self._entries.append(StockChange(instance.product, instance.warehouse, instance.quantity, instance.unit_cost))

    def after_import(self, dataset, result, **kwargs):
        """Write the whole sheet as OPENING movements, once every row has passed."""
        if self._entries and not self._nothing_to_keep(result):
            name = kwargs.get("file_name") or ""
            stock_add_opening(entries=self._entries, user=self._user,
                              reference=f"Opening stock {name}".strip())
        self._entries = []

    def get_queryset(self):
        return StockMovement.objects.filter(kind=StockMovement.Kind.OPENING)

    def filter_export(self, queryset, **kwargs):
        if queryset.model is Stock:
            # The stock list exports as an opening-stock sheet, which only holds quantities above zero.
            queryset = queryset.filter(quantity__gt=0)
        return queryset.select_related("product", "warehouse")

    def dehydrate_unit_cost(self, obj):
        return obj.unit_cost if isinstance(obj, StockMovement) else obj.product.cost_price


RESOURCES: dict[str, type[ShopResource]] = {
    "categories": CategoryResource,
    "brands": BrandResource,
    "suppliers": SupplierResource,
    "products": ProductResource,
    "opening-stock": OpeningStockResource,
}
