from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog.validators import validate_barcode, validate_hsn
from shop.gst import STATE_CHOICES, validate_gstin
from shop.money import MONEY_FIELD, QUANTITY_FIELD, RATE_FIELD, format_quantity
from shop.records import AppendOnlyRecord, append_only_triggers
from shop.validators import validate_plain_text

ZERO = Decimal("0")
# Days a supplier takes to deliver when the shop has not said otherwise (a local distributor's usual).
DEFAULT_LEAD_TIME_DAYS = 3


class TaxRate(models.Model):
    """A GST slab. Rates are data: old invoices keep the rate they were sold at."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    rate = models.DecimalField(_("GST rate (%)"), **RATE_FIELD, validators=[MinValueValidator(ZERO)])
    cess_rate = models.DecimalField(_("cess (%)"), **RATE_FIELD, default=ZERO, validators=[MinValueValidator(ZERO)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rate", "cess_rate"]
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of sale: pieces, kilograms, litres..."""

    code = models.CharField(_("code"), max_length=10, unique=True, help_text=_("Shown on bills: pcs, kg, l..."))
    name = models.CharField(_("name"), max_length=40)
    uqc = models.CharField(_("GST unit code (UQC)"), max_length=3, blank=True, help_text=_("NOS, KGS, LTR..."))
    allows_fraction = models.BooleanField(
        _("allows fractions"), default=False, help_text=_("On for loose goods sold by weight or volume (0.250 kg)."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.code


class CategoryManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("parent")  # every label shows the parent's name


class Category(models.Model):
    """A product category; a category may sit under one parent (two levels at most)."""

    name = models.CharField(_("name"), max_length=80, validators=[validate_plain_text])
    parent = models.ForeignKey("self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children")

    objects = CategoryManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="category_top_name_unique"),
            models.UniqueConstraint(fields=["parent", "name"], name="category_name_unique_in_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id else self.name

    def clean(self):
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": _("A category cannot be its own parent.")})
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Categories go two levels deep at most: pick a top-level parent.")})
            if self.pk and self.children.exists():
                raise ValidationError({"parent": _("This category has sub-categories, so it must stay top-level.")})


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True, validators=[validate_plain_text])

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something the shop sells. Prices are per unit; MRP-style prices include tax by default."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    sku = models.CharField(_("SKU"), max_length=40, unique=True, help_text=_("The shop's own code for this product."))
    barcode = models.CharField(_("barcode"), max_length=40, blank=True, validators=[validate_barcode],
                               help_text=_("EAN-13/UPC printed on the pack, or an internal code. Optional."))
    hsn_code = models.CharField(_("HSN code"), max_length=8, blank=True, validators=[validate_hsn])
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="products")
    brand = models.ForeignKey(Brand, verbose_name=_("brand"), on_delete=models.PROTECT, null=True, blank=True,
                              related_name="products")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="products")
    mrp = models.DecimalField(_("MRP"), **MONEY_FIELD, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    selling_price = models.DecimalField(_("selling price"), **MONEY_FIELD, validators=[MinValueValidator(ZERO)])
    tax_inclusive = models.BooleanField(_("price includes GST"), default=True)
    cost_price = models.DecimalField(_("cost price"), **MONEY_FIELD, default=ZERO, validators=[MinValueValidator(ZERO)],
                                     help_text=_("Average purchase cost per unit, before GST."))
    tax_rate = models.ForeignKey(TaxRate, verbose_name=_("GST rate"), on_delete=models.PROTECT, related_name="products")
    reorder_level = models.DecimalField(
        _("reorder level"), **QUANTITY_FIELD, null=True, blank=True, validators=[MinValueValidator(ZERO)],
        help_text=_("Low-stock alert at or below this quantity. Empty: the shop's default."))
    reorder_quantity = models.DecimalField(_("reorder quantity"), **QUANTITY_FIELD, default=ZERO,
                                           validators=[MinValueValidator(ZERO)])
    default_supplier = models.ForeignKey(
        "Supplier", verbose_name=_("usual supplier"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="products",
        help_text=_("Who the shop usually buys this from; their lead time sets when to reorder."))
    is_active = models.BooleanField(_("active"), default=True)
    image = models.ImageField(_("image"), upload_to="products/", blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        permissions = [("view_cost_price", _("Can see cost prices, margins and profit"))]
        constraints = [
            models.UniqueConstraint(fields=["barcode"], condition=~Q(barcode=""), name="product_barcode_unique"),
            models.CheckConstraint(condition=Q(selling_price__gte=0) & Q(cost_price__gte=0),
                                   name="product_prices_not_negative"),
        ]
        indexes = [models.Index(fields=["name"], name="product_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def clean(self):
        super().clean()
        if self.mrp is not None and self.selling_price is not None and self.selling_price > self.mrp:
            raise ValidationError({"selling_price": _("The selling price cannot be above the MRP.")})


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True, validators=[validate_plain_text])
    gstin = models.CharField(_("GSTIN"), max_length=15, blank=True, validators=[validate_gstin])
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True, validators=[validate_plain_text])
    lead_time_days = models.PositiveSmallIntegerField(
        _("lead time (days)"), default=DEFAULT_LEAD_TIME_DAYS,
        help_text=_("Days from placing an order to the goods being on the shelf."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    """A place stock is kept: the counter, a store room, a godown."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_default = models.BooleanField(_("default for sales"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_warehouse")
        ]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """How much of a product one warehouse holds. Changed only by catalog.services.stock_move."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="stocks")
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD, default=ZERO)
    # Set by the stock service from the shop's policy at the last decrement; lets the
    # database itself refuse negative stock when the shop does not allow it.
    negative_allowed = models.BooleanField(default=False, editable=False)
    location = models.CharField(_("shelf / bin"), max_length=40, blank=True)

    history = HistoricalRecords(excluded_fields=["quantity", "negative_allowed"])

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_product_warehouse_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0) | Q(negative_allowed=True),
                                   name="stock_not_negative_unless_allowed"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} @ {self.warehouse.name}: {format_quantity(self.quantity)}"


class StockMovement(AppendOnlyRecord):
    """One change of stock. Append-only: a mistake is corrected by a new adjustment."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening stock")
        PURCHASE = "purchase", _("Purchase")
        SALE = "sale", _("Sale")
        RETURN = "return", _("Customer return")
        ADJUSTMENT = "adjustment", _("Adjustment")
        TRANSFER_IN = "transfer_in", _("Transfer in")
        TRANSFER_OUT = "transfer_out", _("Transfer out")

    class Reason(models.TextChoices):
        DAMAGE = "damage", _("Damaged")
        EXPIRY = "expiry", _("Expired")
        COUNT = "count", _("Count correction")
        THEFT = "theft", _("Theft or loss")
        OTHER = "other", _("Other")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT,
                                  related_name="movements")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD, help_text=_("Positive in, negative out."))
    balance_after = models.DecimalField(_("balance after"), **QUANTITY_FIELD)
    unit_cost = models.DecimalField(_("unit cost"), **MONEY_FIELD, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            models.Index(fields=["product", "warehouse", "-created_at"], name="movement_product_time_idx"),
            models.Index(fields=["source_type", "source_id"], name="movement_source_idx"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        sign = "+" if self.quantity > 0 else ""
        return f"{self.get_kind_display()} {sign}{format_quantity(self.quantity)} {self.product.name}"



class StockDocument(models.Model):
    """A paper behind a stock change: drafted first, then applied once by a service."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DONE = "done", _("Done")

    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT, editable=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, editable=False, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT,
                                null=True, blank=True, editable=False, related_name="+")
    done_at = models.DateTimeField(_("applied"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class PurchaseReceipt(StockDocument):
    """Goods received against a supplier's bill."""

    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="receipts")
    bill_number = models.CharField(_("supplier's bill number"), max_length=40)
    bill_date = models.DateField(_("bill date"), default=timezone.localdate)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("received into"), on_delete=models.PROTECT,
                                  related_name="+")

    class Meta(StockDocument.Meta):
        verbose_name = _("purchase receipt")
        verbose_name_plural = _("purchase receipts")
        constraints = [models.UniqueConstraint(fields=["supplier", "bill_number"], name="receipt_bill_unique")]

    def __str__(self) -> str:
        return f"{self.supplier.name} bill {self.bill_number}"


class PurchaseLine(models.Model):
    receipt = models.ForeignKey(PurchaseReceipt, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD, validators=[MinValueValidator(Decimal("0.001"))])
    unit_cost = models.DecimalField(_("cost per unit"), **MONEY_FIELD, validators=[MinValueValidator(ZERO)],
                                    help_text=_("Before GST."))

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.name}"


