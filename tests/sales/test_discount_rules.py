"""Discount rules: which ones a cart gets (stacking, priority), when they are valid, and GST after them.

The cart of the table: 2 × Haldiram bhujia at ₹100 (18%, Snacks) and 4 × Tata dal at ₹50 (5%, Staples),
₹400 at shelf prices, both prices including GST, sold inside Maharashtra (CGST + SGST).
Hand-worked GST of an inclusive line of net N at rate R: each half = round(N × R / (2 × (100 + R))),
taxable = N − both halves.
"""

from datetime import datetime, time
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.discounts import Offer, OfferLine, best_offers
from sales.models import DiscountRule, InvoiceLineDiscount
from sales.services import checkout, sale_quote
from tests import factories
from tests.sales.counter_client import post

D = Decimal
IST = ZoneInfo("Asia/Kolkata")
SATURDAY_EVENING = datetime(2026, 11, 28, 17, 30, tzinfo=IST)  # a Saturday
MONDAY_MORNING = datetime(2026, 11, 30, 10, 0, tzinfo=IST)


@pytest.fixture
def snacks(db):
    return factories.CategoryFactory(name="Snacks")


@pytest.fixture
def tata(db):
    return factories.BrandFactory(name="Tata")


@pytest.fixture
def bhujia(stocked, snacks):
    return stocked(name="Haldiram bhujia", selling_price=D("100"), tax_rate=factories.tax_rate("18"), category=snacks)


@pytest.fixture
def dal(stocked, tata):
    staples = factories.CategoryFactory(name="Staples")
    return stocked(name="Tata dal", selling_price=D("50"), tax_rate=factories.tax_rate("5"), category=staples,
                   brand=tata)


@pytest.fixture
def cart(bhujia, dal):
    return [{"product": bhujia, "quantity": D("2")}, {"product": dal, "quantity": D("4")}]


def rule(name, kind="percent", value="0", scope="bill", *, targets=(), **fields) -> DiscountRule:
    made = DiscountRule.objects.create(name=name, kind=kind, value=D(value), scope=scope, **fields)
    if targets:
        getattr(made, {"category": "categories", "brand": "brands", "products": "products"}[scope]).set(targets)
    return made


def offers_by_line(quote) -> list[list[tuple[str, Decimal]]]:
    return [[(offer.name, amount) for offer, amount in quote.offers.line_offers(index)]
            for index in range(len(quote.cart))]


