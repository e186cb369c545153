"""GST arithmetic of a bill, as plain functions of Decimals.

Rounding happens at fixed points only (DESIGN.md): each line's gross, discount share and each tax
to the paisa, half up; the bill to the rupee with an explicit round-off. A tax-inclusive line (MRP)
costs exactly its shelf amount: its taxes are worked out of that amount and the taxable value is
what remains. Every total is the sum of the rounded lines, so the bill, its tax summary, the
printed invoice, the day book and the reports agree to the paisa.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from shop.money import PAISA, to_paise, to_rupee

ZERO = Decimal("0")
ZERO_PAISE = Decimal("0.00")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class LineInput:
    unit_price: Decimal
    quantity: Decimal
    tax_rate: Decimal
    tax_inclusive: bool = True
    discount: Decimal = ZERO  # rupees off this line, on the price the customer sees
    cess_rate: Decimal = ZERO
    rule_discount: Decimal = ZERO  # what the shop's offers (discount rules, coupons) take off this line


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal  # unit price × quantity, as the customer sees it
    line_discount: Decimal
    bill_discount: Decimal  # this line's share of the bill discount
    taxable: Decimal
    tax_rate: Decimal
    cess_rate: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    cess: Decimal
    rule_discount: Decimal = ZERO  # the offers' part of this line's discount

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst + self.cess

    @property
    def total(self) -> Decimal:
        return self.taxable + self.tax


@dataclass(frozen=True)
class TaxSummaryRow:
    """The lines of one GST rate (and cess rate) added up: a row of the bill's tax summary."""

    tax_rate: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    cess: Decimal
    cess_rate: Decimal = ZERO

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst + self.cess


@dataclass(frozen=True)
class BillAmounts:
    lines: list[LineAmounts]
    inter_state: bool
    gross: Decimal
    discount: Decimal
    taxable: Decimal
    cgst: Decimal
    sgst: Decimal
    igst: Decimal
    cess: Decimal
    exact_total: Decimal
    round_off: Decimal
    grand_total: Decimal
    tax_summary: list[TaxSummaryRow] = field(default_factory=list)
    rule_discount: Decimal = ZERO  # the offers' part of `discount`

    @property
    def tax(self) -> Decimal:
        return self.cgst + self.sgst + self.igst + self.cess


def share_bill_discount(nets: list[Decimal], bill_discount: Decimal) -> list[Decimal]:
    """Split a bill discount over lines in proportion to their amounts, to the paisa.

    Largest remainder: each line gets its exact share rounded down to the paisa, and the paise left over
    go one each to the lines with the largest remainders (the earlier line on a tie). The shares add up
    to the discount exactly, and no share is more than its line (each is within a paisa of the exact one).
    """
    total = sum((_paise(net) for net in nets), 0)
    discount = _paise(bill_discount)
    if not discount or not total:
        return [ZERO_PAISE] * len(nets)
    floors, remainders = zip(*(divmod(discount * _paise(net), total) for net in nets), strict=True)
    shares = list(floors)
    for index in sorted(range(len(nets)), key=lambda i: (-remainders[i], i))[:discount - sum(shares)]:
        shares[index] += 1
    return [share * PAISA for share in shares]


def _paise(amount: Decimal) -> int:
    """Return an amount already rounded to the paisa as a whole number of paise."""
    return int(amount * 100)


def _line_taxes(net: Decimal, *, rate: Decimal, cess_rate: Decimal, inclusive: bool,
                inter_state: bool) -> tuple[Decimal, Decimal, Decimal]:
    """Return (CGST and SGST each, IGST, cess) of a line's net amount.

    Inclusive: each tax is its part of the amount the customer pays, rounded on its own; the taxable
    value is then the remainder, so the line adds up to the shelf amount and CGST stays equal to SGST.
    Exclusive: each tax is its rate of the (already rounded) taxable value.
    """
    divisor = HUNDRED + rate + cess_rate if inclusive else HUNDRED
    cess = to_paise(net * cess_rate / divisor)
    if inter_state:
        return ZERO_PAISE, to_paise(net * rate / divisor), cess
    return to_paise(net * rate / (2 * divisor)), ZERO_PAISE, cess


