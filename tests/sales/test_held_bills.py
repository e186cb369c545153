"""Held bills, the services: hold, list, resume, discard and expire; per cashier; nothing reserved."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ledger.day_book import day_close
from sales.held_bills import (
    MAX_HELD_BILLS,
    held_bill_discard,
    held_bill_hold,
    held_bill_resume,
    held_bills_expire,
    held_bills_of,
    shop_day_start,
)
from sales.models import HeldBill
from sales.services import checkout
from tests import factories
from tests.sales.writes import sales_state

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def soap(stocked):
    return stocked("10", name="Lux soap", selling_price=D("40"))


@pytest.fixture
def salt(stocked):
    return stocked("10", name="Tata Salt 1 kg", selling_price=D("28"))


def line(product, quantity="1", discount="0") -> dict:
    return {"product_id": product.pk, "quantity": D(quantity), "discount": D(discount)}


def hold(cashier, *lines, **fields) -> HeldBill:
    return held_bill_hold(cashier=cashier, lines=list(lines), **fields)


def other_cashier():
    return factories.UserFactory(username="cashier2", role="Cashier")


def test_resume_gives_back_the_cart_customer_discounts_and_payments_and_deletes_the_held_bill(shop, cashier, soap,
                                                                                                salt):
    meena = factories.CustomerFactory(name="Meena")
    held = hold(cashier, line(soap, "2", "5"), line(salt, "1.5"), customer_id=meena.pk, bill_discount=D("10"),
                payments=[{"method": "upi", "amount": D("50"), "reference": "412345678901"}])
    bill = held_bill_resume(cashier=cashier, held_bill_id=held.pk)
    assert [(li.product, li.quantity, li.discount) for li in bill.lines] == [(soap, D("2"), D("5")),
                                                                            (salt, D("1.5"), D("0"))]
    assert bill.customer == meena and bill.bill_discount == D("10") and bill.dropped == []
    assert bill.payments == [{"method": "upi", "amount": D("50"), "reference": "412345678901"}]
    assert not HeldBill.objects.exists()


def test_a_held_bill_is_resumed_once(shop, cashier, soap):
    held = hold(cashier, line(soap))
    assert held_bill_resume(cashier=cashier, held_bill_id=held.pk) is not None
    assert held_bill_resume(cashier=cashier, held_bill_id=held.pk) is None


def test_holding_reserves_no_stock_and_no_invoice_number(shop, cashier, soap):
    checkout(cashier=cashier, lines=[{"product": soap, "quantity": D("1")}],
             payments=[{"method": "cash", "amount": D("40")}])  # a series row exists to compare
    before = {key: value for key, value in sales_state().items() if key != "held_bills"}
    held = hold(cashier, line(soap, "9"))
    held_bill_resume(cashier=cashier, held_bill_id=held.pk)
    hold(cashier, line(soap, "9"))
    assert {key: value for key, value in sales_state().items() if key != "held_bills"} == before


def test_held_stock_can_be_sold_to_the_next_customer(shop, cashier, soap):
    hold(cashier, line(soap, "10"))
    invoice = checkout(cashier=cashier, lines=[{"product": soap, "quantity": D("10")}],
                       payments=[{"method": "cash", "amount": D("400")}])
    assert invoice.number.endswith("/00001")


def test_a_cashier_lists_only_their_own_held_bills(shop, cashier, soap):
    mine = hold(cashier, line(soap))
    hold(other_cashier(), line(soap))
    assert list(held_bills_of(cashier=cashier)) == [mine]


@pytest.mark.parametrize("action", [held_bill_resume, held_bill_discard])
def test_another_cashiers_held_bill_cannot_be_resumed_or_discarded(shop, cashier, manager, soap, action):
    theirs = hold(other_cashier(), line(soap))
    assert not action(cashier=cashier, held_bill_id=theirs.pk)
    assert not action(cashier=manager, held_bill_id=theirs.pk)  # per cashier, whatever the role
    assert HeldBill.objects.filter(pk=theirs.pk).exists()


def test_discard_deletes_the_held_bill(shop, cashier, soap):
    held = hold(cashier, line(soap))
    assert held_bill_discard(cashier=cashier, held_bill_id=held.pk)
    assert not HeldBill.objects.exists()


def test_expire_deletes_every_cashiers_bills_held_before_the_time_and_keeps_later_ones(shop, cashier, soap):
    old, theirs_old, recent = hold(cashier, line(soap)), hold(other_cashier(), line(soap)), hold(cashier, line(soap))
    close = timezone.now()
    HeldBill.objects.filter(pk__in=[old.pk, theirs_old.pk]).update(created_at=close - timedelta(minutes=1))
    HeldBill.objects.filter(pk=recent.pk).update(created_at=close + timedelta(minutes=1))
    assert held_bills_expire(before=close) == 2
    assert list(HeldBill.objects.all()) == [recent]


def test_a_bill_held_yesterday_has_expired_even_before_it_is_deleted(shop, cashier, soap):
    held = hold(cashier, line(soap))
    HeldBill.objects.filter(pk=held.pk).update(created_at=shop_day_start() - timedelta(seconds=1))
    assert list(held_bills_of(cashier=cashier)) == []
    assert held_bill_resume(cashier=cashier, held_bill_id=held.pk) is None


def test_holding_a_bill_deletes_the_bills_of_past_days(shop, cashier, soap):
    stale = hold(other_cashier(), line(soap))
    HeldBill.objects.filter(pk=stale.pk).update(created_at=shop_day_start() - timedelta(hours=2))
    hold(cashier, line(soap))
    assert not HeldBill.objects.filter(pk=stale.pk).exists()


def test_the_shop_day_starts_at_local_midnight():
    now = timezone.make_aware(datetime(2026, 11, 25, 0, 30))  # Asia/Kolkata: 19:00 UTC the evening before
    assert shop_day_start(now) == timezone.make_aware(datetime(2026, 11, 25))


@pytest.mark.parametrize(("customer_name", "items", "label"), [
    (None, 1, "Lux soap"),
    (None, 3, "Lux soap +2 more"),
    ("Meena", 2, "Meena (2 items)"),
])
def test_label_names_the_customer_or_the_first_item(shop, cashier, soap, salt, customer_name, items, label):
    customer_id = factories.CustomerFactory(name=customer_name).pk if customer_name else None
    lines = [line(soap), line(salt), line(salt)][:items]
    assert hold(cashier, *lines, customer_id=customer_id).label == label


@pytest.mark.parametrize(("lines", "fields", "field"), [
    ([], {}, "lines"),
    ([{"quantity": D("0")}], {}, "lines[0].quantity"),
    ([{"quantity": D("-1")}], {}, "lines[0].quantity"),
    ([{"discount": D("-5")}], {}, "lines[0].discount"),
    ([{"product_id": 999999}], {}, "lines[0].product_id"),
    ([{}], {"customer_id": 999999}, "customer_id"),
    ([{}], {"bill_discount": D("-1")}, "bill_discount"),
    ([{}], {"payments": [{"method": "cash", "amount": D("0"), "reference": ""}]}, "payments[0].amount"),
])
def test_a_bill_that_could_never_be_sold_is_refused_naming_the_field_and_nothing_is_held(shop, cashier, soap, lines,
                                                                                         fields, field):
    with pytest.raises(ValidationError) as refusal:
        hold(cashier, *[{**line(soap), **changes} for changes in lines], **fields)
    assert field in refusal.value.message_dict
    assert not HeldBill.objects.exists()


def test_a_product_taken_off_sale_is_refused_when_holding(shop, cashier, soap):
    soap.is_active = False
    soap.save()
    with pytest.raises(ValidationError, match="not on sale"):
        hold(cashier, line(soap))


def test_a_cashier_holds_at_most_so_many_bills(shop, cashier, soap):
    for _ in range(MAX_HELD_BILLS):
        hold(cashier, line(soap))
    with pytest.raises(ValidationError) as refusal:
        hold(cashier, line(soap))
    assert "hold" in refusal.value.message_dict
    assert HeldBill.objects.count() == MAX_HELD_BILLS
    hold(other_cashier(), line(soap))  # the limit is each cashier's


def test_resume_leaves_out_a_product_taken_off_sale_meanwhile_and_says_so(shop, cashier, soap, salt):
    held = hold(cashier, line(soap), line(salt))
    salt.is_active = False
    salt.save()
    bill = held_bill_resume(cashier=cashier, held_bill_id=held.pk)
    assert [li.product for li in bill.lines] == [soap]
    assert bill.dropped == ["Tata Salt 1 kg is no longer on sale and was left out."]


def test_resume_leaves_out_a_customer_removed_meanwhile_and_says_so(shop, cashier, soap):
    meena = factories.CustomerFactory(name="Meena")
    held = hold(cashier, line(soap), customer_id=meena.pk)
    meena.is_active = False
    meena.save()
    bill = held_bill_resume(cashier=cashier, held_bill_id=held.pk)
    assert bill.customer is None and bill.dropped == ["The bill's customer is no longer on record."]


def test_closing_the_day_expires_every_cashiers_bills_of_that_day_and_before(shop, cashier, manager, soap):
    today = timezone.localdate()
    mine, theirs = hold(cashier, line(soap)), hold(other_cashier(), line(soap))
    from_yesterday = hold(cashier, line(soap))
    HeldBill.objects.filter(pk=from_yesterday.pk).update(created_at=shop_day_start() - timedelta(hours=3))
    day_close(day=today, counted_cash="0", user=manager)
    assert not HeldBill.objects.filter(pk__in=[mine.pk, theirs.pk, from_yesterday.pk]).exists()
    assert held_bills_of(cashier=cashier).count() == 0


def test_closing_an_earlier_day_leaves_todays_held_bills(shop, cashier, manager, soap):
    today = timezone.localdate()
    kept, old = hold(cashier, line(soap)), hold(cashier, line(soap))
    HeldBill.objects.filter(pk=old.pk).update(created_at=shop_day_start() - timedelta(hours=3))
    day_close(day=today - timedelta(days=1), counted_cash="0", user=manager)
    assert list(HeldBill.objects.all()) == [kept]


def test_a_refused_closing_expires_nothing(shop, cashier, manager, soap):
    held = hold(cashier, line(soap))
    with pytest.raises(ValidationError):
        day_close(day=timezone.localdate(), counted_cash="abc", user=manager)
    assert list(HeldBill.objects.all()) == [held]


def test_a_held_bill_keeps_its_coupon_code_and_gives_it_back_on_resume(shop, cashier, soap):
    held = hold(cashier, line(soap, "1"), coupon_code=" welcome50 ")
    assert held.cart["coupon_code"] == "WELCOME50"
    assert held_bill_resume(cashier=cashier, held_bill_id=held.pk).coupon_code == "WELCOME50"


def test_a_bill_held_before_coupons_were_kept_resumes_without_one(shop, cashier, soap):
    held = hold(cashier, line(soap, "1"))
    cart = {**held.cart}
    del cart["coupon_code"]
    HeldBill.objects.filter(pk=held.pk).update(cart=cart)
    assert held_bill_resume(cashier=cashier, held_bill_id=held.pk).coupon_code == ""
