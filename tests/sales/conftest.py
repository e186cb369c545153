from decimal import Decimal

import pytest

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from shop.models import ShopProfile
from tests import factories


@pytest.fixture
def shop(db):
    """The shop profile: Maharashtra, prefix SKS, financial year from April, rounding on."""
    profile = ShopProfile.objects.get_profile()
    profile.name, profile.state, profile.invoice_prefix = "Sharma Kirana Store", "27", "SKS"
    profile.gstin = "27AAPFU0939F1ZV"
    profile.save()
    return profile


@pytest.fixture
def shop_floor(db):
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def stocked(shop_floor):
    """Return a function that makes a product with stock on the shop floor."""

    def make(quantity="100", **fields):
        product = factories.ProductFactory(**fields)
        stock_add_opening(entries=[StockChange(product, shop_floor, Decimal(quantity))], user=None)
        return product

    return make