def price_line(line: LineInput, *, bill_discount_share: Decimal, inter_state: bool, composition: bool) -> LineAmounts:
    """Return the amounts of one line after its own discount and its share of the bill discount.

    An inclusive line's taxable value plus its taxes is exactly its gross less its discounts.
    """
    gross = to_paise(line.unit_price * line.quantity)
    line_discount = to_paise(line.discount)
    rule_discount = to_paise(line.rule_discount)
    net = gross - line_discount - rule_discount - bill_discount_share
    rate, cess_rate = (ZERO, ZERO) if composition else (line.tax_rate, line.cess_rate)
    half, igst, cess = _line_taxes(net, rate=rate, cess_rate=cess_rate, inclusive=line.tax_inclusive,
                                   inter_state=inter_state)
    taxable = net - 2 * half - igst - cess if line.tax_inclusive else net
    return LineAmounts(
        gross=gross, line_discount=line_discount, bill_discount=bill_discount_share, taxable=taxable,
        tax_rate=rate, cess_rate=cess_rate, cgst=half, sgst=half, igst=igst, cess=cess, rule_discount=rule_discount,
    )


def _validate(lines: list[LineInput], bill_discount: Decimal) -> None:
    for number, line in enumerate(lines, 1):
        if line.quantity <= 0:
            raise ValidationError(f"Line {number}: the quantity must be more than zero.", code="quantity")
        if line.unit_price < 0:
            raise ValidationError(f"Line {number}: the price cannot be negative.", code="price")
        if line.discount < 0:
            raise ValidationError(f"Line {number}: a discount cannot be negative.", code="discount")
        if line.rule_discount < 0:
            raise ValidationError(f"Line {number}: an offer cannot add to the price.", code="discount")
        if to_paise(line.discount) + to_paise(line.rule_discount) > to_paise(line.unit_price * line.quantity):
            raise ValidationError(f"Line {number}: the discount is more than the line's amount.", code="discount")
    if bill_discount < 0:
        raise ValidationError("A bill discount cannot be negative.", code="discount")
    after_line_discounts = sum((_net(li) for li in lines), ZERO)
    if bill_discount > after_line_discounts:
        raise ValidationError("The bill discount is more than the bill.", code="discount")


def _net(line: LineInput) -> Decimal:
    """Return a line's amount after its own discount and its offers, before its share of the bill discount."""
    return to_paise(line.unit_price * line.quantity) - to_paise(line.discount) - to_paise(line.rule_discount)


def price_bill(lines: list[LineInput], *, inter_state: bool, round_off: bool = True,
               bill_discount: Decimal = ZERO, composition: bool = False) -> BillAmounts:
    """Return every amount of a bill: per line, per tax rate and in total."""
    bill_discount = to_paise(bill_discount)
    _validate(lines, bill_discount)
    nets = [_net(line) for line in lines]
    shares = share_bill_discount(nets, bill_discount)
    priced = [price_line(line, bill_discount_share=share, inter_state=inter_state, composition=composition)
              for line, share in zip(lines, shares, strict=True)]

    def total(attribute: str, rows=priced) -> Decimal:
        return sum((getattr(row, attribute) for row in rows), ZERO)

    exact = total("total")
    grand = to_rupee(exact) if round_off else exact
    summary = []
    for rate in sorted({(p.tax_rate, p.cess_rate) for p in priced}):
        rows = [p for p in priced if (p.tax_rate, p.cess_rate) == rate]
        summary.append(TaxSummaryRow(
            tax_rate=rate[0], cess_rate=rate[1], taxable=total("taxable", rows), cgst=total("cgst", rows),
            sgst=total("sgst", rows), igst=total("igst", rows), cess=total("cess", rows)))
    return BillAmounts(
        lines=priced, inter_state=inter_state, gross=total("gross"),
        discount=total("line_discount") + total("rule_discount") + total("bill_discount"),
        taxable=total("taxable"), cgst=total("cgst"),
        sgst=total("sgst"), igst=total("igst"), cess=total("cess"), exact_total=exact, round_off=grand - exact,
        grand_total=grand, tax_summary=summary, rule_discount=total("rule_discount"),
    )
