from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import display

from catalog.admin_import import ShopImportExportMixin, ShopImportForm
from catalog.importing import IMPORT_PERMISSION, FileUnreadable
from ledger import day_book_admin  # noqa: F401  (registers the day book's pages)
from ledger.admin_views import (
    VIEW_ENTRIES_PERMISSION,
    annotate_entry_links,
    credit_entry_urls,
    customer_khata_urls,
)
from ledger.models import CreditEntry, Customer
from ledger.resources import CustomerResource
from ledger.selectors import (
    StatementLine,
    ageing_for_customers,
    customer_ageing,
    customer_balance,
    customers_with_balances,
    entry_particulars,
)
from ledger.services import (
    ADJUST_CREDIT_PERMISSION,
    CREDIT_PERMISSION,
    CUSTOMER_FIELDS,
    PROTECTED_FIELDS,
    RECEIVE_PAYMENT_PERMISSION,
    customer_apply,
    customer_create,
    customer_may_manage_credit,
    customer_new,
    customer_update,
)
from shop.admin_base import ReadOnlyHistoryMixin, RecordAdminMixin
from shop.money import format_inr
from shop.paginator import EstimatingPaginator
from shop.spreadsheets import check_upload_size


class CustomerForm(forms.ModelForm):
    """The customer form: a new one starts from the shop's defaults, and the service judges every save."""

    user = None  # the user of this request, set by CustomerAdmin.get_form

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance or customer_new(), **kwargs)

    def service_fields(self) -> dict:
        """Return the cleaned values of the customer fields this form carries."""
        return {name: value for name, value in self.cleaned_data.items() if name in CUSTOMER_FIELDS}

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        # A dry run of the save on the stored row, so a refusal shows on the form instead of failing the save.
        stored = Customer.objects.get(pk=self.instance.pk) if self.instance.pk else customer_new()
        try:
            customer_apply(customer=stored, user=self.user, fields=self.service_fields())
        except ValidationError as refusal:
            for name, problems in refusal.error_dict.items():
                if name in self.fields or name == NON_FIELD_ERRORS:
                    self.add_error(name if name in self.fields else None, problems)
                else:
                    label = capfirst(Customer._meta.get_field(name).verbose_name)
                    self.add_error(None, [f"{label}: {message}" for e in problems for message in e.messages])


# --- Udhar khata on the customer list -------------------------------------------------------------------------

KHATA_LINES = 50  # entries shown on the customer page; the statement has them all
AGEING_SHORT = ("0–30", "31–60", "61–90", "90+")


class KhataFilter(admin.SimpleListFilter):
    title = _("khata")
    parameter_name = "khata"

    def lookups(self, request, model_admin):
        return [("owes", _("Owes something")), ("over_limit", _("Over the credit limit")),
                ("clear", _("Owes nothing")), ("advance", _("Paid in advance"))]

    def queryset(self, request, queryset):
        conditions = {"owes": Q(owed__gt=0), "over_limit": Q(owed__gt=F("credit_limit")), "clear": Q(owed=0),
                      "advance": Q(owed__lt=0)}
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset


class OwedForFilter(admin.SimpleListFilter):
    """Customers with some of their debt older than 30, 60 or 90 days (first in, first out)."""

    title = _("owed for")
    parameter_name = "owed_for"
    DAYS = {"30": 30, "60": 60, "90": 90}

    def lookups(self, request, model_admin):
        return [(key, _("More than %(days)s days") % {"days": days}) for key, days in self.DAYS.items()]

    def queryset(self, request, queryset):
        days = self.DAYS.get(self.value())
        if days is None:
            return queryset
        return queryset.filter(oldest_due_on__lt=timezone.localdate() - timedelta(days=days))


