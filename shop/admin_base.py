"""Admin building blocks shared by the apps."""

from django.core.exceptions import PermissionDenied
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


class ReadOnlyHistoryMixin:
    """simple-history's version page saves a POSTed form for anyone who may view the object, whatever
    SIMPLE_HISTORY_REVERT_DISABLED says (a cashier could rewrite a product there). History is for reading."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
