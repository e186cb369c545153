from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import display

from catalog.models import Brand, Category, Product, Stock, StockMovement, Supplier, TaxRate, Unit, Warehouse
from shop.money import format_inr

COST_PERMISSION = "catalog.view_cost_price"


class HidesCostsMixin:
    """Drop cost columns and fields for users without the cost-price permission (cashiers)."""

    cost_fields: tuple[str, ...] = ()

    def _hide_costs(self, request) -> bool:
        return not request.user.has_perm(COST_PERMISSION)

    def get_list_display(self, request):
        fields = super().get_list_display(request)
        return [f for f in fields if f not in self.cost_fields] if self._hide_costs(request) else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._hide_costs(request):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in self.cost_fields]})
            for name, options in fieldsets
        ]

    def get_exclude(self, request, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded + list(self.cost_fields) if self._hide_costs(request) else excluded


@admin.register(TaxRate)
class TaxRateAdmin(ModelAdmin):
    list_display = ("name", "rate", "cess_rate", "is_active")
    list_editable = ("is_active",)


@admin.register(Unit)
class UnitAdmin(ModelAdmin):
    list_display = ("code", "name", "uqc", "allows_fraction")
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(ModelAdmin):
    list_display = ("name", "parent")
    list_filter = ("parent",)
    search_fields = ("name", "parent__name")
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")


@admin.register(Brand)
class BrandAdmin(ModelAdmin):
    search_fields = ("name",)


@admin.register(Supplier)
class SupplierAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ("name", "gstin", "phone", "email")
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


@admin.register(Product)
class ProductAdmin(HidesCostsMixin, SimpleHistoryAdmin, ModelAdmin):
    cost_fields = ("cost_price", "cost")
    list_display = ("name", "sku", "barcode", "category", "price", "cost", "tax_rate", "is_active")
    list_filter = ("is_active", "category", "brand", "tax_rate")
    list_filter_submit = True
    search_fields = ("name", "=sku", "=barcode")
    autocomplete_fields = ("category", "brand", "unit")
    list_select_related = ("category__parent", "tax_rate")
    inlines = [StockInline]
    fieldsets = (
        (None, {"fields": ("name", "sku", "barcode", "category", "brand", "unit", "is_active", "image")}),
        (_("Price and tax"), {"fields": ("mrp", "selling_price", "tax_inclusive", "tax_rate", "hsn_code",
                                         "cost_price")}),
        (_("Reordering"), {"fields": ("reorder_level", "reorder_quantity")}),
    )

    @display(description=_("Price"), ordering="selling_price")
    def price(self, obj):
        return format_inr(obj.selling_price)

    @display(description=_("Cost"), ordering="cost_price")
    def cost(self, obj):
        return format_inr(obj.cost_price)


@admin.register(Stock)
class StockAdmin(ModelAdmin):
    list_display = ("product", "warehouse", "quantity", "location")
    list_filter = ("warehouse",)
    search_fields = ("product__name", "=product__sku", "=product__barcode")
    list_select_related = ("product", "warehouse")
    fields = ("product", "warehouse", "quantity", "location")
    readonly_fields = ("product", "warehouse", "quantity")

    def has_add_permission(self, request):
        return False  # stock rows appear when goods move; quantities change only through movements

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StockMovement)
class StockMovementAdmin(ModelAdmin):
    list_display = ("created_at", "product", "warehouse", "kind", "signed_quantity", "balance_after", "reference",
                    "user")
    list_filter = ("kind", ("created_at", RangeDateTimeFilter), "warehouse")
    list_filter_submit = True
    search_fields = ("product__name", "=product__sku", "reference")
    list_select_related = ("product", "warehouse", "user")
    date_hierarchy = "created_at"

    @display(description=_("Quantity"), ordering="quantity")
    def signed_quantity(self, obj):
        return f"{obj.quantity:+}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
