"""Insights (reports/insights.py) on small constructed histories whose answers are worked out by hand.

Sales go through sales.services.checkout and returns through sales.services.return_create, the real paths.
Both stamp the current time and cannot backdate, so each bill (and credit note) is then moved to its historic
day by updating `issued_at` alone; every other figure is the service's own. Products are GST 0 unless a test
says otherwise, so a line's amount is price x quantity and the arithmetic below stays on paper.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from catalog.models import DEFAULT_LEAD_TIME_DAYS, PurchaseLine, PurchaseReceipt
from catalog.services import stock_receive
from reports.insights import (
    abc_classes,
    abc_grades,
    bought_together,
    idle_stock,
    insights_for_day,
    lapsed_customers,
    reorder_suggestions,
    robust_z,
    sold_below_cost,
    stock_cover,
    trending_products,
    unusual_days,
)
from sales.models import CreditNote, Invoice
from sales.services import checkout, return_create
from tests import factories
from tests.sales.selling import exact_cash

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 11, 16)  # a Monday, before "today" in these tests' clock


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def seller(shop, owner):
    """Return sell(day, (product, quantity[, discount]), ..., customer=None, credit=False, back=None) -> Invoice.

    back=(quantity, day): that much of the first line comes back on that day (returned before the bill is
    moved to its day, as return_create refuses bills past the return window).
    """

    def sell(day: date, *lines, customer=None, credit=False, back=None) -> Invoice:
        cart = [{"product": p, "quantity": D(q), "discount": D(d[0] if d else 0)} for p, q, *d in lines]
        payment = exact_cash(cart, customer=customer)
        if credit:
            payment = {"method": "credit", "amount": payment["amount"]}
        invoice = checkout(cashier=owner, lines=cart, payments=[payment], customer=customer)
        if back:
            quantity, back_on = back
            note = return_create(invoice=invoice, lines=[{"line": invoice.lines.first(), "quantity": D(quantity)}],
                                 refund_method="cash", user=owner)
            CreditNote.objects.filter(pk=note.pk).update(issued_at=at(back_on))
        Invoice.objects.filter(pk=invoice.pk).update(issued_at=at(day))  # checkout cannot backdate
        return invoice

    return sell


@pytest.fixture
def product(stocked):
    """Return a GST-free product with stock (1,000 unless told), priced ₹100 and costing ₹80."""

    def make(name: str, quantity="1000", **fields):
        fields.setdefault("tax_rate", factories.tax_rate("0"))
        return stocked(quantity, name=name, **fields)

    return make


@pytest.mark.parametrize("insight", [
    lambda: trending_products(day=DAY), lambda: stock_cover(day=DAY), lambda: reorder_suggestions(day=DAY),
    lambda: idle_stock(day=DAY), lambda: abc_classes(start=DAY, end=DAY), lambda: bought_together(start=DAY, end=DAY),
    lambda: unusual_days(start=DAY, end=DAY), lambda: sold_below_cost(start=DAY, end=DAY),
    lambda: lapsed_customers(day=DAY),
], ids=["trending", "cover", "reorder", "idle", "abc", "pairs", "unusual", "below_cost", "lapsed"])
def test_a_shop_with_no_sales_and_no_stock_has_no_insights(shop, insight):
    assert insight() == []


# --- Trending -------------------------------------------------------------------------------------------------


def test_trending_compares_this_week_with_the_weekly_average_of_the_four_before(seller, product):
    atta = product("Atta")
    for weeks_back in range(1, 5):  # 4 a week over the previous four weeks
        seller(DAY - timedelta(weeks=weeks_back), (atta, 4))
    seller(DAY - timedelta(days=6), (atta, 5))  # this week starts 6 days before DAY...
    seller(DAY, (atta, 7))  # ...and ends on it: 12 in all

    [item] = trending_products(day=DAY)

    assert (item.name, item.sold_this_week, item.weekly_average_before, item.ratio) == ("Atta", D("12"), D("4"),
                                                                                         D("3.00"))
    assert item.reason == "Sold 12 this week against 4 a week over the previous 4."


def test_trending_needs_the_minimum_volume_and_rise(seller, product):
    steady, few = product("Steady"), product("Few")
    for weeks_back in range(1, 5):
        seller(DAY - timedelta(weeks=weeks_back), (steady, 10))  # 10 a week before
    seller(DAY, (steady, 14), (few, 9))  # steady: 1.4 times, below 1.5; few: 9 new, below the minimum of 10

    assert trending_products(day=DAY) == []
    assert [i.name for i in trending_products(day=DAY, min_ratio=D("1.4"), min_quantity=D("9"))] == ["Few", "Steady"]


def test_trending_lists_new_sellers_first_then_by_rise_and_nets_returns(seller, product):
    new, doubled, tripled = product("New"), product("Doubled"), product("Tripled")
    for weeks_back in range(1, 5):
        seller(DAY - timedelta(weeks=weeks_back), (doubled, 5), (tripled, 5))
    seller(DAY, (new, 10), (doubled, 10))
    seller(DAY - timedelta(days=1), (tripled, 19), back=(4, DAY))  # 19 sold, 4 back: 15 net, 3 times 5

    assert [(i.name, i.ratio) for i in trending_products(day=DAY)] == [
        ("New", None), ("Tripled", D("3.00")), ("Doubled", D("2.00"))]
    assert trending_products(day=DAY)[0].reason == "Sold 10 this week and none in the previous 4 weeks."


def test_trending_ties_go_by_name(seller, product):
    b, a = product("Bravo"), product("Alpha")
    seller(DAY, (b, 10), (a, 10))

    assert [i.name for i in trending_products(day=DAY)] == ["Alpha", "Bravo"]
    assert [i.name for i in trending_products(day=DAY, limit=1)] == ["Alpha"]


# --- Stock cover and reorder ----------------------------------------------------------------------------------


def test_reorder_suggestion_from_daily_sales_lead_time_and_safety_rounded_to_the_pack(seller, product):
    supplier = factories.SupplierFactory(name="Ravi Traders", lead_time_days=5)
    tea = product("Tea", quantity="65", default_supplier=supplier, reorder_quantity=D("12"))
    seller(DAY - timedelta(days=28), (tea, 1))  # one day before the 28-day window: not counted
    seller(DAY - timedelta(days=27), (tea, 20))  # the window's first day
    seller(DAY - timedelta(days=10), (tea, 1))
    seller(DAY, (tea, 35))  # 56 in the window: 2 a day

    [item] = reorder_suggestions(day=DAY)

    # On hand 65 - 57 = 8, 4 days' worth; reorder point 2 x 5 days + safety 2 x 2 = 14; target 14 + 14 days
    # x 2 = 42; 42 - 8 = 34, rounded up to packs of 12: 36.
    assert (item.on_hand, item.average_daily_sales, item.days_of_cover) == (D("8"), D("2"), D("4"))
    assert (item.supplier_name, item.lead_time_days, item.safety_stock, item.reorder_point,
            item.suggested_quantity) == ("Ravi Traders", 5, D("4"), D("14"), D("36"))
    assert item.reason == ("8 left last 4 days at 2 a day, not enough to cover the 5-day delivery from "
                           "Ravi Traders plus 2 safety days: order 36.")


def test_well_stocked_products_have_cover_but_no_suggestion(seller, product):
    rice = product("Rice", quantity="1000")
    seller(DAY, (rice, 28))  # 1 a day, 972 left

    [item] = stock_cover(day=DAY)
    assert (item.days_of_cover, item.suggested_quantity) == (D("972.0"), D("0"))
    assert item.reason.endswith("enough to cover a 3-day delivery plus 2 safety days.")
    assert reorder_suggestions(day=DAY) == []


@pytest.mark.parametrize(("usual", "last_bought_from", "expected"), [
    (9, 7, 9),  # the product's usual supplier wins
    (None, 7, 7),  # else the supplier of its last received purchase
    (None, None, DEFAULT_LEAD_TIME_DAYS),  # else the default
])
def test_lead_time_comes_from_the_usual_then_the_last_supplier(seller, product, owner, shop_floor, usual,
                                                               last_bought_from, expected):
    usual_supplier = factories.SupplierFactory(lead_time_days=usual) if usual else None
    salt = product("Salt", quantity="10", default_supplier=usual_supplier)
    if last_bought_from:
        receipt = PurchaseReceipt.objects.create(supplier=factories.SupplierFactory(lead_time_days=last_bought_from),
                                                 bill_number="B1", warehouse=shop_floor)
        PurchaseLine.objects.create(receipt=receipt, product=salt, quantity=D("1"), unit_cost=D("80"))
        stock_receive(receipt=receipt, user=owner)
    seller(DAY, (salt, 10))

    assert [i.lead_time_days for i in stock_cover(day=DAY)] == [expected]


def test_out_of_stock_loose_goods_round_to_the_gram(seller, product):
    sugar = product("Sugar", quantity="2.8", unit=factories.unit("kg"))
    seller(DAY, (sugar, "2.8"))  # 0.1 kg a day over 28 days, none left

    [item] = reorder_suggestions(day=DAY)
    # Reorder point 0.1 x 3 + 0.2 = 0.5; target 0.5 + 1.4 = 1.9 kg.
    assert (item.on_hand, item.days_of_cover, item.suggested_quantity) == (D("0"), D("0"), D("1.9"))
    assert item.reason.startswith("Out of stock while selling 0.1 a day")


# --- Slow and dead stock --------------------------------------------------------------------------------------


def test_dead_and_slow_stock_with_the_money_tied_up_at_cost(seller, product):
    dead = product("Dead", quantity="31", cost_price=D("80.00"))
    slow = product("Slow", quantity="45", cost_price=D("12.34"))
    moving = product("Moving", quantity="100")
    product("Never sold", quantity="2.5", unit=factories.unit("kg"), cost_price=D("33.33"))
    factories.ProductFactory(name="Empty")
    seller(DAY - timedelta(days=90), (dead, 1))  # one day before the 90-day window
    seller(DAY - timedelta(days=89), (slow, 5))  # 40 left at 5 per 90 days: 720 days' worth
    seller(DAY, (moving, 60))  # 40 left at 60 per 90 days: 60 days' worth, not slow

    items = idle_stock(day=DAY)

    assert [(i.name, i.on_hand, i.value_at_cost, i.is_dead, i.days_of_cover, i.last_sold_on) for i in items] == [
        ("Dead", D("30"), D("2400.00"), True, None, DAY - timedelta(days=90)),
        ("Slow", D("40"), D("493.60"), False, D("720"), None),
        ("Never sold", D("2.5"), D("83.33"), True, None, None),  # 83.325 rounds half up to the paisa
    ]
    assert items[0].reason == ("30 in stock worth ₹2,400.00 at cost, with none sold in the last 90 days "
                               "(last sold on 18 Aug 2026).")
    assert items[1].reason == ("40 in stock worth ₹493.60 at cost, but only 5 sold in the last 90 days: "
                               "about 720 days' worth.")
    assert [i.name for i in idle_stock(day=DAY, limit=1)] == ["Dead"]


# --- ABC ------------------------------------------------------------------------------------------------------


def test_abc_grades_by_share_of_revenue(seller, product):
    one, two, three, four = (product(name, selling_price=D(price)) for name, price in (
        ("One", "800"), ("Two", "100"), ("Three", "60"), ("Four", "40")))
    seller(DAY, (one, 1), (two, 1), (three, 1), (four, 1))  # ₹800, 100, 60, 40 of ₹1,000

    items = abc_classes(start=DAY, end=DAY)

    # One crosses 80% (A); Two starts at 80% (B) and reaches 90; Three starts at 90 (B); Four starts at 96 (C).
    assert [(i.name, i.revenue, i.share, i.cumulative_share, i.grade) for i in items] == [
        ("One", D("800.00"), D("80.00"), D("80.00"), "A"),
        ("Two", D("100.00"), D("10.00"), D("90.00"), "B"),
        ("Three", D("60.00"), D("6.00"), D("96.00"), "B"),
        ("Four", D("40.00"), D("4.00"), D("100.00"), "C"),
    ]
    assert items[1].reason == ("Brought ₹100.00 (10.00% of sales) from 16 Nov 2026 to 16 Nov 2026; with the "
                               "products above it, 90.00%: class B.")


def test_abc_ties_share_the_grade_of_the_first(seller, product):
    big, tie_b, tie_a, small = (product(n) for n in ("Big", "Tie B", "Tie A", "Small"))
    seller(DAY, (big, 7), (tie_b, 1), (tie_a, 1), (small, 1))  # 700, 100, 100, 100 of 1,000

    grades = [(i.name, i.grade) for i in abc_classes(start=DAY, end=DAY)]

    # Big A; the first tied product starts at 70% (A), so all three tied ones are A though they reach 100%.
    assert grades[0] == ("Big", "A")
    assert sorted(grades[1:]) == [("Small", "A"), ("Tie A", "A"), ("Tie B", "A")]


def test_abc_nets_returns_and_sums_exactly_to_the_paisa(seller, product):
    odd, other = product("Odd", selling_price=D("33.33")), product("Other", selling_price=D("0.01"))
    for _ in range(3):
        seller(DAY, (odd, 1), (other, 1))
    seller(DAY, (other, 2), (odd, 1), back=(1, DAY))

    revenues = {i.name: i.revenue for i in abc_classes(start=DAY, end=DAY)}
    assert revenues == {"Odd": D("133.32"), "Other": D("0.04")}


@given(st.lists(st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2), min_size=1, max_size=40))
def test_abc_grades_cover_80_and_95_percent_with_as_few_products_as_ties_allow(revenues):
    revenues.sort(reverse=True)
    grades = abc_grades(revenues)
    total = sum(revenues)

    assert grades[0] == "A" and grades == sorted(grades)  # the best seller is A; A, then B, then C
    assert all(grades[i] == grades[i + 1] for i in range(len(revenues) - 1) if revenues[i] == revenues[i + 1])
    for grade, share in (("A", 80), ("B", 95)):
        graded = [i for i, g in enumerate(grades) if g <= grade]
        assert sum(revenues[: graded[-1] + 1]) * 100 >= share * total  # they reach the share...
        first_of_last_group = revenues.index(revenues[graded[-1]])
        assert sum(revenues[:first_of_last_group]) * 100 < share * total  # ...and no group less would


def test_abc_with_no_sales_or_one_sale(seller, product):
    assert abc_classes(start=DAY, end=DAY) == []
    seller(DAY, (product("Only"), 1))
    assert [(i.name, i.grade, i.cumulative_share) for i in abc_classes(start=DAY, end=DAY)] == [
        ("Only", "A", D("100.00"))]


# --- Bought together ------------------------------------------------------------------------------------------


def test_pairs_with_support_confidence_and_lift(seller, product):
    bread, butter, milk, bag = product("Bread"), product("Butter"), product("Milk"), product("Bag")
    for _ in range(4):
        seller(DAY, (bread, 1), (butter, 1), (bag, 1))
    for _ in range(2):
        seller(DAY, (bread, 1), (bag, 1))
    for _ in range(3):
        seller(DAY, (milk, 1), (bag, 1))
    seller(DAY, (milk, 1), (butter, 1), (bag, 1))  # Milk and Butter once: below two bills

    [pair] = bought_together(start=DAY, end=DAY)

    # 10 bills; Bread on 6, Butter on 5, both on 4: support 0.4, confidence Butter -> Bread 4/5,
    # lift 4 x 10 / (6 x 5) = 1.33. Bag is on every bill: lift exactly 1 with anything, so never a pair.
    assert (pair.name, pair.with_name, pair.bills_together, pair.support, pair.confidence, pair.lift) == (
        "Butter", "Bread", 4, D("0.4000"), D("0.8000"), D("1.33"))
    assert pair.reason == ("On 4 of 10 bills together: 80% of bills with Butter also had Bread, "
                           "1.3 times as often as by chance.")


def test_pairs_need_the_minimum_support(seller, product):
    tea, sugar = product("Tea"), product("Sugar")
    seller(DAY, (tea, 1), (sugar, 1))
    seller(DAY, (tea, 1), (sugar, 1))
    for n in range(8):
        seller(DAY, (product(f"Other {n}"), 1))

    assert [p.bills_together for p in bought_together(start=DAY, end=DAY)] == [2]  # support 0.2
    assert bought_together(start=DAY, end=DAY, min_support=D("0.21")) == []
    assert bought_together(start=DAY, end=DAY, min_bills=3) == []


def test_pairs_with_no_bills_or_one_bill(seller, product):
    assert bought_together(start=DAY, end=DAY) == []
    seller(DAY, (product("A"), 1), (product("B"), 1))
    assert bought_together(start=DAY, end=DAY) == []  # one bill: both on every bill, lift 1


# --- Unusual days ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "history", "median", "z"), [
    # median 1000; deviations 0, 100, 100, 0: MAD 50; z = 0.6745 x 300 / 50
    ("1300", ["1000", "1100", "900", "1000"], "1000", "4.047"),
    ("700", ["1000", "1100", "900", "1000"], "1000", "-4.047"),
    # MAD 0 (three of four the same): mean absolute deviation 50 x 1.253314 stands in: 300 / 62.6657
    ("1300", ["1000", "1000", "1000", "1200"], "1000", "4.787"),
    ("1300", ["1000", "1000", "1000", "1000"], "1000", None),  # every day the same: undefined
])
def test_robust_z(value, history, median, z):
    found_median, found_z = robust_z(D(value), [D(x) for x in history])
    assert found_median == D(median)
    assert (found_z if z is None else found_z.quantize(D("0.001"))) == (None if z is None else D(z))


@given(value=st.decimals(min_value=0, max_value=10**6, places=2),
       history=st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=4, max_size=8),
       scale=st.integers(min_value=1, max_value=1000))
def test_robust_z_has_the_sign_of_the_difference_and_ignores_the_scale(value, history, scale):
    median, z = robust_z(value, history)
    scaled_median, scaled_z = robust_z(value * scale, [x * scale for x in history])
    if z is None:
        assert scaled_z is None and all(x == history[0] for x in history)
    else:
        assert (z > 0) == (value > median) and (z < 0) == (value < median)
        assert abs(scaled_z - z) < D("1E-20")
    assert scaled_median == median * scale


def test_unusual_day_against_the_same_weekday(seller, product):
    item = product("Item")
    for weeks_back, quantity in zip(range(1, 5), (10, 11, 9, 10), strict=True):  # Mondays: ₹1,000 1,100 900 1,000
        seller(DAY - timedelta(weeks=weeks_back), (item, quantity))
    seller(DAY - timedelta(days=1), (item, 50))  # a Sunday: three Sundays since the first sale, never judged
    seller(DAY, (item, 14), back=(1, DAY))  # ₹1,400 sold, ₹100 back: ₹1,300 net

    [day] = unusual_days(start=DAY - timedelta(days=6), end=DAY)

    assert (day.day, day.sales, day.usual, day.robust_z, day.is_high) == (DAY, D("1300.00"), D("1000.00"),
                                                                        D("4.05"), True)
    assert day.reason == ("Sales of ₹1,300.00 on Monday 16 Nov 2026 were far above the usual ₹1,000.00 "
                          "of the last 4 Mondays.")


def test_a_quiet_day_is_unusual_and_a_normal_one_is_not(seller, product):
    item = product("Item")
    for weeks_back, quantity in zip(range(2, 6), (10, 11, 9, 10), strict=True):
        seller(DAY - timedelta(weeks=weeks_back), (item, quantity))
    seller(DAY - timedelta(weeks=1), (item, 11))  # 1,100: z 1.35 against 1,000, 1,100, 900, 1,000
    seller(DAY, (item, 7))  # 700 against the five before: median 1,000, MAD 100: z -2.02 -> not unusual
    assert [d.day for d in unusual_days(start=DAY - timedelta(weeks=1), end=DAY)] == []
    assert [d.day for d in unusual_days(start=DAY, end=DAY, threshold=D("2"))] == [DAY]


def test_unusual_days_need_history(seller, product):
    assert unusual_days(start=DAY, end=DAY) == []
    item = product("Item")
    for weeks_back in range(1, 4):  # three Mondays: less than the four needed
        seller(DAY - timedelta(weeks=weeks_back), (item, weeks_back))
    seller(DAY, (item, 100))
    assert unusual_days(start=DAY, end=DAY) == []


# --- Below cost -----------------------------------------------------------------------------------------------


def test_lines_sold_below_cost_with_the_loss_to_the_paisa(seller, product):
    taxed = product("Biscuits", tax_rate=factories.tax_rate("18"), cost_price=D("80.00"))
    plain = product("Salt", cost_price=D("80.00"))
    at_cost = product("Oil", cost_price=D("100.00"))
    seller(DAY, (taxed, 2, "20"), (plain, 1, "30"), (at_cost, 1))
    seller(DAY, (taxed, 1))  # ₹100 with GST: taxable 84.75, above cost
    seller(DAY - timedelta(days=1), (plain, 1, "50"))  # another day

    items = sold_below_cost(start=DAY, end=DAY)

    # Biscuits: ₹180 with 18% GST inside: each half round(180 x 18 / 236) = 13.73, taxable 152.54 against
    # 2 x 80: 7.46 below. Salt: 100 - 30 = 70 against 80: 10 below. Oil at exactly its cost: not listed.
    assert [(i.name, i.quantity, i.net_unit_price, i.unit_cost, i.loss) for i in items] == [
        ("Salt", D("1"), D("70.00"), D("80.00"), D("10.00")),
        ("Biscuits", D("2"), D("76.27"), D("80.00"), D("7.46")),
    ]
    number = items[1].invoice_number
    assert items[1].reason == (f"Bill {number} sold 2 × Biscuits at ₹76.27 each before GST against a cost "
                               f"of ₹80.00: ₹7.46 below cost.")


def test_cancelled_bills_are_not_below_cost(seller, product, owner):
    from sales.services import invoice_cancel

    invoice = seller(DAY, (product("Salt"), 1, "30"))
    invoice_cancel(invoice=invoice, user=owner, reason="Typed twice")
    assert sold_below_cost(start=DAY, end=DAY) == []


# --- Customers who stopped buying -----------------------------------------------------------------------------


def test_regular_customer_who_stopped_is_listed_with_their_khata(seller, product):
    goods = product("Item")
    gone = factories.CustomerFactory(name="Meena", credit_limit=D("5000"))
    regular = factories.CustomerFactory(name="Ravi")
    recent = factories.CustomerFactory(name="Asha")
    for days_back in (60, 53, 46, 39):  # every 7 days, then nothing for 39 >= 3 x 7
        seller(DAY - timedelta(days=days_back), (goods, 1), customer=gone, credit=days_back == 39)
    for days_back in (24, 17, 10, 3):
        seller(DAY - timedelta(days=days_back), (goods, 1), customer=regular)
    for days_back in (41, 34, 27, 20):  # 20 days: less than 3 x 7
        seller(DAY - timedelta(days=days_back), (goods, 1), customer=recent)

    [item] = lapsed_customers(day=DAY)

    assert (item.name, item.visits, item.spent, item.usual_gap_days, item.last_bought_on, item.days_since,
            item.balance) == ("Meena", 4, D("400.00"), D("7.0"), DAY - timedelta(days=39), 39, D("100.00"))
    assert item.reason == "Bought on 4 days, usually every 7 days, but nothing in the 39 days since 8 Oct 2026."


def test_lapsed_needs_regular_visits_and_a_long_enough_gap(seller, product):
    item = product("Item")
    few = factories.CustomerFactory(name="Few")
    boundary = factories.CustomerFactory(name="Boundary")
    for days_back in (90, 60, 45):  # three visits only
        seller(DAY - timedelta(days=days_back), (item, 1), customer=few)
    for days_back in (42, 35, 28, 21):  # exactly 3 x 7 days ago: lapsed
        seller(DAY - timedelta(days=days_back), (item, 1), customer=boundary)
    for days_back in (49, 42, 35, 28):  # lapsed, but no longer an active customer
        seller(DAY - timedelta(days=days_back), (item, 1), customer=factories.CustomerFactory(is_active=False))

    assert [c.name for c in lapsed_customers(day=DAY)] == ["Boundary"]
    assert lapsed_customers(day=DAY, gap_multiple=D("3.1")) == []
    assert lapsed_customers(day=DAY, min_days=22) == []


# --- The day's insights ---------------------------------------------------------------------------------------


@pytest.fixture
def busy_history(seller, product):
    """A month with one of every kind of insight on DAY."""
    supplier = factories.SupplierFactory(name="Ravi Traders", lead_time_days=5)
    tea = product("Tea", quantity="64", default_supplier=supplier, reorder_quantity=D("12"))
    bread, butter = product("Bread"), product("Butter")
    milk = product("Milk")
    product("Old stock", quantity="10")
    customer = factories.CustomerFactory(name="Meena")
    for weeks_back, loaves in zip(range(1, 5), (10, 11, 9, 10), strict=True):  # Mondays of ₹1,000 to 1,200
        seller(DAY - timedelta(weeks=weeks_back), (bread, loaves), (butter, 1))
    for days_back in (60, 53, 46, 39):
        seller(DAY - timedelta(days=days_back), (bread, 1), customer=customer)
    for days_back in range(1, 5):
        seller(DAY - timedelta(days=days_back), (milk, 1))
    seller(DAY, (tea, 56), (bread, 30), (butter, 30, "2700"))  # trending, reorder, below cost, unusual
    seller(DAY, (bread, 1), (butter, 1))
    return {"tea": tea}


def test_owner_gets_every_kind_in_round_robin_order(busy_history, owner):
    found = insights_for_day(day=DAY, user=owner, limit=20)

    kinds = [i.kind for i in found]
    assert kinds[:7] == ["below_cost", "unusual_day", "reorder", "trending", "lapsed_customer", "dead_stock",
                         "bought_together"]
    assert all(i.reason and i.title for i in found)
    assert [i.kind for i in insights_for_day(day=DAY, user=owner)] == kinds[:6]


def test_the_days_insights_are_the_functions_own_best_items(busy_history, owner):
    details = {}
    for item in insights_for_day(day=DAY, user=owner, limit=20):
        details.setdefault(item.kind, []).append(item.detail)

    assert details == {
        "below_cost": sold_below_cost(start=DAY, end=DAY, limit=2),
        "unusual_day": unusual_days(start=DAY, end=DAY),
        "reorder": reorder_suggestions(day=DAY, limit=2),
        "trending": trending_products(day=DAY, limit=2),
        "lapsed_customer": lapsed_customers(day=DAY, limit=2),
        "dead_stock": idle_stock(day=DAY, limit=2),
        "bought_together": bought_together(start=DAY - timedelta(days=29), end=DAY, limit=2),
    }


def test_manager_gets_no_cost_based_insights(busy_history, manager):
    found = insights_for_day(day=DAY, user=manager, limit=20)
    assert found and not any(i.cost_based for i in found)
    assert not {"below_cost", "dead_stock"} & {i.kind for i in found}


def test_cashier_gets_no_insights_and_never_cost_based_ones(busy_history, cashier):
    assert insights_for_day(day=DAY, user=cashier) == []


def test_no_sales_means_no_insights(shop, owner):
    assert insights_for_day(day=DAY, user=owner) == []


@pytest.mark.parametrize(("days_ago", "quantity", "reported"), [
    (1, 1, True),  # yesterday's ₹100 against ₹1,000: unusually low
    (0, 1, False),  # today's ₹100 so far: the day is not over
    (0, 30, True),  # today's ₹3,000 already: unusually high
])
def test_today_reports_only_unusually_high_sales(seller, product, owner, days_ago, quantity, reported):
    day = timezone.localdate() - timedelta(days=days_ago)
    item = product("Item")
    for weeks_back, usual in zip(range(1, 5), (10, 11, 9, 10), strict=True):
        seller(day - timedelta(weeks=weeks_back), (item, usual))
    seller(day, (item, quantity))
    assert ("unusual_day" in {i.kind for i in insights_for_day(day=day, user=owner, limit=20)}) is reported


def test_insights_query_count_does_not_grow_with_the_data(busy_history, seller, owner, manager,
                                                          django_assert_num_queries):
    owner.has_perm("reports.view_reports")  # permissions cached on the user, as on a request's user
    with django_assert_num_queries(OWNER_QUERIES):
        insights_for_day(day=DAY, user=owner)
    for days_back in range(1, 8):
        seller(DAY - timedelta(days=days_back), (busy_history["tea"], 1))
    with django_assert_num_queries(OWNER_QUERIES):
        insights_for_day(day=DAY, user=owner)
    manager.has_perm("reports.view_reports")
    with django_assert_num_queries(MANAGER_QUERIES):
        insights_for_day(day=DAY, user=manager)


# Below cost 1, unusual days 2, quantities sold for reorder and idle stock 2, reorder 1, trending 2, lapsed
# customers 2, stock held 1 (and 1 more when a dead product is among those shown: its last sale), pairs 2.
# A manager skips the two cost-based reads.
OWNER_QUERIES = 13
MANAGER_QUERIES = 11
