from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import AutocompleteSelectFilter, RangeDateTimeFilter, RelatedDropdownFilter
from unfold.decorators import display

# Registered there: purchase receipts, transfers and counts; the background import jobs.
from catalog import admin_documents, admin_import_jobs  # noqa: F401
from catalog.admin_costs import HidesCostsMixin
from catalog.admin_import import ShopImportExportMixin
from catalog.admin_views import LowStockView
from catalog.models import Brand, Category, Product, Stock, StockMovement, Supplier, TaxRate, Unit, Warehouse
from catalog.resources import BrandResource, CategoryResource, OpeningStockResource, ProductResource, SupplierResource
from catalog.selectors import last_movements, low_stock_products, out_of_stock_products, with_stock_on_hand
from catalog.services import stock_adjust
from catalog.validators import hsn_length_problem
from shop.admin_base import ReadOnlyHistoryMixin, RecordAdminMixin
from shop.models import ShopProfile
from shop.money import format_inr, format_quantity
from shop.paginator import EstimatingPaginator


@admin.register(TaxRate)
class TaxRateAdmin(ModelAdmin):
    list_display = ("name", "rate", "cess_rate", "is_active")
    list_editable = ("is_active",)


@admin.register(Unit)
class UnitAdmin(ModelAdmin):
    list_display = ("code", "name", "uqc", "allows_fraction")
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(ShopImportExportMixin, ModelAdmin):
    resource_classes = [CategoryResource]
    list_display = ("name", "parent")
    list_filter = ("parent",)
    search_fields = ("name", "parent__name")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(Brand)
class BrandAdmin(ShopImportExportMixin, ModelAdmin):
    resource_classes = [BrandResource]
    search_fields = ("name",)


