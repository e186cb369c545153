"""GST arithmetic, with every expected figure worked out by hand (the working is in the comments)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from sales.pricing import LineInput, price_bill

D = Decimal


def line(price, quantity="1", rate="18", inclusive=True, discount="0", cess="0") -> LineInput:
    return LineInput(unit_price=D(price), quantity=D(quantity), tax_rate=D(rate), tax_inclusive=inclusive,
                     discount=D(discount), cess_rate=D(cess))


# (id, lines, options, expected: taxable, cgst, sgst, igst, cess, exact total, round off, grand total)
CASES = [
    # 105 / 1.05 = 100.00; 2.5% of 100 = 2.50 each
    ("incl-5-intra", [line("105", rate="5")], {},
     ("100.00", "2.50", "2.50", "0", "0", "105.00", "0.00", "105")),
    # 100 / 1.18 = 84.7457 -> 84.75; 9% = 7.6275 -> 7.63 each; 84.75 + 15.26 = 100.01 -> 100
    ("incl-18-intra-round-down", [line("100")], {},
     ("84.75", "7.63", "7.63", "0", "0", "100.01", "-0.01", "100")),
    # IGST 18% of 84.75 = 15.255 -> 15.26 (half up)
    ("incl-18-inter", [line("100")], {"inter_state": True},
     ("84.75", "0", "0", "15.26", "0", "100.01", "-0.01", "100")),
    ("excl-18-intra", [line("100", inclusive=False)], {},
     ("100.00", "9.00", "9.00", "0", "0", "118.00", "0.00", "118")),
    ("excl-18-inter", [line("100", inclusive=False)], {"inter_state": True},
     ("100.00", "0", "0", "18.00", "0", "118.00", "0.00", "118")),
    # nil-rated salt: 28 x 3
    ("incl-0", [line("28", "3", rate="0")], {},
     ("84.00", "0", "0", "0", "0", "84.00", "0.00", "84")),
    # 90 / 1.40 = 64.2857 -> 64.29; 20% = 12.858 -> 12.86 each; 90.01 -> 90
    ("incl-40-intra", [line("45", "2", rate="40")], {},
     ("64.29", "12.86", "12.86", "0", "0", "90.01", "-0.01", "90")),
    # gold: 5150 / 1.03 = 5000; 1.5% = 75 each
    ("incl-3-gold", [line("5150", rate="3")], {},
     ("5000.00", "75.00", "75.00", "0", "0", "5150.00", "0.00", "5150")),
    # rough diamonds: 4010 / 1.0025 = 4000; IGST 0.25% = 10
    ("incl-0.25-inter", [line("4010", rate="0.25")], {"inter_state": True},
     ("4000.00", "0", "0", "10.00", "0", "4010.00", "0.00", "4010")),
    # 0.250 kg at 120 = 30.00; 30 / 1.05 = 28.5714 -> 28.57; 2.5% = 0.71425 -> 0.71 each; 29.99 -> 30
    ("loose-quarter-kg", [line("120", "0.250", rate="5")], {},
     ("28.57", "0.71", "0.71", "0", "0", "29.99", "0.01", "30")),
    # 0.333 kg at 99 = 32.967 -> 32.97; 2.5% = 0.82425 -> 0.82 each; 34.61 -> 35
    ("loose-excl-round-up", [line("99", "0.333", rate="5", inclusive=False)], {},
     ("32.97", "0.82", "0.82", "0", "0", "34.61", "0.39", "35")),
    # 285 - 15 = 270; 270 / 1.05 = 257.1428 -> 257.14; 2.5% = 6.4285 -> 6.43 each; 270.00
    ("line-discount-incl", [line("285", rate="5", discount="15")], {},
     ("257.14", "6.43", "6.43", "0", "0", "270.00", "0.00", "270")),
    # 400 - 40 = 360; 9% = 32.40 each; 424.80 -> 425
    ("line-discount-excl", [line("200", "2", inclusive=False, discount="40")], {},
     ("360.00", "32.40", "32.40", "0", "0", "424.80", "0.20", "425")),
    # bill discount 40 over 100 and 300: shares 10 and 30; A 90 at 9% = 8.10 each; B 270 at 2.5% = 6.75 each
    ("bill-discount-two-slabs",
     [line("100", inclusive=False), line("300", rate="5", inclusive=False)], {"bill_discount": D("40")},
     ("360.00", "14.85", "14.85", "0", "0", "389.70", "0.30", "390")),
    # bill discount 10 over three 10s: 3.33 each, the 0.01 left goes to the first: 6.66 + 6.67 + 6.67
    ("bill-discount-remainder", [line("10", rate="0")] * 3, {"bill_discount": D("10")},
     ("20.00", "0", "0", "0", "0", "20.00", "0.00", "20")),
    ("round-off-down", [line("11.27", rate="0")], {},
     ("11.27", "0", "0", "0", "0", "11.27", "-0.27", "11")),
    ("round-off-half-up", [line("10.50", rate="0")], {},
     ("10.50", "0", "0", "0", "0", "10.50", "0.50", "11")),
    ("round-off-disabled", [line("100")], {"round_off": False},
     ("84.75", "7.63", "7.63", "0", "0", "100.01", "0.00", "100.01")),
    # 236 / 1.18 = 200, IGST 36; 105 / 1.05 = 100, IGST 5
    ("inter-two-lines", [line("118", "2"), line("52.50", "2", rate="5")], {"inter_state": True},
     ("300.00", "0", "0", "41.00", "0", "341.00", "0.00", "341")),
    # composition: a bill of supply, no tax collected
    ("composition", [line("100")], {"composition": True},
     ("100.00", "0", "0", "0", "0", "100.00", "0.00", "100")),
    # 40% + 12% cess on 100: 20 + 20 + 12
    ("cess-excl", [line("100", rate="40", inclusive=False, cess="12")], {},
     ("100.00", "20.00", "20.00", "0", "12.00", "152.00", "0.00", "152")),
    # 152 / 1.52 = 100
    ("cess-incl", [line("152", rate="40", cess="12")], {},
     ("100.00", "20.00", "20.00", "0", "12.00", "152.00", "0.00", "152")),
    # 33.33 x 3 = 99.99; 2.5% = 2.49975 -> 2.50 each; 104.99 -> 105
    ("odd-paise-excl-5", [line("33.33", "3", rate="5", inclusive=False)], {},
     ("99.99", "2.50", "2.50", "0", "0", "104.99", "0.01", "105")),
    # 1 / 1.18 = 0.847 -> 0.85; 9% = 0.0765 -> 0.08 each; 1.01 -> 1
    ("one-rupee-incl-18", [line("1")], {},
     ("0.85", "0.08", "0.08", "0", "0", "1.01", "-0.01", "1")),
]


@pytest.mark.parametrize(("lines", "options", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bill_amounts(lines, options, expected):
    bill = price_bill(lines, inter_state=options.get("inter_state", False), round_off=options.get("round_off", True),
                      bill_discount=options.get("bill_discount", D("0")), composition=options.get("composition", False))
    got = (bill.taxable, bill.cgst, bill.sgst, bill.igst, bill.cess, bill.exact_total, bill.round_off,
           bill.grand_total)
    assert got == tuple(D(x) for x in expected)
    assert_totals_are_sums_of_lines(bill)


def test_bill_discount_shares_follow_line_amounts():
    bill = price_bill([line("10", rate="0")] * 3, inter_state=False, bill_discount=D("10"))
    assert [li.bill_discount for li in bill.lines] == [D("3.34"), D("3.33"), D("3.33")]


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
    assert bill.exact_total == sum(li.total for li in bill.lines)
    assert bill.grand_total == bill.exact_total + bill.round_off


money = st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2)
slabs = st.sampled_from([D("0"), D("0.25"), D("3"), D("5"), D("18"), D("40")])
lines_strategy = st.lists(st.builds(
    LineInput, unit_price=money, quantity=st.decimals(min_value=D("0.001"), max_value=D("500"), places=3),
    tax_rate=slabs, tax_inclusive=st.booleans()), min_size=1, max_size=12)


@given(lines=lines_strategy, inter_state=st.booleans(), round_off=st.booleans(), discount_percent=st.integers(0, 100))
def test_any_bill_is_internally_consistent(lines, inter_state, round_off, discount_percent):
    gross = sum(D(li.unit_price * li.quantity).quantize(D("0.01")) for li in lines)
    bill_discount = (gross * discount_percent / 100).quantize(D("0.01"), rounding="ROUND_DOWN")
    bill = price_bill(lines, inter_state=inter_state, round_off=round_off, bill_discount=bill_discount)
    assert_totals_are_sums_of_lines(bill)
    assert sum(li.bill_discount for li in bill.lines) == bill_discount
    assert abs(bill.round_off) <= D("0.50")
    for li in bill.lines:
        if inter_state:
            assert li.cgst == li.sgst == 0
        else:
            assert li.igst == 0 and li.cgst == li.sgst
    for priced, given_line in zip(bill.lines, lines, strict=True):
        net = priced.gross - priced.bill_discount
        if given_line.tax_inclusive:  # the customer pays the shelf price, give or take paise of rounding
            assert abs(priced.total - net) <= D("0.01") * 2