class CustomerImportForm(ShopImportForm):
    """The upload step of the customer import: the size limit's message without the catalogue command."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_upload_size(upload)
        return upload


@admin.register(Customer)
class CustomerAdmin(ShopImportExportMixin, ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    form = CustomerForm
    list_display = ("name", "phone", "balance_text", "limit_text", "ageing_text", "last_payment_text", "is_active")
    list_filter = (KhataFilter, OwedForFilter, "is_active", "state")
    search_fields = ("name", "=phone", "email", "=gstin")
    resource_classes = [CustomerResource]
    import_form_class = CustomerImportForm
    change_form_outer_before_template = "admin/ledger/customer/khata_panel.html"
    change_form_outer_after_template = "admin/ledger/customer/khata_entries.html"

    def get_queryset(self, request):
        # Balances from the maintained rows (one LEFT JOIN), never a sum over every entry.
        return customers_with_balances(super().get_queryset(request))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        ageing = ageing_for_customers(changelist.result_list)  # one grouped query for the page
        for customer in changelist.result_list:
            customer.ageing = ageing[customer.pk]
        return changelist

    @display(description=_("balance"), ordering="owed")
    def balance_text(self, customer):
        if customer.owed > customer.credit_limit:
            return format_html('<span class="text-red-600 font-semibold" title="{}">{}</span>',
                               _("over the credit limit"), format_inr(customer.owed))
        return format_inr(customer.owed)

    @display(description=_("credit limit"), ordering="credit_limit")
    def limit_text(self, customer):
        return format_inr(customer.credit_limit)

    @display(description=_("owed by age (days)"), ordering="oldest_due_on")
    def ageing_text(self, customer):
        ageing = getattr(customer, "ageing", None)
        if ageing is None or not ageing.owed:
            return "—"
        return " · ".join(f"{label}: {format_inr(amount)}" for label, (_label, amount)
                          in zip(AGEING_SHORT, ageing.buckets, strict=True) if amount)

    @display(description=_("last payment"), ordering="last_payment_at")
    def last_payment_text(self, customer):
        if customer.last_payment_at is None:
            return _("never") if customer.owed else "—"
        days = (timezone.localdate() - timezone.localdate(customer.last_payment_at)).days
        return _("today") if days == 0 else _("%(days)s days ago") % {"days": days}

    def has_import_permission(self, request) -> bool:
        # Opening balances and credit limits come in with the customers: owners and managers only.
        return request.user.has_perms((IMPORT_PERMISSION, ADJUST_CREDIT_PERMISSION, CREDIT_PERMISSION))

    def has_export_permission(self, request) -> bool:
        return request.user.has_perm(VIEW_ENTRIES_PERMISSION)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileUnreadable):  # its own words, without the catalogue command's hint
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_urls(self):
        return [*customer_khata_urls(self), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, unquote(object_id))
        if customer is not None:
            extra_context = {**(extra_context or {}), "khata": self.khata_context(request, customer)}
        return super().change_view(request, object_id, form_url, extra_context)

    def khata_context(self, request, customer: Customer) -> dict:
        """Return what the customer page shows of the khata, and the buttons this user may use."""
        user = request.user
        balance = customer_balance(customer)
        last_payment = (customer.credit_entries.filter(kind=CreditEntry.Kind.PAYMENT, reversed_by__isnull=True)
                        .order_by("-created_at").values_list("created_at", flat=True).first())
        context = {
            "balance": balance, "over_limit": balance > customer.credit_limit, "ageing": customer_ageing(customer),
            "last_payment_at": last_payment, "lines": None,
            "days_since_payment": (timezone.localdate() - timezone.localdate(last_payment)).days if last_payment
            else None,
            "receive_url": f"{reverse('admin:ledger_customer_receive_payment')}?customer={customer.pk}"
            if user.has_perm(RECEIVE_PAYMENT_PERMISSION) and balance > 0 else "",
            "statement_url": reverse("admin:ledger_customer_statement", args=[customer.pk])
            if user.has_perm(VIEW_ENTRIES_PERMISSION) else "",
            "adjust_url": reverse("admin:ledger_customer_adjust", args=[customer.pk])
            if user.has_perm(ADJUST_CREDIT_PERMISSION) else "",
            "opening_url": reverse("admin:ledger_customer_opening_balance", args=[customer.pk])
            if user.has_perm(ADJUST_CREDIT_PERMISSION) else "",
        }
        if user.has_perm(VIEW_ENTRIES_PERMISSION):
            recent = list(customer.credit_entries.select_related("created_by").order_by("-created_at", "-pk")
                          [:KHATA_LINES + 1])
            context["more"] = len(recent) > KHATA_LINES
            lines, running = [], balance
            for entry in recent[:KHATA_LINES]:
                lines.append(StatementLine(entry=entry, day=timezone.localdate(entry.created_at),
                                           debit=max(entry.amount, 0), credit=max(-entry.amount, 0), balance=running))
                running -= entry.amount
            lines.reverse()
            annotate_entry_links([line.entry for line in lines], customer=customer, user=user)
            context["lines"] = lines
        return context

    def get_readonly_fields(self, request, obj=None):
        """Return the read-only fields: the credit limit, state, GSTIN and active flag need the credit permission."""
        readonly = tuple(super().get_readonly_fields(request, obj))
        if customer_may_manage_credit(user=request.user):
            return readonly
        return readonly + tuple(name for name in PROTECTED_FIELDS if name not in readonly)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # modelform_factory made this class for this request alone
        return form

    def save_model(self, request, obj, form, change):
        """Save through the service the counter uses too, then show the saved row."""
        if change:
            saved = customer_update(customer=obj, user=request.user, **form.service_fields())
        else:
            saved = customer_create(user=request.user, **form.service_fields())
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()


@admin.register(CreditEntry)
class CreditEntryAdmin(RecordAdminMixin, ModelAdmin):
    """Every khata line of every customer, as written: never edited or deleted. A mistaken repayment,
    adjustment or opening balance is reversed (a new entry), from its customer's page or here."""

    list_display = ("created_at", "customer", "kind", "particulars", "amount_text", "reference", "created_by",
                    "reversal_text")
    list_filter = ("kind", "method", ("created_at", RangeDateTimeFilter))
    list_filter_submit = True
    search_fields = ("customer__name", "=customer__phone", "reference")
    list_select_related = ("customer", "created_by", "reversed_by")
    show_full_result_count = False
    paginator = EstimatingPaginator  # no COUNT(*) of the whole table on PostgreSQL
    fields = ("customer", "kind", "amount", "method", "reference", "note", "reverses", "created_at", "created_by")
    readonly_fields = fields

    def get_urls(self):
        return [*credit_entry_urls(self), *super().get_urls()]

    @display(description=_("particulars"))
    def particulars(self, entry):
        return entry_particulars(entry)

    @display(description=_("amount"), ordering="amount")
    def amount_text(self, entry):
        return format_inr(entry.amount)

    @display(description=_("reversed"))
    def reversal_text(self, entry):
        try:
            return _("by #%(pk)s") % {"pk": entry.reversed_by.pk}
        except CreditEntry.DoesNotExist:
            return ""
