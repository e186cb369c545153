"""The in-app inbox: each user's own notifications, unread first, with "mark read" and "open" (marks it read
and follows its link). Rows are written by shop.notifications.inbox.notify; nobody adds or edits them here.
Every role holds view_notification; the queryset is the user's own rows, so another's is a 404-style redirect.
"""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from shop.admin_base import RecordAdminMixin
from shop.notifications.inbox import notifications_mark_read, notifications_visible_to
from shop.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(RecordAdminMixin, ModelAdmin):
    list_display = ("level_badge", "text_link", "created_at", "read_badge")
    list_filter = ("is_read", "level")
    actions = ["mark_selected_read"]
    actions_list = ["mark_all_read"]
    fields = ("level", "text", "link", "role", "created_at", "is_read", "read_at")
    readonly_fields = fields
    list_per_page = 50

    def get_queryset(self, request):
        return notifications_visible_to(request.user).order_by("is_read", "-created_at", "-pk")

    def has_read_permission(self, request, obj=None):
        return self.has_view_permission(request)

    def get_urls(self):
        opened = self.admin_site.admin_view(self.open_view)
        return [path("<int:pk>/open/", opened, name="shop_notification_open"), *super().get_urls()]

    def open_view(self, request, pk):
        """Mark the user's own notification read and go where it points (the list when it points nowhere)."""
        if not self.has_view_permission(request):
            return HttpResponseRedirect(reverse("admin:index"))
        notification = get_object_or_404(self.get_queryset(request), pk=pk)
        notifications_mark_read(user=request.user, ids=[notification.pk])
        target = notification.link
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                             require_https=request.is_secure()):
            target = reverse("admin:shop_notification_changelist")
        return HttpResponseRedirect(target)

    @display(description=_("level"), ordering="level",
             label={"info": "info", "warning": "warning", "danger": "danger"})
    def level_badge(self, notification):
        return notification.level

    @display(description=_("notification"))
    def text_link(self, notification):
        weight = "font-semibold" if not notification.is_read else ""
        return format_html('<a href="{}" class="{}">{}</a>', reverse("admin:shop_notification_open",
                                                                   args=[notification.pk]), weight, notification.text)

    @display(description=_("read"), boolean=True, ordering="is_read")
    def read_badge(self, notification):
        return notification.is_read

    @action(description=_("Mark as read"), permissions=["read"])
    def mark_selected_read(self, request, queryset):
        count = notifications_mark_read(user=request.user, ids=queryset.values_list("pk", flat=True))
        self.message_user(request, ngettext("%(count)d notification marked read.",
                                            "%(count)d notifications marked read.", count) % {"count": count})

    @action(description=_("Mark all read"), icon="done_all", permissions=["read"])
    def mark_all_read(self, request):
        notifications_mark_read(user=request.user)
        return HttpResponseRedirect(reverse("admin:shop_notification_changelist"))
