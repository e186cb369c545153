"""A small shop history whose report figures are worked out by hand in tests/reports (see `november`).

All in shop time (Asia/Kolkata), November 2026; Monday 2 November starts the week.

Opening stock, Sun 1 Nov 09:00: Atta 50 and Soap 100 and Old stock 10 on the shop floor, Atta 20 in the godown.
1. Mon 2 Nov 10:15, cashier: 2 Atta at ₹250 (5% GST, inclusive) less ₹20, cash ₹480.
   CGST = SGST = round(480 × 5 / 210) = 11.43; taxable 457.14.
2. Mon 2 Nov 18:40, cashier: 3 Soap at ₹40 (18%), card ₹120. CGST = SGST = round(120 × 18 / 236) = 9.15;
   taxable 101.70.
3. Tue 3 Nov 12:30, cashier: 1 Atta + 1 Soap, cash ₹290; cancelled by the owner at 12:45.
4. Wed 4 Nov 11:00, cashier takes 1 Soap of bill 2 back, cash refund: taxable 33.90, CGST = SGST = 3.05, ₹40.
5. Thu 5 Nov 09:05, manager: 1 Atta with a ₹10 bill discount, cash ₹240. CGST = SGST = round(240 × 5 / 210)
   = 5.71; taxable 228.58.
Costs: Atta ₹200, Soap ₹30, Old stock ₹60 (never sold).
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from sales.models import Invoice
from sales.services import checkout, invoice_cancel, return_create
from tests import factories
from tests.sales.selling import exact_cash

SHOP_TIME = ZoneInfo("Asia/Kolkata")
NOVEMBER = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}


@contextmanager
def at(day: int, hour: int, minute: int = 0):
    """Run the services as if it were this moment of November 2026, shop time."""
    moment = datetime(2026, 11, day, hour, minute, tzinfo=SHOP_TIME)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass
class November:
    owner: object
    manager: object
    cashier: object
    atta: object
    soap: object
    old_stock: object
    shop_floor: Warehouse
    godown: Warehouse
    grocery: object
    personal_care: object
    bills: list[Invoice]
    credit_note: object


@pytest.fixture
def november(db, shop, owner, manager, cashier, shop_floor) -> November:
    grocery = factories.CategoryFactory(name="Grocery")
    personal_care = factories.CategoryFactory(name="Personal care")
    atta = factories.ProductFactory(name="Atta 5 kg", sku="ATTA-5", selling_price=Decimal("250"),
                                    cost_price=Decimal("200"), tax_rate=factories.tax_rate("5"), category=grocery,
                                    brand=factories.BrandFactory(name="Aashirvaad"))
    soap = factories.ProductFactory(name="Soap", sku="SOAP", selling_price=Decimal("40"), cost_price=Decimal("30"),
                                    tax_rate=factories.tax_rate("18"), category=personal_care,
                                    brand=factories.BrandFactory(name="Lux"))
    old_stock = factories.ProductFactory(name="Old stock", sku="OLD", selling_price=Decimal("100"),
                                         cost_price=Decimal("60"), category=grocery)
    godown = factories.WarehouseFactory(name="Godown")
    with at(1, 9):
        stock_add_opening(entries=[StockChange(atta, shop_floor, Decimal("50")),
                                   StockChange(soap, shop_floor, Decimal("100")),
                                   StockChange(old_stock, shop_floor, Decimal("10")),
                                   StockChange(atta, godown, Decimal("20"))], user=owner)

    def sell(user, lines, *, method="cash", bill_discount=0):
        cash = exact_cash(lines, bill_discount=bill_discount)
        return checkout(cashier=user, lines=lines, payments=[{**cash, "method": method}],
                        bill_discount=Decimal(bill_discount))

    with at(2, 10, 15):
        first = sell(cashier, [{"product": atta, "quantity": Decimal("2"), "discount": Decimal("20")}])
    with at(2, 18, 40):
        second = sell(cashier, [{"product": soap, "quantity": Decimal("3")}], method="card")
    with at(3, 12, 30):
        cancelled = sell(cashier, [{"product": atta, "quantity": Decimal("1")},
                                   {"product": soap, "quantity": Decimal("1")}])
    with at(3, 12, 45):
        invoice_cancel(invoice=cancelled, user=owner, reason="Wrong items billed")
    with at(4, 11):
        credit_note = return_create(invoice=second, lines=[{"line": second.lines.get(), "quantity": Decimal("1")}],
                                    refund_method="cash", user=cashier, reason="Torn wrapper")
    with at(5, 9, 5):
        fourth = sell(manager, [{"product": atta, "quantity": Decimal("1")}], bill_discount=10)
    return November(owner=owner, manager=manager, cashier=cashier, atta=atta, soap=soap, old_stock=old_stock,
                    shop_floor=shop_floor, godown=godown, grocery=grocery, personal_care=personal_care,
                    bills=[first, second, cancelled, fourth], credit_note=credit_note)
