"""Galla's admin site: unfold's, with its command search made safe against a bad page number."""

from django.core.paginator import InvalidPage
from django.http import Http404
from unfold.sites import UnfoldAdminSite


class GallaAdminSite(UnfoldAdminSite):
    def search(self, request, extra_context=None):
        """Answer 404 for a results page that is not a number or does not exist (unfold lets it raise a 500)."""
        try:
            return super().search(request, extra_context)
        except InvalidPage:
            raise Http404("No such page of search results.") from None
