"""Fixtures for the udhar khata tests: a shop, a customer and credit sales through the real checkout."""

from decimal import Decimal

import pytest

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from sales.services import checkout
from shop.models import ShopProfile
from tests import factories


@pytest.fixture
def shop(db):
    profile = ShopProfile.objects.get_profile()
    profile.name, profile.state, profile.invoice_prefix = "Sharma Kirana Store", "27", "SKS"
    profile.gstin, profile.upi_vpa, profile.phone = "27AAPFU0939F1ZV", "sharmakirana@okaxis", "9822012345"
    profile.save()
    return profile


@pytest.fixture
def ravi(shop):
    return factories.CustomerFactory(name="Ravi Kumar", phone="9876500001", credit_limit=Decimal("100000"))


@pytest.fixture
def rice(shop):
    """A product at ₹1 (no tax), so a credit sale of n units is exactly ₹n."""
    product = factories.ProductFactory(name="Rice (loose)", selling_price=Decimal("1.00"),
                                       tax_rate=factories.tax_rate("0"))
    stock_add_opening(entries=[StockChange(product, Warehouse.objects.get(is_default=True), Decimal("1000000"))],
                      user=None)
    return product


@pytest.fixture
def sell_on_credit(rice, owner):
    """Return a function that sells `amount` rupees of rice to a customer on credit (udhar) and returns the invoice."""

    def sell(customer, amount, *, cashier=None):
        amount = Decimal(amount)
        return checkout(cashier=cashier or owner, customer=customer,
                        lines=[{"product": rice, "quantity": amount}],
                        payments=[{"method": "credit", "amount": amount}])

    return sell
