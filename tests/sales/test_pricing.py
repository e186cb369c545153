"""GST arithmetic, with every expected figure worked out by hand (the working is in the comments).

Inclusive lines (MRP): with net = price × quantity − discounts and D = 100 + rate + cess rate,
each half = round(net × rate / 2D), IGST = round(net × rate / D), cess = round(net × cess / D),
taxable = net − taxes. Exclusive lines: taxable = net, each tax = round(taxable × its rate / 100).
"round" is to the paisa, half up.
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.pricing import LineInput, price_bill, share_bill_discount

D = Decimal
PAISA = D("0.01")


def line(price, quantity="1", rate="18", inclusive=True, discount="0", cess="0") -> LineInput:
    return LineInput(unit_price=D(price), quantity=D(quantity), tax_rate=D(rate), tax_inclusive=inclusive,
                     discount=D(discount), cess_rate=D(cess))


# (id, lines, options, expected: taxable, cgst, sgst, igst, cess, exact total, round off, grand total)
CASES = [
    # 105 × 5 / 210 = 2.50 each; taxable 105 − 5.00 = 100.00
    ("incl-5-intra", [line("105", rate="5")], {},
     ("100.00", "2.50", "2.50", "0", "0", "105.00", "0.00", "105")),
    # 100 × 18 / 236 = 7.6271 -> 7.63 each; taxable 100 − 15.26 = 84.74; exactly 100.00
    ("incl-18-intra-shelf-price", [line("100")], {},
     ("84.74", "7.63", "7.63", "0", "0", "100.00", "0.00", "100")),
    # IGST 100 × 18 / 118 = 15.2542 -> 15.25; taxable 100 − 15.25 = 84.75 (the odd paisa stays in the taxable value)
    ("incl-18-inter", [line("100")], {"inter_state": True},
     ("84.75", "0", "0", "15.25", "0", "100.00", "0.00", "100")),
    # exclusive: 9% of 100 = 9.00 each; 118.00
    ("excl-18-intra", [line("100", inclusive=False)], {},
     ("100.00", "9.00", "9.00", "0", "0", "118.00", "0.00", "118")),
    # exclusive: IGST 18% of 100 = 18.00; 118.00
    ("excl-18-inter", [line("100", inclusive=False)], {"inter_state": True},
     ("100.00", "0", "0", "18.00", "0", "118.00", "0.00", "118")),
    # nil-rated salt: 28 × 3 = 84.00, no tax
    ("incl-0", [line("28", "3", rate="0")], {},
     ("84.00", "0", "0", "0", "0", "84.00", "0.00", "84")),
    # 45 × 2 = 90; 90 × 40 / 280 = 12.8571 -> 12.86 each; taxable 90 − 25.72 = 64.28
    ("incl-40-intra", [line("45", "2", rate="40")], {},
     ("64.28", "12.86", "12.86", "0", "0", "90.00", "0.00", "90")),
    # gold: 5150 × 3 / 206 = 75.00 each; taxable 5150 − 150 = 5000.00
    ("incl-3-gold", [line("5150", rate="3")], {},
     ("5000.00", "75.00", "75.00", "0", "0", "5150.00", "0.00", "5150")),
    # rough diamonds: IGST 4010 × 0.25 / 100.25 = 10.00; taxable 4000.00
    ("incl-0.25-inter", [line("4010", rate="0.25")], {"inter_state": True},
     ("4000.00", "0", "0", "10.00", "0", "4010.00", "0.00", "4010")),
    # 0.250 kg × 120 = 30.00; 30 × 5 / 210 = 0.7143 -> 0.71 each; taxable 30 − 1.42 = 28.58
    ("loose-quarter-kg", [line("120", "0.250", rate="5")], {},
     ("28.58", "0.71", "0.71", "0", "0", "30.00", "0.00", "30")),
    # 0.333 kg × 99 = 32.967 -> 32.97; 32.97 × 5 / 210 = 0.785 exactly -> 0.79 (half up) each;
    # taxable 32.97 − 1.58 = 31.39; 32.97 rounds to 33, +0.03
    ("loose-incl-half-up", [line("99", "0.333", rate="5")], {},
     ("31.39", "0.79", "0.79", "0", "0", "32.97", "0.03", "33")),
    # exclusive: 0.333 × 99 = 32.967 -> 32.97; 2.5% = 0.82425 -> 0.82 each; 34.61 -> 35, +0.39
    ("loose-excl-round-up", [line("99", "0.333", rate="5", inclusive=False)], {},
     ("32.97", "0.82", "0.82", "0", "0", "34.61", "0.39", "35")),
    # Aashirvaad Atta 5 kg at MRP 285, 5%: 285 × 5 / 210 = 6.7857 -> 6.79 each; taxable 285 − 13.58 = 271.42
    ("atta-285-incl-5-intra", [line("285", rate="5")], {},
     ("271.42", "6.79", "6.79", "0", "0", "285.00", "0.00", "285")),
    # the same bag sold out of state: IGST 285 × 5 / 105 = 13.5714 -> 13.57; taxable 285 − 13.57 = 271.43
    ("atta-285-incl-5-inter", [line("285", rate="5")], {"inter_state": True},
     ("271.43", "0", "0", "13.57", "0", "285.00", "0.00", "285")),
    # basmati 300 at 5%: 300 × 5 / 210 = 7.1429 -> 7.14 each; taxable 300 − 14.28 = 285.72
    ("basmati-300-incl-5", [line("300", rate="5")], {},
     ("285.72", "7.14", "7.14", "0", "0", "300.00", "0.00", "300")),
    # a ₹763 basket: atta 285 @5% (6.79 each, 271.42), basmati 300 @5% (7.14 each, 285.72),
    # Surf 136 @18% (136 × 18 / 236 = 10.3729 -> 10.37 each, 136 − 20.74 = 115.26), salt 28 @0% (28.00),
    # biscuits 14 @18% (14 × 18 / 236 = 1.0678 -> 1.07 each, 14 − 2.14 = 11.86);
    # taxable 271.42 + 285.72 + 115.26 + 28 + 11.86 = 712.26; CGST 6.79 + 7.14 + 10.37 + 1.07 = 25.37;
    # 712.26 + 2 × 25.37 = 763.00
    ("basket-763", [line("285", rate="5"), line("300", rate="5"), line("136"), line("28", rate="0"), line("14")], {},
     ("712.26", "25.37", "25.37", "0", "0", "763.00", "0.00", "763")),
    # 285 − 15 = 270; 270 × 5 / 210 = 6.4286 -> 6.43 each; taxable 270 − 12.86 = 257.14
    ("line-discount-incl", [line("285", rate="5", discount="15")], {},
     ("257.14", "6.43", "6.43", "0", "0", "270.00", "0.00", "270")),
    # exclusive: 400 − 40 = 360; 9% = 32.40 each; 424.80 -> 425, +0.20
    ("line-discount-excl", [line("200", "2", inclusive=False, discount="40")], {},
     ("360.00", "32.40", "32.40", "0", "0", "424.80", "0.20", "425")),
    # exclusive, bill discount 40 over 100 and 300: shares 10.00 and 30.00 (exact);
    # A: 90 at 9% = 8.10 each; B: 270 at 2.5% = 6.75 each; 360 + 29.70 = 389.70 -> 390, +0.30
    ("bill-discount-two-slabs",
     [line("100", inclusive=False), line("300", rate="5", inclusive=False)], {"bill_discount": D("40")},
     ("360.00", "14.85", "14.85", "0", "0", "389.70", "0.30", "390")),
    # inclusive, bill discount 50 over 285 and 300 (585): exact shares 24.3590 and 25.6410, floors 24.35 + 25.64
    # = 49.99, the paisa left goes to the larger remainder (the first): 24.36 and 25.64.
    # A: 285 − 24.36 = 260.64; 260.64 × 5 / 210 = 6.2057 -> 6.21 each; taxable 260.64 − 12.42 = 248.22
    # B: 300 − 25.64 = 274.36; 274.36 × 5 / 210 = 6.5324 -> 6.53 each; taxable 274.36 − 13.06 = 261.30
    # taxable 509.52; CGST 12.74; 509.52 + 25.48 = 535.00 = 585 − 50
    ("bill-discount-incl", [line("285", rate="5"), line("300", rate="5")], {"bill_discount": D("50")},
     ("509.52", "12.74", "12.74", "0", "0", "535.00", "0.00", "535")),
    # bill discount 10 over three 10s: 3.33 each and the paisa left to the first (equal remainders): 6.66 + 6.67 × 2
    ("bill-discount-remainder", [line("10", rate="0")] * 3, {"bill_discount": D("10")},
     ("20.00", "0", "0", "0", "0", "20.00", "0.00", "20")),
    ("round-off-down", [line("11.27", rate="0")], {},
     ("11.27", "0", "0", "0", "0", "11.27", "-0.27", "11")),
    ("round-off-half-up", [line("10.50", rate="0")], {},
     ("10.50", "0", "0", "0", "0", "10.50", "0.50", "11")),
    # as incl-18-intra-shelf-price, with rounding to the rupee off
    ("round-off-disabled", [line("100")], {"round_off": False},
     ("84.74", "7.63", "7.63", "0", "0", "100.00", "0.00", "100.00")),
    # 118 × 2 = 236; IGST 236 × 18 / 118 = 36.00, taxable 200.00; 52.50 × 2 = 105; IGST 105 × 5 / 105 = 5.00,
    # taxable 100.00; 300 + 41 = 341
    ("inter-two-lines", [line("118", "2"), line("52.50", "2", rate="5")], {"inter_state": True},
     ("300.00", "0", "0", "41.00", "0", "341.00", "0.00", "341")),
    # composition: a bill of supply, no tax collected
    ("composition", [line("100")], {"composition": True},
     ("100.00", "0", "0", "0", "0", "100.00", "0.00", "100")),
    # exclusive, 40% + 12% cess on 100: 20.00 + 20.00 + 12.00 = 152.00
    ("cess-excl", [line("100", rate="40", inclusive=False, cess="12")], {},
     ("100.00", "20.00", "20.00", "0", "12.00", "152.00", "0.00", "152")),
    # D = 152: 152 × 40 / 304 = 20.00 each; cess 152 × 12 / 152 = 12.00; taxable 152 − 52 = 100.00
    ("cess-incl", [line("152", rate="40", cess="12")], {},
     ("100.00", "20.00", "20.00", "0", "12.00", "152.00", "0.00", "152")),
    # D = 152: 100 × 40 / 304 = 13.1579 -> 13.16 each; cess 100 × 12 / 152 = 7.8947 -> 7.89;
    # taxable 100 − 26.32 − 7.89 = 65.79
    ("cess-incl-odd", [line("100", rate="40", cess="12")], {},
     ("65.79", "13.16", "13.16", "0", "7.89", "100.00", "0.00", "100")),
    # D = 152: IGST 100 × 40 / 152 = 26.3158 -> 26.32; cess 7.89; taxable 100 − 26.32 − 7.89 = 65.79
    ("cess-incl-inter", [line("100", rate="40", cess="12")], {"inter_state": True},
     ("65.79", "0", "0", "26.32", "7.89", "100.00", "0.00", "100")),
    # exclusive: 33.33 × 3 = 99.99; 2.5% = 2.49975 -> 2.50 each; 104.99 -> 105, +0.01
    ("odd-paise-excl-5", [line("33.33", "3", rate="5", inclusive=False)], {},
     ("99.99", "2.50", "2.50", "0", "0", "104.99", "0.01", "105")),
    # 1 × 18 / 236 = 0.0763 -> 0.08 each; taxable 1 − 0.16 = 0.84; exactly 1.00
    ("one-rupee-incl-18", [line("1")], {},
     ("0.84", "0.08", "0.08", "0", "0", "1.00", "0.00", "1")),
]


@pytest.mark.parametrize(("lines", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bill_amounts(lines, options, expected):
    bill = price_bill(lines, inter_state=options.get("inter_state", False), round_off=options.get("round_off", True),
                      bill_discount=options.get("bill_discount", D("0")), composition=options.get("composition", False))
    got = (bill.taxable, bill.cgst, bill.sgst, bill.igst, bill.cess, bill.exact_total, bill.round_off,
           bill.grand_total)
    assert got == tuple(D(x) for x in expected)
    assert_totals_are_sums_of_lines(bill)


@pytest.mark.parametrize(("price", "rate", "inter_state"), [
    ("285", "5", False), ("285", "5", True), ("300", "5", False), ("100", "18", False), ("100", "18", True),
    ("45", "40", False), ("1", "18", False), ("99.99", "0.25", False), ("5149.99", "3", True),
])
def test_an_inclusive_line_costs_its_shelf_price(price, rate, inter_state):
    bill = price_bill([line(price, rate=rate)], inter_state=inter_state)
    assert bill.lines[0].total == bill.exact_total == D(price)


def test_bill_discount_shares_follow_line_amounts():
    bill = price_bill([line("10", rate="0")] * 3, inter_state=False, bill_discount=D("10"))
    assert [li.bill_discount for li in bill.lines] == [D("3.34"), D("3.33"), D("3.33")]


@pytest.mark.parametrize(("nets", "discount", "shares"), [
    # exact 2.00, 0.6667, 0.3333: floors 2.00 + 0.66 + 0.33 = 2.99; the paisa goes to the largest remainder (0.0067)
    (["6", "2", "1"], "3", ["2.00", "0.67", "0.33"]),
    # exact 0.005 each: floors 0 + 0; the paisa goes to the first of the equal remainders
    (["1", "1"], "0.01", ["0.01", "0.00"]),
    # a line with nothing left after its own discount gets no share
    (["0", "50"], "5", ["0.00", "5.00"]),
    # the whole bill given away: each line gives away all of itself
    (["0.01", "0.01", "0.01"], "0.03", ["0.01", "0.01", "0.01"]),
])
def test_bill_discount_shares_use_the_largest_remainders(nets, discount, shares):
    assert share_bill_discount([D(n) for n in nets], D(discount)) == [D(s) for s in shares]


def test_tax_summary_groups_lines_by_rate():
    bill = price_bill([line("100", inclusive=False), line("50", rate="5", inclusive=False),
                       line("100", inclusive=False)], inter_state=False)
    assert [(row.tax_rate, row.taxable, row.cgst) for row in bill.tax_summary] == [
        (D("5"), D("50.00"), D("1.25")), (D("18"), D("200.00"), D("18.00"))]


@pytest.mark.parametrize(("lines", "bill_discount", "message"), [
    ([line("10", quantity="0")], "0", "quantity must be more than zero"),
    ([line("10", discount="11")], "0", "discount is more than the line"),
    ([line("10", discount="-1")], "0", "cannot be negative"),
    ([line("10")], "11", "bill discount is more than the bill"),
])
def test_impossible_bills_are_refused(lines, bill_discount, message):
    with pytest.raises(ValidationError, match=message):
        price_bill(lines, inter_state=False, bill_discount=D(bill_discount))


def assert_totals_are_sums_of_lines(bill):
    for name in ("taxable", "cgst", "sgst", "igst", "cess"):
        assert getattr(bill, name) == sum(getattr(li, name) for li in bill.lines)
        assert getattr(bill, name) == sum(getattr(row, name) for row in bill.tax_summary)
    assert bill.gross == sum(li.gross for li in bill.lines)
    assert bill.discount == sum(li.line_discount + li.bill_discount for li in bill.lines)
    assert bill.exact_total == sum(li.total for li in bill.lines)
    assert bill.grand_total == bill.exact_total + bill.round_off


# Property: random bills of MRP and exclusive lines, loose goods by the gram, line and bill discounts.
SLABS = [D("0"), D("0.25"), D("3"), D("5"), D("18"), D("40")]
# Cess up to 33% keeps every tax within a paisa of its rate of the taxable value (worst case 0.005 × (1 + 3c/100)).
CESS_RATES = [D("0"), D("0"), D("0"), D("1"), D("12"), D("22")]
prices = st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2)
quantities = st.one_of(st.integers(1, 50).map(D), st.decimals(min_value=D("0.001"), max_value=D("500"), places=3))


@st.composite
def priced_lines(draw) -> LineInput:
    price, quantity = draw(prices), draw(quantities)
    gross = (price * quantity).quantize(PAISA, rounding=ROUND_HALF_UP)
    discount_percent = draw(st.sampled_from([0, 0, 0, 5, 10, 33, 100]) | st.integers(0, 100))
    return LineInput(unit_price=price, quantity=quantity, tax_rate=draw(st.sampled_from(SLABS)),
                     cess_rate=draw(st.sampled_from(CESS_RATES)), tax_inclusive=draw(st.booleans()),
                     discount=(gross * discount_percent / 100).quantize(PAISA, rounding=ROUND_DOWN))


def shelf_amount(given_line: LineInput) -> Decimal:
    """What the customer sees for a line before the bill discount: price × quantity less the line's discount."""
    return (given_line.unit_price * given_line.quantity).quantize(PAISA, rounding=ROUND_HALF_UP) - given_line.discount


