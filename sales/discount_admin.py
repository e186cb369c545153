"""Admin of discount rules and coupons (owners and managers): rules, codes, bulk codes as CSV, coupon emails."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectMultipleWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextInputWidget,
)

from ledger.models import Customer
from sales.coupons import MAX_GENERATED, coupon_email_queue, coupon_terms, coupons_csv, coupons_generate, rule_terms
from sales.discount_models import WEEKDAYS, Coupon, CouponRedemption, DiscountRule
from shop.admin_base import ReadOnlyInline
from shop.money import format_inr, format_quantity

SCOPE_FIELD = {
    DiscountRule.Scope.CATEGORY: "categories",
    DiscountRule.Scope.BRAND: "brands",
    DiscountRule.Scope.PRODUCTS: "products",
}


class DiscountRuleForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(label=_("weekdays"), choices=WEEKDAYS, required=False,
                                         widget=UnfoldAdminCheckboxSelectMultipleWidget,
                                         help_text=_("None ticked: every day."))

    class Meta:
        model = DiscountRule
        fields = ("name", "is_active", "kind", "value", "buy_quantity", "get_quantity", "scope", "categories", "brands",
                  "products", "min_bill_value", "starts_on", "ends_on", "weekdays", "starts_at", "ends_at", "priority",
                  "stackable", "coupon_only")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.weekdays:
            self.initial["weekdays"] = list(self.instance.weekdays)

    def clean_weekdays(self) -> str:
        return "".join(sorted(set(self.cleaned_data["weekdays"])))

    def clean(self):
        cleaned = super().clean()
        scope = cleaned.get("scope")
        targets = SCOPE_FIELD.get(scope)
        if targets and not cleaned.get(targets):
            self.add_error(targets, _("Choose what the rule applies to."))
        for other in set(SCOPE_FIELD.values()) - {targets}:
            if cleaned.get(other):
                self.add_error(other, _("Leave this empty: the rule applies to %(scope)s.")
                               % {"scope": DiscountRule.Scope(scope).label.lower() if scope else "?"})
        return cleaned


@admin.register(DiscountRule)
class DiscountRuleAdmin(ModelAdmin):
    """Offers the counter applies by itself; coupon-only ones apply with one of their codes."""

    form = DiscountRuleForm
    list_display = ("name", "offer", "scope", "valid", "priority", "stackable", "coupon_only", "is_active")
    list_filter = ("is_active", "kind", "scope", "stackable", "coupon_only")
    search_fields = ("name",)
    autocomplete_fields = ("categories", "brands", "products")
    actions_detail = ["generate_coupons"]
    fieldsets = (
        (None, {"fields": ("name", "is_active", "kind", "value", ("buy_quantity", "get_quantity"))}),
        (_("What it applies to"), {"fields": ("scope", "categories", "brands", "products", "min_bill_value")}),
        (_("When"), {"fields": (("starts_on", "ends_on"), "weekdays", ("starts_at", "ends_at"))}),
        (_("With other offers"), {"fields": ("priority", "stackable", "coupon_only")}),
    )

    @display(description=_("offer"))
    def offer(self, rule):
        return "; ".join(rule_terms(rule)[:2])

    @display(description=_("valid"))
    def valid(self, rule):
        reason = rule.not_in_force_reason(timezone.now())
        return reason or _("now")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("categories", "brands", "products")

    def has_generate_coupons_permission(self, request, object_id=None):
        return request.user.has_perm("sales.add_coupon")

    @action(description=_("Generate coupons"), permissions=["generate_coupons"], icon="confirmation_number")
    def generate_coupons(self, request, object_id):
        return redirect(f"{reverse('admin:sales_coupon_generate')}?rule={int(object_id)}")


class RedemptionInline(ReadOnlyInline):
    model = CouponRedemption
    fields = ("invoice", "customer", "amount_text", "redeemed_at")
    readonly_fields = fields

    @display(description=_("discount given"))
    def amount_text(self, redemption):
        return format_inr(redemption.amount)


@admin.register(Coupon)
class CouponAdmin(ModelAdmin):
    """Codes tied to a rule; their uses are recorded by checkout, one per invoice."""

    list_display = ("code", "rule", "uses", "max_uses", "uses_per_customer", "first_purchase_only", "valid_until",
                    "is_active")
    list_filter = ("is_active", "first_purchase_only", "rule")
    search_fields = ("code", "rule__name")
    list_select_related = ("rule",)
    autocomplete_fields = ("rule",)
    inlines = [RedemptionInline]
    actions = ["export_csv"]
    actions_list = ["generate_coupons"]
    actions_detail = ["email_coupon"]
    fields = ("code", "rule", "max_uses", "uses_per_customer", "first_purchase_only", ("valid_from", "valid_until"),
              "is_active", "terms")
    readonly_fields = ("terms",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            use_count=Count("redemptions", filter=~Q(redemptions__invoice__status="cancelled")))

    @display(description=_("used"), ordering="use_count")
    def uses(self, coupon):
        return coupon.use_count

    @display(description=_("terms"))
    def terms(self, coupon):
        return "; ".join(coupon_terms(coupon)) if coupon.pk else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_generate_coupons_permission(self, request, object_id=None):
        return request.user.has_perm("sales.add_coupon")

    def has_email_coupon_permission(self, request, object_id=None):
        return request.user.has_perm("sales.change_coupon")

    @action(description=_("Generate single-use codes"), permissions=["generate_coupons"], icon="confirmation_number")
    def generate_coupons(self, request):
        return redirect("admin:sales_coupon_generate")

    @action(description=_("Email to customers"), permissions=["email_coupon"], icon="mail")
    def email_coupon(self, request, object_id):
        return redirect("admin:sales_coupon_email", int(object_id))

    @admin.action(description=_("Export the selected codes as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(queryset.select_related("rule").order_by("code"), "coupons.csv")

    def get_urls(self):
        generate = self.admin_site.admin_view(GenerateCouponsView.as_view(model_admin=self))
        email = self.admin_site.admin_view(EmailCouponView.as_view(model_admin=self))
        return [path("generate/", generate, name="sales_coupon_generate"),
                path("<int:pk>/email/", email, name="sales_coupon_email"), *super().get_urls()]


def csv_response(coupons, file_name: str) -> HttpResponse:
    response = HttpResponse(coupons_csv(coupons), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


class GenerateCouponsForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("discount rule"), queryset=DiscountRule.objects.filter(is_active=True),
                                  widget=UnfoldAdminSelectWidget)
    count = forms.IntegerField(label=_("how many codes"), min_value=1, max_value=MAX_GENERATED, initial=50,
                               widget=UnfoldAdminIntegerFieldWidget)
    prefix = forms.CharField(label=_("prefix"), max_length=8, required=False, widget=UnfoldAdminTextInputWidget,
                             help_text=_("Optional, like DIWALI-: letters, digits and dashes."))
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=UnfoldAdminSingleDateWidget)


class GenerateCouponsView(UnfoldModelAdminViewMixin, FormView):
    """Make single-use codes of a rule and download them as CSV, for printing."""

    title = _("Generate single-use coupon codes")
    permission_required = ("sales.add_coupon",)
    template_name = "admin/sales/coupon/generate.html"
    form_class = GenerateCouponsForm

    def get_initial(self):
        rule = self.request.GET.get("rule", "")
        return {"rule": int(rule)} if rule.isdigit() else {}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            coupons = coupons_generate(rule=data["rule"], count=data["count"], prefix=data["prefix"],
                                       valid_until=data["valid_until"], user=self.request.user)
        except ValidationError as refusal:
            for field, errors in refusal.message_dict.items():
                form.add_error(field if field in form.fields else "prefix" if field == "code" else None, errors)
            return self.form_invalid(form)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(coupons, f"coupons-{stamp}.csv")


class EmailCouponForm(forms.Form):
    customers = forms.ModelMultipleChoiceField(
        label=_("customers"), queryset=Customer.objects.filter(is_active=True).exclude(email="").order_by("name"),
        widget=UnfoldAdminSelectMultipleWidget(attrs={"size": 12}),
        help_text=_("Customers with an email address; hold Ctrl to choose several."))


class EmailCouponView(UnfoldModelAdminViewMixin, FormView):
    """Email a coupon's code and terms to chosen customers, through the outbox."""

    title = _("Email a coupon")
    permission_required = ("sales.change_coupon",)
    template_name = "admin/sales/coupon/email.html"
    form_class = EmailCouponForm

    def get_coupon(self) -> Coupon:
        return get_object_or_404(Coupon.objects.select_related("rule"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        coupon = self.get_coupon()
        return super().get_context_data(coupon=coupon, terms=coupon_terms(coupon), **kwargs)

    def form_valid(self, form):
        coupon = self.get_coupon()
        try:
            queued = coupon_email_queue(coupon=coupon, customers=form.cleaned_data["customers"], user=self.request.user)
        except ValidationError as refusal:
            form.add_error("customers", refusal.message_dict.get("customers", refusal.messages))
            return self.form_invalid(form)
        messages.success(self.request, _("%(count)s email(s) with coupon %(code)s queued.")
                         % {"count": format_quantity(len(queued)), "code": coupon.code})
        return redirect("admin:sales_coupon_change", coupon.pk)