@admin.register(Supplier)
class SupplierAdmin(ShopImportExportMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    resource_classes = [SupplierResource]
    list_display = ("name", "gstin", "phone", "email", "lead_time_days")
    search_fields = ("name", "gstin", "phone")


@admin.register(Warehouse)
class WarehouseAdmin(ModelAdmin):
    list_display = ("name", "is_default", "is_active")
    search_fields = ("name",)


class StockInline(TabularInline):
    model = Stock
    fields = ("warehouse", "quantity", "location")
    readonly_fields = ("warehouse", "quantity")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StockLevelFilter(admin.SimpleListFilter):
    title = _("stock level")
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", _("Low (at or below reorder level)")), ("out", _("Out of stock"))]

    def queryset(self, request, queryset):
        # Filter by ids from one grouped query, not by the list's per-row stock subquery.
        if self.value() == "low":
            return queryset.filter(pk__in=low_stock_products(Product.objects.all()).values("pk"))
        if self.value() == "out":
            return queryset.filter(pk__in=out_of_stock_products(Product.objects.all()).values("pk"))
        return queryset


class ProductForm(forms.ModelForm):
    def clean_hsn_code(self):
        code = self.cleaned_data["hsn_code"]
        if problem := hsn_length_problem(code, ShopProfile.objects.get_profile().hsn_min_digits):
            raise ValidationError(problem)
        return code


@admin.register(Product)
class ProductAdmin(ShopImportExportMixin, HidesCostsMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    resource_classes = [ProductResource]
    form = ProductForm
    cost_fields = ("cost",)
    list_display = ("name", "sku", "barcode", "category", "price", "cost", "stock_on_hand", "tax_rate", "is_active")
    list_filter = ("is_active", StockLevelFilter, ("category", RelatedDropdownFilter),
                   ("brand", RelatedDropdownFilter), ("tax_rate", RelatedDropdownFilter))
    list_filter_submit = True
    search_fields = ("name", "=sku", "=barcode")
    autocomplete_fields = ("category", "brand", "unit", "default_supplier")
    list_select_related = ("category__parent", "tax_rate", "unit")
    list_per_page = 50
    show_full_result_count = False  # counting 100k rows on every page view is wasted work
    inlines = [StockInline]
    change_form_after_template = "admin/catalog/product/last_movements.html"
    fieldsets = (
        (None, {"fields": ("name", "sku", "barcode", "category", "brand", "unit", "is_active", "image")}),
        (_("Price and tax"), {"fields": ("mrp", "selling_price", "tax_inclusive", "tax_rate", "hsn_code",
                                         "cost_price")}),
        (_("Reordering"), {"fields": ("reorder_level", "reorder_quantity", "default_supplier")}),
    )

    @display(description=_("Price"), ordering="selling_price")
    def price(self, obj):
        return format_inr(obj.selling_price)

    @display(description=_("Cost"), ordering="cost_price")
    def cost(self, obj):
        return format_inr(obj.cost_price)

    @display(description=_("In stock"), ordering="on_hand")
    def stock_on_hand(self, obj):
        return f"{format_quantity(obj.on_hand)} {obj.unit.code}"

    def get_queryset(self, request):
        return with_stock_on_hand(super().get_queryset(request))

    def get_urls(self):
        low_stock = self.admin_site.admin_view(LowStockView.as_view(model_admin=self))
        return [path("low-stock/", low_stock, name="catalog_product_low_stock"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        product = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}),
                         "last_movements": last_movements(product) if product else []}
        return super().change_view(request, object_id, form_url, extra_context)


class StockAdjustForm(forms.ModelForm):
    """The stock row's shelf, plus an optional adjustment recorded through the stock service."""

    adjust_by = forms.DecimalField(
        label=_("Adjust by"), required=False, max_digits=12, decimal_places=3,
        help_text=_("Signed: -2 takes two out, 5 adds five. Leave empty to change nothing."))
    reason = forms.ChoiceField(label=_("Reason"), required=False,
                               choices=[("", "---------"), *StockMovement.Reason.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    class Meta:
        model = Stock
        fields = ("location",)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("adjust_by") and not cleaned.get("reason"):
            self.add_error("reason", _("Say why the stock changes."))
        if cleaned.get("adjust_by") == 0:
            self.add_error("adjust_by", _("An adjustment of zero changes nothing; leave it empty."))
        return cleaned


@admin.register(Stock)
class StockAdmin(ShopImportExportMixin, HidesCostsMixin, ModelAdmin):
    resource_classes = [OpeningStockResource]
    form = StockAdjustForm
    list_display = ("product", "warehouse", "quantity", "location")
    list_filter = ("warehouse",)
    search_fields = ("product__name", "=product__sku", "=product__barcode")
    list_select_related = ("product", "warehouse")
    fieldsets = ((None, {"fields": ("product", "warehouse", "quantity", "location")}),
                 (_("Adjust stock"), {"fields": ("adjust_by", "reason", "note")}))
    readonly_fields = ("product", "warehouse", "quantity")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("adjust_by"):
            try:
                stock_adjust(product=obj.product, warehouse=obj.warehouse, quantity=form.cleaned_data["adjust_by"],
                             reason=form.cleaned_data["reason"], user=request.user, note=form.cleaned_data["note"])
            except ValidationError as refusal:
                for message in refusal.messages:
                    self.message_user(request, message, messages.ERROR)

    def has_add_permission(self, request):
        return False  # stock rows appear when goods move; quantities change only through movements

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(RecordAdminMixin, HidesCostsMixin, ModelAdmin):
    list_display = ("created_at", "product", "warehouse", "kind", "signed_quantity", "balance_after", "reference",
                    "user")
    list_filter = ("kind", ("created_at", RangeDateTimeFilter), ("product", AutocompleteSelectFilter), "warehouse",
                   "reason")
    list_filter_submit = True
    search_fields = ("=product__sku", "reference")
    show_full_result_count = False
    paginator = EstimatingPaginator  # no COUNT(*) of the whole table on PostgreSQL
    list_select_related = ("product", "warehouse", "user")

    @display(description=_("Quantity"), ordering="quantity")
    def signed_quantity(self, obj):
        return ("+" if obj.quantity > 0 else "") + format_quantity(obj.quantity)