def paisa_off(bill, lines) -> list[str]:
    """Return what is wrong with a bill's paise: the properties every bill must have, as messages."""
    wrong = []
    for number, (priced, given_line) in enumerate(zip(bill.lines, lines, strict=True), 1):
        net = shelf_amount(given_line) - priced.bill_discount
        if given_line.tax_inclusive and priced.total != net:
            wrong.append(f"line {number}: {priced.total} charged for a shelf amount of {net}")
        if not given_line.tax_inclusive and priced.taxable != net:
            wrong.append(f"line {number}: taxable {priced.taxable} is not the net {net}")
        if priced.cgst != priced.sgst:
            wrong.append(f"line {number}: CGST {priced.cgst} is not SGST {priced.sgst}")
        if bill.inter_state and priced.cgst or not bill.inter_state and priced.igst:
            wrong.append(f"line {number}: the wrong kind of GST")
        gst = (priced.igst, priced.tax_rate) if bill.inter_state else (priced.cgst, priced.tax_rate / 2)
        for tax, share in (gst, (priced.cess, priced.cess_rate)):
            if abs(priced.taxable * share / 100 - tax) > PAISA:
                wrong.append(f"line {number}: {tax} is more than a paisa from {share}% of {priced.taxable}")
        if priced.taxable < 0:
            wrong.append(f"line {number}: negative taxable value")
    return wrong


