"""Custom admin pages of the catalogue, in unfold's chrome."""

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from catalog.selectors import low_stock_products, suggested_order_quantity


class LowStockView(UnfoldModelAdminViewMixin, TemplateView):
    """Products at or below their reorder level, with how much to order."""

    title = _("Low stock")
    permission_required = ("catalog.view_product", "catalog.view_stock")
    template_name = "admin/catalog/low_stock.html"
    per_page = 100

    def get_context_data(self, **kwargs):
        page = Paginator(low_stock_products(), self.per_page).get_page(self.request.GET.get("page"))
        for product in page:
            product.suggested = suggested_order_quantity(
                on_hand=product.on_hand, level=product.level, reorder_quantity=product.reorder_quantity,
                whole_units=not product.unit.allows_fraction)
        return super().get_context_data(page=page, **kwargs)
