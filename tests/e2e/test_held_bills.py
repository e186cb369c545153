"""Held bills in a real browser: hold a bill (F6), sell to the next customer, reload, resume and complete it."""

from decimal import Decimal

import pytest

from sales.models import Coupon, CouponRedemption, DiscountRule, HeldBill, Invoice
from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot
from tests.e2e.test_counter import ATTA, SALT, SURF, counter, scan, wait_for_total  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, transactional_db]


def test_a_held_bill_survives_a_reload_and_is_resumed_and_completed(counter):  # noqa: F811
    page = counter
    scan(page, ATTA, 1)
    scan(page, SALT, 2)
    page.locator("#cart tbody tr").nth(1).locator("input.qty").fill("2")
    page.fill("#bill-discount", "1")
    wait_for_total(page, "₹340.00")  # 285 + 2 x 28 - 1
    page.keyboard.press("F6")
    page.wait_for_selector("#held-list li")
    page.wait_for_function("document.querySelectorAll('#cart tbody tr').length === 0")
    assert page.text_content("#held-list li .label") == "Aashirvaad Atta 5 kg +1 more"
    assert page.input_value("#bill-discount") == ""
    assert page.evaluate("document.activeElement.id") == "scan"

    scan(page, SURF, 1)  # the next customer
    page.keyboard.press("F4")
    page.wait_for_function("document.getElementById('pay-status').textContent === 'Fully paid'")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    page.keyboard.press("F9")
    page.wait_for_selector("#done", state="hidden")

    page.reload()
    page.wait_for_selector("#held-list li")
    save_screenshot(page, "counter-held-bills.png")
    page.click("#held-list li button.resume")
    page.wait_for_function("document.querySelectorAll('#cart tbody tr').length === 2")
    assert page.locator("#cart tbody tr").nth(1).locator("input.qty").input_value() == "2"
    assert page.input_value("#bill-discount") == "1"
    wait_for_total(page, "₹340.00")
    assert page.locator("#held-list li").count() == 0
    page.keyboard.press("F4")
    page.wait_for_function("document.getElementById('pay-status').textContent === 'Fully paid'")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")

    resumed = Invoice.objects.get(number=page.text_content("#done-number"))
    assert [(li.description, li.quantity) for li in resumed.lines.all()] == [
        ("Aashirvaad Atta 5 kg", 1), ("Tata Salt 1 kg", 2)]
    assert resumed.bill_discount == Decimal("1.00") and resumed.grand_total == Decimal("340.00")
    assert Invoice.objects.count() == 2
    assert not HeldBill.objects.exists()


def test_resuming_while_a_bill_is_on_screen_holds_that_one_first(counter):  # noqa: F811
    page = counter
    scan(page, ATTA, 1)
    page.keyboard.press("F6")
    page.wait_for_selector("#held-list li")
    scan(page, SALT, 1)
    page.click("#held-list li button.resume")
    page.wait_for_function("document.querySelector('#cart .item .name')?.textContent === 'Aashirvaad Atta 5 kg'")
    page.wait_for_function("document.querySelector('#held-list li .label')?.textContent === 'Tata Salt 1 kg'")
    assert list(HeldBill.objects.values_list("label", flat=True)) == ["Tata Salt 1 kg"]


def test_a_held_bill_is_discarded_after_the_cashier_confirms(counter):  # noqa: F811
    page = counter
    scan(page, ATTA, 1)
    page.keyboard.press("F6")
    page.wait_for_selector("#held-list li")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#held-list li button.discard")
    page.wait_for_selector("#held-list li", state="detached")
    assert not HeldBill.objects.exists()


def test_a_held_bill_keeps_its_coupon_and_sells_with_it_after_resuming(counter):  # noqa: F811
    rule = DiscountRule.objects.create(name="Festive ₹20", kind="flat", value=Decimal("20"), coupon_only=True)
    Coupon.objects.create(code="DIWALI20", rule=rule)
    page = counter
    scan(page, ATTA, 1)
    page.locator("#coupon-code").press_sequentially("diwali20", delay=100)
    page.keyboard.press("Enter")
    wait_for_total(page, "₹265.00")
    page.keyboard.press("F6")
    page.wait_for_selector("#held-list li")
    assert page.input_value("#coupon-code") == ""
    assert HeldBill.objects.get().cart["coupon_code"] == "DIWALI20"

    page.reload()
    page.click("#held-list li button.resume")
    page.wait_for_selector("#coupon-applied:not([hidden]):has-text('Coupon DIWALI20 applied: −₹20.00')")
    assert page.input_value("#coupon-code") == "DIWALI20"
    wait_for_total(page, "₹265.00")
    page.keyboard.press("F4")
    page.wait_for_function("document.getElementById('pay-status').textContent === 'Fully paid'")
    page.keyboard.press("F8")
    page.wait_for_selector("#done:not([hidden])")
    invoice = Invoice.objects.get(number=page.text_content("#done-number"))
    assert CouponRedemption.objects.get(invoice=invoice).coupon.code == "DIWALI20"
