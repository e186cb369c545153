"""Admin building blocks shared by the apps."""

from unfold.admin import TabularInline


class RecordAdminMixin:
    """For records written by services (invoices, payments, movements, emails): looked at, never added,
    edited or deleted in the admin; corrections are new records made by a service."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(RecordAdminMixin, TabularInline):
    """Lines shown under a record, as they were written."""

    extra = 0
    can_delete = False
    show_change_link = False