# Each row: the rules (made by a function of the fixtures), then per line what each rule took off,
# then per line (taxable, CGST = SGST), then the bill's total.
TABLE = {
    "no rule: shelf prices": (
        lambda f: [],
        [[], []],
        [("169.50", "15.25"), ("190.48", "4.76")], "400.00"),
    "one percent rule on the bill, split pro rata": (
        lambda f: [rule("10% off the bill", value="10")],
        [[("10% off the bill", "20.00")], [("10% off the bill", "20.00")]],
        # 180 × 18 / 236 = 13.7288; 180 × 5 / 210 = 4.2857
        [("152.54", "13.73"), ("171.42", "4.29")], "360.00"),
    "two non-stackable rules: the larger discount wins": (
        lambda f: [rule("₹30 off snacks", "flat", "30", "category", targets=[f["snacks"]]),
                   rule("10% off the bill", value="10")],
        [[("10% off the bill", "20.00")], [("10% off the bill", "20.00")]],
        [("152.54", "13.73"), ("171.42", "4.29")], "360.00"),
    "equal non-stackable rules: the higher priority wins": (
        lambda f: [rule("10% off the bill", value="10", priority=1),
                   rule("₹40 off the bill", "flat", "40", priority=5)],
        [[("₹40 off the bill", "20.00")], [("₹40 off the bill", "20.00")]],
        [("152.54", "13.73"), ("171.42", "4.29")], "360.00"),
    "stackable rules together beat a smaller non-stackable one": (
        lambda f: [rule("5% off snacks", value="5", scope="category", targets=[f["snacks"]], stackable=True,
                        priority=10),
                   rule("₹20 off the bill", "flat", "20", stackable=True, priority=1),
                   rule("₹25 off the bill", "flat", "25")],
        # 5% of 200 = 10; then ₹20 over what is left, 190 : 200 -> 9.7435 : 10.2564, the odd paisa to the dal
        [[("5% off snacks", "10.00"), ("₹20 off the bill", "9.74")], [("₹20 off the bill", "10.26")]],
        # 180.26 × 18 / 236 = 13.7486; 189.74 × 5 / 210 = 4.5176
        [("152.76", "13.75"), ("180.70", "4.52")], "370.00"),
    "stackable rules together lose to a larger non-stackable one": (
        lambda f: [rule("5% off snacks", value="5", scope="category", targets=[f["snacks"]], stackable=True),
                   rule("₹20 off the bill", "flat", "20", stackable=True),
                   rule("10% off the bill", value="10")],
        [[("10% off the bill", "20.00")], [("10% off the bill", "20.00")]],
        [("152.54", "13.73"), ("171.42", "4.29")], "360.00"),
    "stackable rules apply in priority order, each on what is left": (
        lambda f: [rule("10% off snacks", value="10", scope="category", targets=[f["snacks"]], stackable=True,
                        priority=1),
                   rule("₹50 off snacks", "flat", "50", "category", targets=[f["snacks"]], stackable=True,
                        priority=2)],
        # ₹50 first (200 -> 150), then 10% of 150
        [[("₹50 off snacks", "50.00"), ("10% off snacks", "15.00")], []],
        # 135 × 18 / 236 = 10.2966
        [("114.40", "10.30"), ("190.48", "4.76")], "335.00"),
    "a minimum bill value not reached: no discount": (
        lambda f: [rule("10% on ₹500 or more", value="10", min_bill_value=D("500"))],
        [[], []],
        [("169.50", "15.25"), ("190.48", "4.76")], "400.00"),
    "a minimum bill value reached exactly": (
        lambda f: [rule("10% on ₹400 or more", value="10", min_bill_value=D("400"))],
        [[("10% on ₹400 or more", "20.00")], [("10% on ₹400 or more", "20.00")]],
        [("152.54", "13.73"), ("171.42", "4.29")], "360.00"),
    "buy 2 get 1 free of the same product": (
        lambda f: [rule("Dal 2 + 1", "buy_get", scope="products", targets=[f["dal"]], buy_quantity=2,
                        get_quantity=1)],
        # 4 packets: one set of 3, one free (₹50). 150 × 5 / 210 = 3.5714
        [[], [("Dal 2 + 1", "50.00")]],
        [("169.50", "15.25"), ("142.86", "3.57")], "350.00"),
    "a brand rule touches only that brand": (
        lambda f: [rule("20% off Tata", value="20", scope="brand", targets=[f["tata"]])],
        # 160 × 5 / 210 = 3.8095
        [[], [("20% off Tata", "40.00")]],
        [("169.50", "15.25"), ("152.38", "3.81")], "360.00"),
    "a flat rule never takes more than its lines": (
        lambda f: [rule("₹500 off snacks", "flat", "500", "category", targets=[f["snacks"]])],
        [[("₹500 off snacks", "200.00")], []],
        [("0.00", "0.00"), ("190.48", "4.76")], "200.00"),
    "a coupon-only rule is not applied by itself": (
        lambda f: [rule("Coupon 50%", value="50", coupon_only=True)],
        [[], []],
        [("169.50", "15.25"), ("190.48", "4.76")], "400.00"),
    "a switched-off rule is not applied": (
        lambda f: [rule("Old offer", value="50", is_active=False)],
        [[], []],
        [("169.50", "15.25"), ("190.48", "4.76")], "400.00"),
}


@pytest.mark.parametrize("case", TABLE.values(), ids=TABLE.keys())
def test_rules_stack_and_win_by_the_table_with_gst_after_them(case, cart, snacks, tata, dal):
    make_rules, offers, lines, total = case
    make_rules({"snacks": snacks, "tata": tata, "dal": dal})
    quote = sale_quote(lines=cart, at=SATURDAY_EVENING)
    assert offers_by_line(quote) == [[(name, D(amount)) for name, amount in line] for line in offers]
    assert [(li.taxable, li.cgst) for li in quote.bill.lines] == [(D(t), D(c)) for t, c in lines]
    assert all(li.cgst == li.sgst for li in quote.bill.lines)
    assert quote.bill.grand_total == D(total)
    # the inclusive lines still add up to the shelf price less every discount, to the paisa
    for line, priced in zip(quote.cart, quote.bill.lines, strict=True):
        assert priced.taxable + priced.tax == line.product.selling_price * line.quantity - priced.rule_discount


