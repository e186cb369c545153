"""The day book in the admin: the book itself (the entries' list page), its exports, the expense and
cash forms, and the closing history with the closing and reopening pages. Entries and closings are
written by services only: nothing here adds, edits or deletes one."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from ledger.closing_export import DayClosingExportView
from ledger.day_book_views import (
    CashMovementView,
    DayBookExportView,
    DayBookPdfView,
    DayBookView,
    DayCloseView,
    DayReopenView,
    ExpenseView,
    source_url,
)
from ledger.models import DayBookEntry, DayClosing
from ledger.selectors import day_book_entries_visible_to, entry_kind_text
from shop.admin_base import RecordAdminMixin
from shop.money import format_inr


@admin.register(DayBookEntry)
class DayBookEntryAdmin(RecordAdminMixin, ModelAdmin):
    """The entries' list is the day book page; one entry opens read-only, linked to its document."""

    fields = ("date", "time", "kind_text", "method", "amount_text", "reference", "note", "created_by", "source")
    readonly_fields = fields

    def get_queryset(self, request):
        return day_book_entries_visible_to(request.user, super().get_queryset(request)).select_related("created_by")

    def changelist_view(self, request, extra_context=None):
        return DayBookView.as_view(model_admin=self)(request)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(DayBookExportView.as_view(model_admin=self)), name="ledger_daybookentry_export"),
            path("pdf/", wrap(DayBookPdfView.as_view(model_admin=self)), name="ledger_daybookentry_pdf"),
            path("expense/", wrap(ExpenseView.as_view(model_admin=self)), name="ledger_daybookentry_expense"),
            path("cash/", wrap(CashMovementView.as_view(model_admin=self)), name="ledger_daybookentry_cash"),
            *super().get_urls(),
        ]

    @display(description=_("time"))
    def time(self, entry):
        return entry.created_at

    @display(description=_("kind"))
    def kind_text(self, entry):
        return entry_kind_text(entry)

    @display(description=_("amount"))
    def amount_text(self, entry):
        return format_inr(entry.amount)

    @display(description=_("document"))
    def source(self, entry):
        url = source_url(entry)
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, entry.reference or url) if url else "-"


@admin.register(DayClosing)
class DayClosingAdmin(RecordAdminMixin, ModelAdmin):
    """The closing history: each count with what was expected and the difference; the owner reopens a day."""

    list_display = ("day", "opening", "cash_in_text", "cash_out_text", "expected", "counted", "difference_badge",
                    "closed_by", "closed_at", "status")
    list_filter = (("day", RangeDateFilter),)
    list_filter_submit = True
    list_select_related = ("closed_by", "reopening__reopened_by", "book_day")
    show_full_result_count = False
    actions_list = ["close_a_day"]
    actions_detail = ["reopen_day"]
    list_before_template = "admin/ledger/dayclosing/export_links.html"  # CSV and Excel of what the list shows
    fieldsets = (
        (None, {"fields": ("day", "status", "closed_by", "closed_at", "note")}),
        (_("Cash"), {"fields": ("opening", "cash_in_text", "cash_out_text", "expected", "counted",
                                "difference_badge", "count")}),
    )
    readonly_fields = ("day", "status", "closed_by", "closed_at", "note", "opening", "cash_in_text", "cash_out_text",
                       "expected", "counted", "difference_badge", "count")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("close/", wrap(DayCloseView.as_view(model_admin=self)), name="ledger_dayclosing_close"),
            path("<int:pk>/reopen/", wrap(DayReopenView.as_view(model_admin=self)), name="ledger_dayclosing_reopen"),
            path("export/", wrap(DayClosingExportView.as_view(model_admin=self)), name="ledger_dayclosing_export"),
            *super().get_urls(),
        ]

    # Unfold checks dotted permissions against the database at start-up, so actions name these methods.
    def has_close_a_day_permission(self, request, object_id=None):
        return request.user.has_perm("ledger.close_day")

    def has_reopen_day_permission(self, request, object_id=None):
        if not request.user.has_perm("ledger.reopen_day"):
            return False
        return not object_id or DayClosing.objects.filter(pk=object_id, book_day__isnull=False).exists()

    @action(description=_("Close a day"), permissions=["close_a_day"], icon="lock_clock")
    def close_a_day(self, request):
        return redirect("admin:ledger_dayclosing_close")

    @action(description=_("Reopen the day"), permissions=["reopen_day"], icon="lock_open", variant="danger")
    def reopen_day(self, request, object_id):
        return redirect("admin:ledger_dayclosing_reopen", object_id)

    @display(description=_("opening"))
    def opening(self, closing):
        return format_inr(closing.opening_cash)

    @display(description=_("cash in"))
    def cash_in_text(self, closing):
        return format_inr(closing.cash_in)

    @display(description=_("cash out"))
    def cash_out_text(self, closing):
        return format_inr(closing.cash_out)

    @display(description=_("expected"))
    def expected(self, closing):
        return format_inr(closing.expected_cash)

    @display(description=_("counted"))
    def counted(self, closing):
        return format_inr(closing.counted_cash)

    @display(description=_("difference"), ordering="difference",
             label={"short": "danger", "over": "warning", "exact": "success"})
    def difference_badge(self, closing):
        if closing.difference < 0:
            return "short", f"{format_inr(closing.difference)} short"
        if closing.difference > 0:
            return "over", f"+{format_inr(closing.difference)} over"
        return "exact", format_inr(0)

    @display(description=_("status"))
    def status(self, closing):
        reopening = getattr(closing, "reopening", None)
        if reopening is None:
            return _("Closed")
        who = reopening.reopened_by.get_full_name() or reopening.reopened_by.get_username()
        return _("Reopened by %(who)s: %(reason)s") % {"who": who, "reason": reopening.reason}

    @display(description=_("count"))
    def count(self, closing):
        if not closing.denominations:
            return _("Total only")
        # Largest note first: PostgreSQL's jsonb keeps its own key order, not the order they were counted in.
        notes = sorted(((int(value), count) for value, count in closing.denominations.items() if value != "coins"),
                       reverse=True)
        parts = [f"₹{value} × {count}" for value, count in notes]
        if "coins" in closing.denominations:
            parts.append(f"coins {format_inr(closing.denominations['coins'])}")
        return ", ".join(parts)
