from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin

from ledger.models import Customer


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ("name", "phone", "email", "gstin", "credit_limit", "is_active")
    list_filter = ("is_active", "state")
    search_fields = ("name", "=phone", "email", "=gstin")
