from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from ledger import day_book_admin  # noqa: F401  (registers the day book's pages)
from ledger.models import Customer
from ledger.services import (
    CUSTOMER_FIELDS,
    PROTECTED_FIELDS,
    customer_apply,
    customer_create,
    customer_may_manage_credit,
    customer_new,
    customer_update,
)
from shop.admin_base import ReadOnlyHistoryMixin


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


@admin.register(Customer)
class CustomerAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin, ModelAdmin):
    form = CustomerForm
    list_display = ("name", "phone", "email", "gstin", "credit_limit", "is_active")
    list_filter = ("is_active", "state")
    search_fields = ("name", "=phone", "email", "=gstin")

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