@settings(max_examples=300)
@given(lines=st.lists(priced_lines(), min_size=1, max_size=12), inter_state=st.booleans(), round_off=st.booleans(),
       discount_percent=st.sampled_from([0, 0, 0, 10]) | st.integers(0, 100))
def test_any_bill_charges_the_shelf_price_and_adds_up(lines, inter_state, round_off, discount_percent):
    after_line_discounts = sum((shelf_amount(li) for li in lines), D(0))
    bill_discount = (after_line_discounts * discount_percent / 100).quantize(PAISA, rounding=ROUND_DOWN)
    bill = price_bill(lines, inter_state=inter_state, round_off=round_off, bill_discount=bill_discount)
    assert paisa_off(bill, lines) == []
    assert_totals_are_sums_of_lines(bill)
    assert sum(li.bill_discount for li in bill.lines) == bill_discount
    assert abs(bill.round_off) <= D("0.50")
    if all(li.tax_inclusive for li in lines):
        assert bill.exact_total == after_line_discounts - bill_discount


@given(nets=st.lists(st.decimals(min_value=D("0"), max_value=D("99999"), places=2), min_size=1, max_size=12),
       percent=st.integers(0, 100))
def test_bill_discount_shares_add_up_and_stay_within_a_paisa(nets, percent):
    total = sum(nets, D(0))
    discount = (total * percent / 100).quantize(PAISA, rounding=ROUND_DOWN)
    shares = share_bill_discount(nets, discount)
    assert sum(shares, D(0)) == discount
    assert shares == share_bill_discount(nets, discount)  # the same cart always splits the same way
    for net, share in zip(nets, shares, strict=True):
        assert D(0) <= share <= net
        if total:
            assert abs(share - discount * net / total) < PAISA
