"""A coupon at the counter, in a real browser: a used-up code refused next to the coupon box with the cart
kept, then a good code typed key by key, its discount shown on the line and in the totals, and sold."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from catalog.models import Product
from sales.models import Coupon, CouponRedemption, DiscountRule, Invoice
from sales.services import checkout
from shop.models import User
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot
from tests.e2e.test_counter import ATTA, scan, wait_for_total

pytestmark = [pytest.mark.browser, transactional_db]


@pytest.fixture
def counter_with_coupons(login, live_server):
    call_command("seed_demo")
    rule = DiscountRule.objects.create(name="Welcome ₹50 off", kind="flat", value=Decimal("50"),
                                       min_bill_value=Decimal("200"), coupon_only=True)
    Coupon.objects.create(code="WELCOME50", rule=rule, max_uses=1)
    Coupon.objects.create(code="GONE", rule=rule, max_uses=1)
    checkout(cashier=User.objects.get(username="cashier"), coupon_code="GONE",  # its one use, taken yesterday
             lines=[{"product": Product.objects.get(barcode=ATTA), "quantity": Decimal("1")}],
             payments=[{"method": "cash", "amount": Decimal("300")}])
    page = login("cashier", "galla-cashier")
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/sales/invoice/counter/")
    page.wait_for_selector("#scan:focus")
    yield page
    assert not script_errors, script_errors


def type_coupon(page, code: str) -> None:
    box = page.locator("#coupon-code")
    box.fill("")
    box.press_sequentially(code, delay=150)
    box.press("Enter")


def test_a_used_up_coupon_is_refused_next_to_its_box_and_a_good_one_is_applied_and_sold(counter_with_coupons):
    page = counter_with_coupons
    scan(page, ATTA, 1)
    wait_for_total(page, "₹285.00")

    type_coupon(page, "gone")
    page.wait_for_selector("[data-error-for=coupon]:has-text('Coupon GONE is used up')")
    wait_for_total(page, "₹285.00")  # the totals leave a refused coupon out
    page.keyboard.press("F4")
    page.keyboard.press("F8")  # the sale is refused too, the cart kept
    page.wait_for_selector("[data-error-for=coupon]:has-text('its one use is taken')")
    assert page.is_hidden("#done")
    assert page.locator("#cart tbody tr").count() == 1
    assert Invoice.objects.count() == 1  # only yesterday's
    save_screenshot(page, "counter-coupon-refused.png")

    type_coupon(page, "welcome50")
    page.wait_for_selector("#coupon-applied:not([hidden]):has-text('Coupon WELCOME50 applied: −₹50.00')")
    wait_for_total(page, "₹235.00")
    assert page.text_content("[data-error-for=coupon]") == ""
    assert page.text_content("#cart tbody tr .line-offers") == "Welcome ₹50 off (coupon) −₹50.00"
    assert page.text_content("#t-offers") == "₹50.00"
    save_screenshot(page, "counter-coupon.png")
    page.fill("#pay-cash", "")
    page.keyboard.press("F4")
    page.wait_for_function("document.getElementById('pay-cash').value === '235.00'")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get(number=page.text_content("#done-number"))
    assert invoice.grand_total == Decimal("235.00")
    assert CouponRedemption.objects.get(invoice=invoice).coupon.code == "WELCOME50"