def test_checkout_sells_at_the_quoted_offers_and_records_them_per_line(cart, cashier, snacks):
    rule("5% off snacks", value="5", scope="category", targets=[snacks], stackable=True, priority=10)
    rule("₹20 off the bill", "flat", "20", stackable=True, priority=1)
    invoice = checkout(cashier=cashier, lines=cart, payments=[{"method": "cash", "amount": D("370")}])
    bhujia_line, dal_line = invoice.lines.all()
    assert (bhujia_line.discount, bhujia_line.taxable_value, bhujia_line.cgst) == (D("19.74"), D("152.76"), D("13.75"))
    assert (dal_line.discount, dal_line.taxable_value, dal_line.cgst) == (D("10.26"), D("180.70"), D("4.52"))
    assert invoice.discount_total == D("30.00")
    assert invoice.grand_total == D("370.00")
    recorded = [(o.line.position, o.description, o.amount) for o in InvoiceLineDiscount.objects.order_by("pk")]
    assert recorded == [(0, "5% off snacks", D("10.00")), (0, "₹20 off the bill", D("9.74")),
                        (1, "₹20 off the bill", D("10.26"))]


def test_inter_state_sale_charges_igst_on_the_discounted_value(cart, cashier):
    rule("10% off the bill", value="10")
    customer = factories.CustomerFactory(state="29")  # Karnataka
    quote = sale_quote(lines=cart, customer=customer, at=SATURDAY_EVENING)
    # 180 × 18 / 118 = 27.4576; 180 × 5 / 105 = 8.5714
    assert [(li.taxable, li.igst, li.cgst) for li in quote.bill.lines] == [
        (D("152.54"), D("27.46"), D("0.00")), (D("171.43"), D("8.57"), D("0.00"))]


def test_a_cashiers_own_discount_stacks_under_the_rules_and_the_bill_discount_comes_last(cart):
    rule("10% off the bill", value="10")
    lines = [{**cart[0], "discount": D("20")}, cart[1]]  # ₹20 off the bhujia by the cashier
    quote = sale_quote(lines=lines, bill_discount=D("34"), at=SATURDAY_EVENING)
    # offers on 180 + 200 = 380 -> 38, split 18 : 20; the bill discount 34 on 162 : 180 -> 16.1052 : 17.8947,
    # floored to 16.10 : 17.89 and the paisa left over to the larger remainder, the bhujia's
    assert offers_by_line(quote) == [[("10% off the bill", D("18.00"))], [("10% off the bill", D("20.00"))]]
    assert [li.line_discount for li in quote.bill.lines] == [D("20.00"), D("0.00")]
    assert [li.bill_discount for li in quote.bill.lines] == [D("16.11"), D("17.89")]
    assert quote.bill.grand_total == D("308.00")  # 400 − 20 − 38 − 34


def test_rule_discounts_do_not_count_against_the_cashiers_discount_limit(cart, cashier, shop):
    shop.cashier_discount_limit = D("5")
    shop.save()
    rule("Half price", value="50")
    invoice = checkout(cashier=cashier, lines=cart, payments=[{"method": "cash", "amount": D("200")}])
    assert invoice.grand_total == D("200.00")
    with pytest.raises(ValidationError, match="above the cashier limit"):
        checkout(cashier=cashier, lines=[{**cart[0], "discount": D("30")}, cart[1]],
                 payments=[{"method": "cash", "amount": D("200")}])


