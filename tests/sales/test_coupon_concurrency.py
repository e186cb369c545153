"""Cashiers redeeming the same coupon at the same moment, on PostgreSQL, each thread on its own connection."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import Coupon, CouponRedemption, DiscountRule, Invoice
from sales.services import checkout
from tests.catalog.test_stock_concurrency import THREADS, run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal


def _redeem(cashier, product):
    def attempt(_index):
        try:
            return checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                            payments=[{"method": "cash", "amount": D("100")}], coupon_code="LASTONE").number
        except ValidationError as refusal:
            problems = refusal.error_dict.get("coupon_code", [])
            return "used up" if [p.code for p in problems] == ["coupon_used_up"] else refusal
    return attempt


def test_a_coupons_last_use_redeemed_by_eight_cashiers_at_once_is_granted_once(shop, stocked, cashier):
    product = stocked("100", selling_price=D("100"))
    rule = DiscountRule.objects.create(name="₹10 off", kind="flat", value=D("10"), coupon_only=True)
    Coupon.objects.create(code="LASTONE", rule=rule, max_uses=3)
    checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
             payments=[{"method": "cash", "amount": D("100")}], coupon_code="lastone")
    checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
             payments=[{"method": "cash", "amount": D("100")}], coupon_code="LastOne")  # two of three uses gone

    results = run_in_threads(_redeem(cashier, product))
    assert results.count("used up") == THREADS - 1, results
    assert CouponRedemption.objects.count() == 3
    assert Invoice.objects.count() == 3
    assert {invoice.grand_total for invoice in Invoice.objects.all()} == {D("90.00")}


def test_a_single_use_code_redeemed_at_once_by_eight_cashiers_makes_one_sale(shop, stocked, cashier):
    product = stocked("100", selling_price=D("100"))
    rule = DiscountRule.objects.create(name="₹10 off", kind="flat", value=D("10"), coupon_only=True)
    Coupon.objects.create(code="LASTONE", rule=rule, max_uses=1)
    results = run_in_threads(_redeem(cashier, product))
    assert results.count("used up") == THREADS - 1, results
    assert CouponRedemption.objects.count() == Invoice.objects.count() == 1
