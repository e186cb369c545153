"""A supplier's lead time and a product's usual supplier: the facts reorder suggestions plan with
(reports.insights.stock_cover)."""

import pytest
from django.urls import reverse

from catalog.models import DEFAULT_LEAD_TIME_DAYS, Product, Supplier
from tests import factories
from tests.catalog.test_stock_admin import inline

pytestmark = pytest.mark.django_db


def test_a_new_supplier_delivers_in_the_default_lead_time():
    assert factories.SupplierFactory().lead_time_days == DEFAULT_LEAD_TIME_DAYS == 3


def test_supplier_admin_saves_the_lead_time(client, owner):
    client.force_login(owner)
    response = client.post(reverse("admin:catalog_supplier_add"), {"name": "Ravi Traders", "lead_time_days": "7"})
    assert response.status_code == 302
    assert Supplier.objects.get(name="Ravi Traders").lead_time_days == 7


def test_product_admin_saves_the_usual_supplier(client, owner):
    supplier = factories.SupplierFactory(name="Ravi Traders")
    client.force_login(owner)
    data = {"name": "Marie Gold", "sku": "MG-1", "barcode": "", "hsn_code": "1905", "unit": factories.unit("pcs").pk,
            "selling_price": "30", "tax_inclusive": "on", "tax_rate": factories.tax_rate("5").pk, "cost_price": "25",
            "reorder_quantity": "0", "default_supplier": supplier.pk, "is_active": "on", **inline("stocks", [])}
    response = client.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 302
    assert Product.objects.get(sku="MG-1").default_supplier == supplier
