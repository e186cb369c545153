"""Property: for any sale and any sequence of partial returns, the credit notes never credit more than the
invoice, per line and per tax, and taking everything back credits exactly the invoice."""

from decimal import ROUND_DOWN, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.models import Warehouse
from catalog.services import StockChange, stock_add_opening
from sales.services import checkout, return_create, returnable_quantities
from shop.models import ShopProfile
from tests import factories
from tests.sales.selling import exact_cash

D = Decimal
AMOUNTS = ("discount", "taxable_value", "cgst", "sgst", "igst", "cess", "line_total")
TOTALS = ("gross_total", "discount_total", "taxable_total", "cgst_total", "sgst_total", "igst_total", "cess_total",
          "round_off", "grand_total")

sold_lines = st.lists(st.fixed_dictionaries({
    # paise-sized prices make the roundings of partial returns matter most
    "price": st.one_of(st.decimals(min_value=D("0.01"), max_value=D("0.20"), places=2),
                       st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)),
    "quantity": st.one_of(st.integers(1, 12).map(D), st.integers(1, 4000).map(lambda g: D(g) / 1000)),
    "discount_share": st.integers(0, 60),  # percent of the line's gross
    "rate": st.sampled_from(["0", "5", "18", "40"]),
    "inclusive": st.booleans(),
}), min_size=1, max_size=4)
# Per return, per line: 0 nothing, 1 the smallest step (one piece, or one gram), 2 half of what is left, 3 all of it.
return_steps = st.lists(st.lists(st.sampled_from([0, 1, 1, 1, 2, 3]), min_size=4, max_size=4), min_size=1,
                        max_size=10)


def step_quantity(choice: int, left: Decimal, fraction: bool) -> Decimal:
    smallest = D("0.001") if fraction else D("1")
    wanted = {0: D(0), 1: smallest, 2: (left / 2).quantize(smallest, rounding=ROUND_DOWN), 3: left}[choice]
    return min(wanted, left)


def sell(owner, lines, bill_share: int, inter_state: bool):
    kg, pcs = factories.unit("kg"), factories.unit("pcs")
    warehouse = Warehouse.objects.get(is_default=True)
    cart = []
    for line in lines:
        fraction = line["quantity"] != line["quantity"].to_integral_value()
        product = factories.ProductFactory(selling_price=line["price"], tax_rate=factories.tax_rate(line["rate"]),
                                           tax_inclusive=line["inclusive"], unit=kg if fraction else pcs)
        stock_add_opening(entries=[StockChange(product, warehouse, D("100"))], user=None)
        gross = (line["price"] * line["quantity"]).quantize(D("0.01"))
        cart.append({"product": product, "quantity": line["quantity"],
                     "discount": (gross * line["discount_share"] / 100).quantize(D("0.01"), rounding=ROUND_DOWN)})
    after_line_discounts = sum(((c["product"].selling_price * c["quantity"]).quantize(D("0.01")) - c["discount"]
                                for c in cart), D(0))
    customer = factories.CustomerFactory(state="29") if inter_state else None
    bill_discount = (after_line_discounts * bill_share / 100).quantize(D("0.01"), rounding=ROUND_DOWN)
    return checkout(cashier=owner, lines=cart, customer=customer, bill_discount=bill_discount,
                    payments=[exact_cash(cart, customer=customer, bill_discount=bill_discount)])


def credited(line, field: str) -> Decimal:
    return sum((getattr(c, field) for c in line.credit_lines.all()), D(0))


def assert_within_the_invoice(invoice) -> None:
    for line in invoice.lines.all():
        for field in AMOUNTS:
            assert 0 <= credited(line, field) <= getattr(line, field), (line, field)
        assert credited(line, "quantity") <= line.quantity
        for credit_line in line.credit_lines.all():
            assert all(getattr(credit_line, field) >= 0 for field in AMOUNTS), credit_line
            assert credit_line.cgst == credit_line.sgst
    notes = list(invoice.credit_notes.all())
    assert all(note.grand_total >= 0 for note in notes)
    assert sum((note.grand_total for note in notes), D(0)) <= invoice.grand_total
    for total in ("taxable_total", "cgst_total", "sgst_total", "igst_total", "cess_total"):
        assert sum((getattr(note, total) for note in notes), D(0)) <= getattr(invoice, total), total


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Seven ₹0.08 pieces at 18%: CGST 0.04, and one piece's share of it rounds up to 0.01 every time.
@example(lines=[{"price": D("0.08"), "quantity": D("7"), "discount_share": 0, "rate": "18", "inclusive": True}],
         bill_share=0, inter_state=False, round_off=False, steps=[[1, 0, 0, 0]] * 6)
@given(lines=sold_lines, bill_share=st.integers(0, 40), inter_state=st.booleans(), round_off=st.booleans(),
       steps=return_steps)
def test_credit_notes_never_exceed_the_invoice_and_all_of_it_back_is_exact(owner, lines, bill_share, inter_state,
                                                                          round_off, steps):
    with transaction.atomic():
        profile = ShopProfile.objects.get_profile()
        profile.round_off = round_off
        profile.save()
        invoice = sell(owner, lines, bill_share, inter_state)
        invoice_lines = list(invoice.lines.select_related("product__unit"))
        for step in [*steps, [3, 3, 3, 3]]:
            left = returnable_quantities(invoice)
            asks = [{"line": line, "quantity": step_quantity(choice, left[line.pk], line.product.unit.allows_fraction)}
                    for line, choice in zip(invoice_lines, step, strict=False)]
            asks = [ask for ask in asks if ask["quantity"] > 0]
            if asks:
                return_create(invoice=invoice, lines=asks, refund_method="cash", user=owner)
            assert_within_the_invoice(invoice)
        notes = list(invoice.credit_notes.all())
        for total in TOTALS:
            assert sum((getattr(note, total) for note in notes), D(0)) == getattr(invoice, total), total
        for line in invoice.lines.all():
            assert all(credited(line, field) == getattr(line, field) for field in AMOUNTS), line
        transaction.set_rollback(True)
