"""Galla's admin site: unfold's, with its command search made safe against a bad page number and the
technical list of apps on a Settings page of its own (the home page is the dashboard)."""

from django.core.paginator import InvalidPage
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite


class GallaAdminSite(UnfoldAdminSite):
    def search(self, request, extra_context=None):
        """Answer 404 for a results page that is not a number or does not exist (unfold lets it raise a 500)."""
        try:
            return super().search(request, extra_context)
        except InvalidPage:
            raise Http404("No such page of search results.") from None

    def get_urls(self):
        from django.urls import path

        return [path("settings/", self.admin_view(self.settings_view), name="galla_settings"), *super().get_urls()]

    def settings_view(self, request):
        """Show every admin page the user may open, by app: Django's app list, moved off the home page."""
        from django.template.response import TemplateResponse

        context = {**self.each_context(request), "title": _("Settings"), "app_list": self.get_app_list(request)}
        return TemplateResponse(request, "admin/app_index.html", context)
