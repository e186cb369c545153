from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from shop import (
    admin_inbox,  # noqa: F401  (registers the in-app notifications)
    admin_notifications,  # noqa: F401  (registers the email outbox)
    admin_tasks,  # noqa: F401  (re-skins Django-Q2's pages)
    roles,
    signin,
)
from shop.accounts import welcome_email_queue
from shop.admin_base import ReadOnlyHistoryMixin
from shop.models import ShopProfile, User
from shop.services import user_set_role, user_unlock_sign_in

admin.site.unregister(Group)


class RoleChoiceMixin(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role, role) for role in roles.ROLES],
        help_text=_("Owner: everything. Manager: all but users. Cashier: the counter, products and customers."))


class ShopUserCreationForm(RoleChoiceMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "email")


class ShopUserChangeForm(RoleChoiceMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    form = ShopUserChangeForm
    add_form = ShopUserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "full_name", "role_badge", "sign_in_badge", "email", "is_active", "last_login")
    list_filter = ("groups", "is_active")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("role", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "first_name", "email", "role", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    actions = ["unlock_sign_in"]

    def get_queryset(self, request):
        return (super().get_queryset(request).prefetch_related("groups")
                .annotate(failed_sign_ins=signin.recent_failures_for_username()))

    @display(description=_("Name"))
    def full_name(self, obj):
        return obj.get_full_name()

    @display(description=_("Role"), label={roles.OWNER: "danger", roles.MANAGER: "warning", roles.CASHIER: "info"})
    def role_badge(self, obj):
        return obj.role

    @display(description=_("Sign-in"), label={_("Locked"): "danger"})
    def sign_in_badge(self, obj):
        return _("Locked") if signin.is_locked_out(obj.failed_sign_ins) else ""

    @action(description=_("Unlock sign-in"), permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        users = list(queryset)
        for user in users:
            user_unlock_sign_in(user=user)
        self.message_user(request, _("Sign-in unlocked for %(names)s: they can sign in again now.") % {
            "names": ", ".join(user.get_username() for user in users)})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_set_role(user=obj, role=form.cleaned_data["role"])
        if not change and welcome_email_queue(user=obj, created_by=request.user) is not None:
            self.message_user(request, _("A welcome email with a link to choose a password is on its way to "
                                         "%(email)s.") % {"email": obj.email})


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


@admin.register(ShopProfile)
class ShopProfileAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    """One profile per installation: the list jumps straight to it, and nobody adds or deletes one."""

    fieldsets = (
        (_("Shop"), {"fields": ("name", "address", "state", "phone", "email", "logo")}),
        (_("Tax"), {"fields": ("gstin", "composition_scheme", "hsn_min_digits")}),
        (_("Billing"), {"fields": ("invoice_prefix", "financial_year_start_month", "round_off", "upi_vpa",
                                   "cashier_discount_limit", "default_credit_limit")}),
        (_("Stock"), {"fields": ("allow_negative_stock", "low_stock_threshold")}),
        (_("Returns"), {"fields": ("return_window_days", "cashier_return_limit", "non_returnable_categories")}),
    )
    autocomplete_fields = ("non_returnable_categories",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        profile = ShopProfile.objects.get_profile()
        return HttpResponseRedirect(reverse("admin:shop_shopprofile_change", args=[profile.pk]))
