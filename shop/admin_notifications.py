"""The email outbox in the admin: what was sent, what is waiting, what failed and why; resend a failed one.

Rows are records written by the services: nobody adds, edits or deletes them here. Resending needs
the change permission (owner and manager); a cashier sees nothing of the outbox.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat, truncatechars
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateTimeFilter
from unfold.decorators import action, display

from shop.admin_base import ReadOnlyInline, RecordAdminMixin
from shop.notifications.models import OutboundEmail, OutboundEmailAttachment
from shop.notifications.services import email_resend

RESEND_PERMISSION = "shop.change_outboundemail"


class AttachmentInline(ReadOnlyInline):
    model = OutboundEmailAttachment
    fields = ("filename", "mimetype", "size_text")
    readonly_fields = fields
    show_title = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("shop.view_outboundemail")

    @display(description=_("size"))
    def size_text(self, attachment):
        return filesizeformat(attachment.size)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(RecordAdminMixin, ModelAdmin):
    """Emails are written by the services that cause them; resending is an action."""

    list_display = ("status_badge", "to", "subject", "attempts", "error_text", "created_at", "sent_at")
    list_display_links = ("to", "subject")
    list_filter = ("status", ("created_at", RangeDateTimeFilter), ("source_type", admin.RelatedOnlyFieldListFilter))
    list_filter_submit = True
    search_fields = ("to", "subject", "reference")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [AttachmentInline]
    actions = ["resend_selected"]
    actions_detail = ["resend"]
    fieldsets = (
        (None, {"fields": ("status", "to", "from_email", "reply_to", "subject", "reference", "source_text")}),
        (_("Delivery"), {"fields": ("attempts", "last_error", "next_attempt_at", "created_at", "created_by",
                                    "sent_at")}),
        (_("Message"), {"fields": ("text_preview", "html_preview")}),
    )
    readonly_fields = ("status", "to", "from_email", "reply_to", "subject", "reference", "source_text", "attempts",
                       "last_error", "next_attempt_at", "created_at", "created_by", "sent_at", "text_preview",
                       "html_preview")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("text_body", "html_body")  # loaded on the change page only

    def has_resend_permission(self, request, obj=None):
        return request.user.has_perm(RESEND_PERMISSION)

    @display(description=_("status"), ordering="status",
             label={"queued": "info", "sending": "warning", "sent": "success", "failed": "danger"})
    def status_badge(self, email):
        return email.status

    @display(description=_("last error"))
    def error_text(self, email):
        return truncatechars(email.last_error, 80)

    @display(description=_("about"))
    def source_text(self, email):
        source = email.source if email.source_type_id else None
        if source is None:
            return email.reference or "-"
        opts = source._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[source.pk])
        except NoReverseMatch:  # no admin page for that model
            return str(source)
        return format_html('<a href="{}" class="text-primary-600">{} {}</a>', url, opts.verbose_name, source)

    @display(description=_("text"))
    def text_preview(self, email):
        return format_html('<div style="white-space:pre-wrap;max-width:48rem">{}</div>', email.text_body)

    @display(description=_("HTML"))
    def html_preview(self, email):
        # Shown in a sandboxed frame: the email's markup never runs in the admin page.
        return format_html('<iframe sandbox="" srcdoc="{}" title="{}" '
                           'style="width:100%;min-height:28rem;border:1px solid #e5e7eb;border-radius:6px;'
                           'background:#fff"></iframe>', email.html_body, _("Email preview"))

    def _resend(self, request, emails) -> int:
        resent = 0
        for email in emails:
            try:
                email_resend(email=email)
            except ValidationError as refusal:
                self.message_user(request, f"{email.to}: {' '.join(refusal.messages)}", messages.WARNING)
            else:
                resent += 1
        return resent

    @action(description=_("Resend selected emails"), permissions=["resend"], icon="forward_to_inbox")
    def resend_selected(self, request, queryset):
        resent = self._resend(request, queryset.order_by("pk"))
        if resent:
            text = ngettext("%(count)d email is queued again.", "%(count)d emails are queued again.", resent)
            self.message_user(request, text % {"count": resent}, messages.SUCCESS)

    @action(description=_("Resend"), permissions=["resend"], icon="forward_to_inbox",
            dialog={"title": _("Resend this email?"),
                    "description": _("It goes back in the queue with fresh attempts and is sent within a minute."),
                    "form_submit_text": _("Resend")})
    def resend(self, request, form, object_id):
        email = self.get_object(request, object_id)
        if email is not None and self._resend(request, [email]):
            self.message_user(request, _("The email to %(to)s is queued again.") % {"to": email.to}, messages.SUCCESS)
        # The dialog posts through htmx, which follows this header to the reloaded page.
        return HttpResponse(headers={"HX-Redirect": reverse("admin:shop_outboundemail_change", args=[object_id])})
