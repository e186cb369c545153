"""Password reset from the login page: Django's auth views in the look of unfold's login page."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shop.accounts import OutboxPasswordResetForm, password_reset_allowed_from
from shop.signin import client_ip_address


class AdminLookMixin:
    """Give the page what unfold's unauthenticated layout reads (site title, styles, colours)."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(AdminLookMixin, auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "registration/galla_password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")
    title = _("Reset your password")

    def form_valid(self, form):
        if not password_reset_allowed_from(client_ip_address(self.request)):
            form.add_error(None, _("Too many reset requests from here. Please try again in an hour."))
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetDoneView(AdminLookMixin, auth_views.PasswordResetDoneView):
    template_name = "registration/galla_password_reset_done.html"


class PasswordResetConfirmView(AdminLookMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/galla_password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(AdminLookMixin, auth_views.PasswordResetCompleteView):
    template_name = "registration/galla_password_reset_complete.html"