class StockTransfer(StockDocument):
    """Goods moved from one warehouse to another; both legs happen in one transaction."""

    from_warehouse = models.ForeignKey(Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+")
    to_warehouse = models.ForeignKey(Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+")

    class Meta(StockDocument.Meta):
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")
        constraints = [models.CheckConstraint(condition=~Q(from_warehouse=F("to_warehouse")),
                                              name="transfer_between_two_warehouses")]

    def __str__(self) -> str:
        return f"Transfer #{self.pk}: {self.from_warehouse} → {self.to_warehouse}"

    def clean(self):
        if self.from_warehouse_id and self.from_warehouse_id == self.to_warehouse_id:
            raise ValidationError({"to_warehouse": _("Pick a different warehouse to move the goods to.")})


class StockTransferLine(models.Model):
    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD, validators=[MinValueValidator(Decimal("0.001"))])

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.name}"


class StockCount(StockDocument):
    """A physical count of some products in one warehouse; differences become adjustments."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")

    class Meta(StockDocument.Meta):
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return f"Count #{self.pk} in {self.warehouse}"


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    counted_quantity = models.DecimalField(_("counted"), **QUANTITY_FIELD, validators=[MinValueValidator(ZERO)])
    expected_quantity = models.DecimalField(_("in the books"), **QUANTITY_FIELD, null=True, blank=True,
                                            editable=False, help_text=_("Stock on record when the count was applied."))

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [models.UniqueConstraint(fields=["count", "product"], name="count_product_once")]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.counted_quantity}"

    @property
    def difference(self) -> Decimal | None:
        return None if self.expected_quantity is None else self.counted_quantity - self.expected_quantity


class ImportJob(models.Model):
    """A catalogue file imported by the background worker, all rows or none (catalog.import_jobs).

    The upload stays in the private upload storage under `upload_token` until the job finishes. Status
    moves queued -> running -> done or failed; every change is written outside the import's transaction,
    so the job page shows it while the import runs. Within that transaction progress is reported by
    stage (reading the file, then checking and saving its rows), not row by row.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for the background worker")
        READING = "reading", _("Reading the file")
        IMPORTING = "importing", _("Checking and saving every row")
        FINISHED = "finished", _("Finished")

    class Kind(models.TextChoices):
        CATEGORIES = "categories", _("categories")
        BRANDS = "brands", _("brands")
        SUPPLIERS = "suppliers", _("suppliers")
        PRODUCTS = "products", _("products")
        OPENING_STOCK = "opening-stock", _("opening stock")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (.xlsx)"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    upload_token = models.CharField(_("upload"), max_length=64, unique=True, editable=False,
                                    help_text=_("The stored upload's name in the private upload folder."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.WAITING)
    rows = models.PositiveIntegerField(_("rows read"), null=True, blank=True)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("problems found"), default=list, blank=True,
                              help_text=_("The first problems: row (the header is row 1), column and message."))
    message = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        permissions = [("view_all_importjobs", _("Can see everyone's import jobs"))]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_user_time_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["queued", "running", "done", "failed"]),
                                   name="importjob_status_valid"),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk}: {self.file_name or self.get_kind_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
