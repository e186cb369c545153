"""The counter's live totals come from the same service as checkout, and refuse bad input the same way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from sales.models import Invoice
from sales.services import checkout, sale_quote
from tests import factories
from tests.sales.counter_client import post

pytestmark = pytest.mark.django_db
D = Decimal
BAD_DISCOUNTS = ["abc", "NaN", "Infinity", "-Infinity", "1e99", "1e12", "-5", [5], {"rupees": 5}, True]


def test_a_quote_prices_the_cart_exactly_as_checkout_does(shop, stocked, cashier):
    customer = factories.CustomerFactory(state="29")  # Karnataka: inter-state from a Maharashtra shop
    atta = stocked(selling_price=D("285"), tax_rate=factories.tax_rate("5"))
    coke = stocked(selling_price=D("45"), tax_rate=factories.tax_rate("40"))
    lines = [{"product": atta, "quantity": D("2"), "discount": D("10")}, {"product": coke, "quantity": D("3")}]
    quote = sale_quote(lines=lines, customer=customer, bill_discount="5.50")
    invoice = checkout(cashier=cashier, lines=lines, customer=customer, bill_discount=D("5.50"),
                       payments=[{"method": "cash", "amount": D("1000")}])
    bill = quote.bill
    assert (quote.place_of_supply, quote.inter_state) == (invoice.place_of_supply, invoice.inter_state) == ("29", True)
    assert (bill.gross, bill.discount, bill.taxable, bill.igst, bill.round_off, bill.grand_total) == (
        invoice.gross_total, invoice.discount_total, invoice.taxable_total, invoice.igst_total, invoice.round_off,
        invoice.grand_total)
    assert [(li.taxable, li.igst, li.total) for li in bill.lines] == [
        (li.taxable_value, li.igst, li.line_total) for li in invoice.lines.order_by("position")]


@pytest.mark.parametrize("bill_discount", BAD_DISCOUNTS, ids=str)
def test_a_bad_bill_discount_is_a_400_naming_it(at_counter, stocked, bill_discount):
    body = {"lines": [{"product_id": stocked(selling_price=D("100")).pk, "quantity": "1"}],
            "bill_discount": bill_discount}
    response = post(at_counter, "quote", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["bill_discount"]
    response = post(at_counter, "checkout", {**body, "payments": [{"method": "cash", "amount": "100"}]})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["bill_discount"]
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(("quantity", "message"), [("0.5", "whole number"), ("-1", "return"), ("0", "zero")])
def test_a_quote_refuses_the_lines_checkout_would_refuse(at_counter, stocked, quantity, message):
    plenty = stocked()
    body = {"lines": [{"product_id": plenty.pk, "quantity": "1"}, {"product_id": plenty.pk, "quantity": quantity}]}
    response = post(at_counter, "quote", body)
    assert response.status_code == 400
    [error] = response.json()["errors"]["line-1"]
    assert message in error


def test_a_quote_refuses_a_product_no_longer_sold(shop, stocked):
    product = stocked(name="Old Biscuits", is_active=False)
    with pytest.raises(ValidationError) as refused:
        sale_quote(lines=[{"product": product, "quantity": D("1")}])
    assert refused.value.message_dict == {"line-0": ["Old Biscuits is no longer sold."]}