@pytest.mark.parametrize(("fields", "saturday_evening", "monday_morning"), [
    ({"weekdays": "56"}, True, False),  # weekends
    ({"starts_at": time(16), "ends_at": time(19)}, True, False),  # happy hours
    ({"starts_at": time(9), "ends_at": time(10)}, False, False),  # the end is not included
    ({"starts_at": time(22), "ends_at": time(10, 30)}, False, True),  # past midnight
    ({"starts_on": datetime(2026, 11, 29).date()}, False, True),
    ({"ends_on": datetime(2026, 11, 28).date()}, True, False),  # the last day is included
])
def test_a_rule_applies_only_on_its_days_and_hours_in_the_shops_time_zone(fields, saturday_evening, monday_morning,
                                                                          cart):
    rule("Offer", value="10", **fields)
    assert bool(sale_quote(lines=cart, at=SATURDAY_EVENING).offers.applied) is saturday_evening
    assert bool(sale_quote(lines=cart, at=MONDAY_MORNING).offers.applied) is monday_morning


def test_happy_hours_read_the_shops_clock_not_utc(cart):
    rule("Evening", value="10", starts_at=time(17), ends_at=time(18))
    at_1730_ist = datetime(2026, 11, 28, 12, 0, tzinfo=ZoneInfo("UTC"))
    assert sale_quote(lines=cart, at=at_1730_ist).offers.applied


def test_checkout_applies_the_rules_in_force_at_the_moment_of_sale(cart, cashier):
    rule("Happy hours", value="10", starts_at=time(16), ends_at=time(19))
    with mock.patch("django.utils.timezone.now", return_value=MONDAY_MORNING):
        morning = checkout(cashier=cashier, lines=cart, payments=[{"method": "cash", "amount": D("400")}])
    with mock.patch("django.utils.timezone.now", return_value=SATURDAY_EVENING):
        evening = checkout(cashier=cashier, lines=cart, payments=[{"method": "cash", "amount": D("360")}])
    assert (morning.grand_total, evening.grand_total) == (D("400.00"), D("360.00"))


def test_buy_x_get_y_gives_nothing_on_a_loose_quantity():
    offer = Offer(rule_id=1, name="2 + 1", kind="buy_get", scope="bill", buy_quantity=2, get_quantity=1)
    loose = OfferLine(product_id=1, unit_price=D("80"), quantity=D("3.5"), base=D("280.00"))
    whole = OfferLine(product_id=2, unit_price=D("80"), quantity=D("7"), base=D("560.00"))
    plan = best_offers([loose, whole], [offer])
    assert plan.line_totals() == [D("0.00"), D("160.00")]  # 7 = two sets of 3 and one over


def test_the_counter_quote_says_which_rule_gave_what_per_line_and_for_the_bill(at_counter, cart, snacks):
    rule("5% off snacks", value="5", scope="category", targets=[snacks], stackable=True, priority=10)
    rule("₹20 off the bill", "flat", "20", stackable=True, priority=1)
    body = {"lines": [{"product_id": line["product"].pk, "quantity": str(line["quantity"])} for line in cart]}
    answer = post(at_counter, "quote", body).json()
    assert [[(o["name"], o["amount"]) for o in line["offers"]] for line in answer["lines"]] == [
        [("5% off snacks", "10.00"), ("₹20 off the bill", "9.74")], [("₹20 off the bill", "10.26")]]
    assert [(o["name"], o["amount"], o["bill_level"]) for o in answer["offers"]] == [
        ("5% off snacks", "10.00", False), ("₹20 off the bill", "20.00", True)]
    assert (D(answer["totals"]["rule_discount"]), D(answer["totals"]["grand_total"])) == (D("30"), D("370"))


