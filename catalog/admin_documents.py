"""Admin pages for the papers behind stock changes: purchase receipts, transfers and counts.

A document is saved as a draft with its lines, then applied once with the button in the submit
row; applying calls the stock service, and an applied document is read-only.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display

from catalog import services
from catalog.admin_costs import HidesCostsMixin
from catalog.models import (
    PurchaseLine,
    PurchaseReceipt,
    StockCount,
    StockCountLine,
    StockTransfer,
    StockTransferLine,
)
from shop.money import format_inr, format_quantity

APPLY = "_apply"  # the submit button's name; handled once the lines are saved


class DocumentLineInline(TabularInline):
    extra = 3
    autocomplete_fields = ("product",)

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


class StockDocumentAdmin(ModelAdmin):
    """Drafts are editable; the apply button runs the document's stock service after the lines are saved."""

    apply_service: Callable
    actions_submit_line = ["apply_document"]
    list_filter = ("status",)
    readonly_fields = ("status", "created_by", "created_at", "done_by", "done_at")
    warn_unsaved_form = True

    @display(description=_("Status"), label={"draft": "warning", "done": "success"})
    def status_badge(self, obj):
        return obj.status

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj else [fs for fs in fieldsets if "status" not in fs[1]["fields"]]

    def has_apply_permission(self, request, object_id=None):
        obj = self.get_object(request, object_id) if object_id else None
        return obj is not None and self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if APPLY in request.POST:
            self.apply_now(request, form.instance)

    def apply_now(self, request, document) -> None:
        """Apply the saved draft through its service; a refusal is shown and the draft stays a draft."""
        try:
            movements = type(self).apply_service(document, request.user)
        except ValidationError as refusal:
            for message in refusal.messages:
                self.message_user(request, message, messages.ERROR)
            return
        self.message_user(request, _("%(doc)s applied: %(n)d stock movements recorded.")
                          % {"doc": document, "n": len(movements)}, messages.SUCCESS)


def _apply_action(description: str):
    """Return the submit-row button of a document admin (the work happens in save_related)."""

    @action(description=description, permissions=["apply"], attrs={"name": APPLY}, icon="check_circle")
    def apply_document(self, request, obj):
        pass  # never called: unfold runs actions before the lines are saved, so save_related applies instead

    return apply_document


class PurchaseLineInline(DocumentLineInline):
    model = PurchaseLine
    fields = ("product", "quantity", "unit_cost")


@admin.register(PurchaseReceipt)
class PurchaseReceiptAdmin(HidesCostsMixin, StockDocumentAdmin):
    cost_fields = ("total", "total_value")  # the bill's value: a sum of unit costs
    apply_service = staticmethod(lambda doc, user: services.stock_receive(receipt=doc, user=user))
    apply_document = _apply_action(_("Receive stock"))
    inlines = [PurchaseLineInline]
    list_display = ("bill_number", "supplier", "bill_date", "warehouse", "total", "status_badge", "done_at")
    list_filter = ("status", "supplier", "warehouse")
    search_fields = ("bill_number", "supplier__name")
    autocomplete_fields = ("supplier",)
    list_select_related = ("supplier", "warehouse")
    fieldsets = ((None, {"fields": ("supplier", "bill_number", "bill_date", "warehouse", "note")}),
                 (_("Record"), {"fields": ("status", "created_by", "created_at", "done_by", "done_at")}))

    def get_queryset(self, request):
        value = ExpressionWrapper(F("lines__quantity") * F("lines__unit_cost"),
                                  output_field=DecimalField(max_digits=20, decimal_places=5))
        return super().get_queryset(request).annotate(total_value=Sum(value))

    @display(description=_("Total (before GST)"), ordering="total_value")
    def total(self, obj):
        return format_inr(obj.total_value or 0)


class StockTransferLineInline(DocumentLineInline):
    model = StockTransferLine
    fields = ("product", "quantity")


@admin.register(StockTransfer)
class StockTransferAdmin(StockDocumentAdmin):
    apply_service = staticmethod(lambda doc, user: services.stock_transfer(transfer=doc, user=user))
    apply_document = _apply_action(_("Make the transfer"))
    inlines = [StockTransferLineInline]
    list_display = ("__str__", "from_warehouse", "to_warehouse", "status_badge", "created_at", "done_at")
    list_filter = ("status", "from_warehouse", "to_warehouse")
    list_select_related = ("from_warehouse", "to_warehouse")
    fieldsets = ((None, {"fields": ("from_warehouse", "to_warehouse", "note")}),
                 (_("Record"), {"fields": ("status", "created_by", "created_at", "done_by", "done_at")}))


class StockCountLineInline(DocumentLineInline):
    model = StockCountLine
    fields = ("product", "counted_quantity", "expected_quantity", "difference")
    readonly_fields = ("expected_quantity", "difference")

    @display(description=_("difference"))
    def difference(self, line):
        if line.difference is None:
            return ""
        return ("+" if line.difference > 0 else "") + format_quantity(line.difference)


@admin.register(StockCount)
class StockCountAdmin(StockDocumentAdmin):
    apply_service = staticmethod(lambda doc, user: services.stock_count_apply(count=doc, user=user))
    apply_document = _apply_action(_("Apply the count"))
    inlines = [StockCountLineInline]
    list_display = ("__str__", "warehouse", "status_badge", "created_at", "done_at")
    list_filter = ("status", "warehouse")
    list_select_related = ("warehouse",)
    fieldsets = ((None, {"fields": ("warehouse", "note")}),
                 (_("Record"), {"fields": ("status", "created_by", "created_at", "done_by", "done_at")}))