def test_the_invoice_page_lists_what_each_offer_took_off_each_line(client, manager, cart, cashier, snacks):
    rule("5% off snacks", value="5", scope="category", targets=[snacks], stackable=True, priority=10)
    invoice = checkout(cashier=cashier, lines=cart, payments=[{"method": "cash", "amount": D("390")}])
    client.force_login(manager)
    page = client.get(reverse("admin:sales_invoice_change", args=[invoice.pk])).content.decode()
    assert "5% off snacks ₹10.00" in page


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"kind": "percent", "value": D("120")}, "value", "at most 100"),
    ({"kind": "flat", "value": D("0")}, "value", "Give the percent or the rupees off"),
    ({"kind": "buy_get", "buy_quantity": 2}, "get_quantity", "How many do they get free"),
    ({"kind": "percent", "value": D("5"), "starts_at": time(16)}, "ends_at", "both times"),
    ({"kind": "percent", "value": D("5"), "starts_on": datetime(2026, 12, 2).date(),
      "ends_on": datetime(2026, 12, 1).date()}, "ends_on", "before the first"),
    ({"kind": "percent", "value": D("5"), "weekdays": "55"}, "weekdays", "given twice"),
    ({"kind": "percent", "value": D("5"), "weekdays": "7"}, "weekdays", "0 (Monday) to 6 (Sunday)"),
])
def test_a_rule_that_makes_no_sense_is_refused_naming_the_field(db, fields, field, message):
    with pytest.raises(ValidationError) as refusal:
        DiscountRule(name="Offer", **fields).full_clean()
    assert message in " ".join(refusal.value.message_dict[field])


def test_the_rule_form_asks_for_the_categories_of_a_category_rule_and_saves_nothing(client, manager):
    client.force_login(manager)
    response = client.post(reverse("admin:sales_discountrule_add"), {
        "name": "Snacks 10%", "kind": "percent", "value": "10", "scope": "category", "min_bill_value": "0",
        "priority": "0", "is_active": "on"})
    assert response.status_code == 200
    assert "Choose what the rule applies to." in response.content.decode()
    assert not DiscountRule.objects.exists()


def test_the_rule_form_saves_weekdays_and_targets(client, manager, snacks):
    client.force_login(manager)
    response = client.post(reverse("admin:sales_discountrule_add"), {
        "name": "Weekend snacks", "kind": "percent", "value": "10", "scope": "category", "categories": [snacks.pk],
        "weekdays": ["6", "5"], "min_bill_value": "0", "priority": "0", "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = DiscountRule.objects.get()
    assert (saved.weekdays, list(saved.categories.all())) == ("56", [snacks])


# --- invariants of the selector, for any cart and any rules ----------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
offer_lines_strategy = st.lists(st.builds(
    lambda product, price, quantity, own, category, brand: OfferLine(
        product_id=product, unit_price=price, quantity=D(quantity), category_ids=frozenset({category}),
        brand_id=brand, base=max(D("0.00"), (price * quantity).quantize(D("0.01")) - own)),
    st.integers(1, 4), money, st.integers(1, 12), st.sampled_from([D("0"), D("1.50"), D("20")]),
    st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=6)
offers_strategy = st.lists(st.builds(
    lambda rule_id, kind, value, scope, target, priority, stackable, minimum: Offer(
        rule_id=rule_id, name=f"rule {rule_id}", kind=kind, value=value, scope=scope,
        category_ids=frozenset({target}), brand_ids=frozenset({target}), product_ids=frozenset({target}),
        min_bill_value=minimum, buy_quantity=2, get_quantity=1, priority=priority, stackable=stackable),
    st.integers(1, 50), st.sampled_from(["percent", "flat", "buy_get"]),
    st.decimals(min_value=D("1"), max_value=D("100"), places=2),
    st.sampled_from(["bill", "category", "brand", "products"]), st.integers(1, 4), st.integers(0, 3),
    st.booleans(), st.sampled_from([D("0"), D("500")])),
    max_size=5, unique_by=lambda offer: offer.rule_id)


@settings(max_examples=300, deadline=None)
@given(lines=offer_lines_strategy, offers=offers_strategy, seed=st.randoms())
def test_offers_never_take_more_than_a_line_and_do_not_depend_on_the_rules_order(lines, offers, seed):
    plan = best_offers(lines, offers)
    for line, taken in zip(lines, plan.line_totals(), strict=True):
        assert D("0") <= taken <= line.base
    assert all(amount >= 0 and amount == amount.quantize(D("0.01")) for a in plan.applied for amount in a.amounts)
    stackable = {a.offer.stackable for a in plan.applied}
    assert stackable <= {True} or len(plan.applied) == 1  # a non-stackable rule applies alone
    shuffled = list(offers)
    seed.shuffle(shuffled)
    assert best_offers(lines, shuffled) == plan
