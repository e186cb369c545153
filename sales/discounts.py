"""Which discount rules a cart gets, and what each takes off each line.

The choice, deterministic and the same for the counter's quote and for checkout:

1. A rule is a candidate when it is in force at the moment (dates, weekdays, hours in the shop's time
   zone; coupon-only rules only with their coupon), the bill at shelf prices reaches its minimum
   value, and it takes something off at least one line.
2. Offers come off each line's amount after the cashier's own line discount; the cashier's bill
   discount comes off what the offers leave (split pro rata by pricing.share_bill_discount).
3. Stackable rules add up, applied one after another in priority order (highest first, then the
   older rule), each on what the earlier ones left of every line, so a line never goes below zero.
4. A rule that does not stack applies alone. The customer gets the better of: the best single
   non-stackable rule (the largest discount; a tie goes to the higher priority, then the older
   rule), or all the stackable rules together. A tie goes to the single rule.
5. A percent rule on the whole bill, and a rupee rule on whatever it covers, are worked out on the
   covered amount and split over its lines pro rata, to the paisa (largest remainder). A percent rule
   on categories, brands or products is rounded per line. Buy X get Y frees Y of every X + Y units
   of the same product on a line with a whole quantity.

This module is plain arithmetic on frozen dataclasses; `offers_from_rules` turns database rules
into `Offer`s and `rules_in_force` reads the ones valid at a moment.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from catalog.models import Category
from sales.pricing import share_bill_discount
from shop.money import format_inr, to_paise

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class OfferLine:
    """What the rules see of a cart line."""

    product_id: int
    unit_price: Decimal
    quantity: Decimal
    base: Decimal  # the line's amount after the cashier's own discount: offers come off this
    category_ids: frozenset[int] = frozenset()  # its category and that category's parent
    brand_id: int | None = None

    @property
    def gross(self) -> Decimal:
        return to_paise(self.unit_price * self.quantity)


@dataclass(frozen=True)
class Offer:
    """A rule's terms, detached from the database."""

    rule_id: int
    name: str
    kind: str  # "percent" | "flat" | "buy_get"
    value: Decimal = ZERO
    scope: str = "bill"  # "bill" | "category" | "brand" | "products"
    category_ids: frozenset[int] = frozenset()
    brand_ids: frozenset[int] = frozenset()
    product_ids: frozenset[int] = frozenset()
    min_bill_value: Decimal = ZERO
    buy_quantity: int = 0
    get_quantity: int = 0
    priority: int = 0
    stackable: bool = False
    coupon_id: int | None = None  # set when the offer came with a coupon

    def covers(self, line: OfferLine) -> bool:
        if self.scope == "bill":
            return True
        if self.scope == "category":
            return bool(line.category_ids & self.category_ids)
        if self.scope == "brand":
            return line.brand_id in self.brand_ids
        return line.product_id in self.product_ids

    @property
    def bill_level(self) -> bool:
        return self.scope == "bill" and self.kind != "buy_get"


@dataclass(frozen=True)
class AppliedOffer:
    offer: Offer
    amounts: tuple[Decimal, ...]  # per cart line, in cart order

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, ZERO)


@dataclass(frozen=True)
class DiscountPlan:
    """The offers a cart gets, in the order they were applied, and what each took off each line."""

    lines: int
    applied: tuple[AppliedOffer, ...] = field(default_factory=tuple)

    @property
    def total(self) -> Decimal:
        return sum((a.total for a in self.applied), ZERO)

    def line_totals(self) -> list[Decimal]:
        return [sum((a.amounts[index] for a in self.applied), ZERO) for index in range(self.lines)]

    def line_offers(self, index: int) -> list[tuple[Offer, Decimal]]:
        return [(a.offer, a.amounts[index]) for a in self.applied if a.amounts[index]]

    def gives(self, offer: Offer) -> bool:
        return any(a.offer == offer and a.total > 0 for a in self.applied)


def amounts_for(offer: Offer, lines: Sequence[OfferLine], remaining: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Return what one offer takes off each line, given what is left of each line; never more than that."""
    covered = [remaining[i] if offer.covers(line) else ZERO for i, line in enumerate(lines)]
    if offer.kind == "buy_get":
        return tuple(min(_free_value(offer, line), covered[i]) if covered[i] else ZERO
                     for i, line in enumerate(lines))
    if offer.kind == "percent" and offer.scope != "bill":
        return tuple(to_paise(amount * offer.value / HUNDRED) for amount in covered)
    pool = sum(covered, ZERO)
    amount = to_paise(pool * offer.value / HUNDRED) if offer.kind == "percent" else min(to_paise(offer.value), pool)
    return tuple(share_bill_discount(covered, amount))


def _free_value(offer: Offer, line: OfferLine) -> Decimal:
    if line.quantity != line.quantity.to_integral_value() or not offer.buy_quantity or not offer.get_quantity:
        return ZERO
    sets = (line.quantity / (offer.buy_quantity + offer.get_quantity)).to_integral_value(rounding=ROUND_FLOOR)
    return to_paise(sets * offer.get_quantity * line.unit_price)


def _apply_in_order(offers: Iterable[Offer], lines: Sequence[OfferLine]) -> tuple[AppliedOffer, ...]:
    remaining = [line.base for line in lines]
    applied = []
    for offer in offers:
        amounts = amounts_for(offer, lines, remaining)
        if any(amounts):
            applied.append(AppliedOffer(offer, amounts))
            remaining = [left - taken for left, taken in zip(remaining, amounts, strict=True)]
    return tuple(applied)


def best_offers(lines: Sequence[OfferLine], offers: Iterable[Offer]) -> DiscountPlan:
    """Return the offers this cart gets (the rule in the module docstring)."""
    bill_value = sum((line.gross for line in lines), ZERO)
    candidates = [offer for offer in offers if bill_value >= offer.min_bill_value]
    stack = _apply_in_order(sorted((o for o in candidates if o.stackable), key=lambda o: (-o.priority, o.rule_id)),
                            lines)
    singles = [_apply_in_order([o], lines) for o in candidates if not o.stackable]
    singles = [single for single in singles if single]
    best_single = max(singles, default=(), key=lambda s: (s[0].total, s[0].offer.priority, -s[0].offer.rule_id))
    stack_total = sum((a.total for a in stack), ZERO)
    if best_single and best_single[0].total >= stack_total:
        return DiscountPlan(lines=len(lines), applied=best_single)
    return DiscountPlan(lines=len(lines), applied=stack)


def why_offer_gives_nothing(offer: Offer, lines: Sequence[OfferLine]) -> str:
    """Return why an offer takes nothing off this cart on its own ("" when it would give something)."""
    bill_value = sum((line.gross for line in lines), ZERO)
    if bill_value < offer.min_bill_value:
        return (f"it needs a bill of at least {format_inr(offer.min_bill_value)} "
                f"(this one is {format_inr(bill_value)})")
    if not any(offer.covers(line) for line in lines):
        return "nothing on this bill is covered by it"
    if not any(amounts_for(offer, lines, [line.base for line in lines])):
        if offer.kind == "buy_get":
            return f"it needs {offer.buy_quantity + offer.get_quantity} of the same product"
        return "it takes nothing off this bill"
    return ""


# --- from the database ----------------------------------------------------------------------------


def rules_in_force(at: datetime) -> list:
    """Return the automatic discount rules (not coupon-only) in force at this moment, with their targets.

    Dates, weekdays and hours are read in the shop's time zone (DiscountRule.not_in_force_reason)."""
    from sales.models import DiscountRule

    rules = DiscountRule.objects.filter(is_active=True, coupon_only=False).prefetch_related(
        "categories", "brands", "products")
    return [rule for rule in rules if not rule.not_in_force_reason(at)]


def offer_from_rule(rule, *, coupon_id: int | None = None) -> Offer:
    """Return the terms of a DiscountRule (with its categories, brands and products) as an Offer."""
    return Offer(
        rule_id=rule.pk, name=rule.name, kind=rule.kind, value=rule.value, scope=rule.scope,
        category_ids=frozenset(c.pk for c in rule.categories.all()),
        brand_ids=frozenset(b.pk for b in rule.brands.all()),
        product_ids=frozenset(p.pk for p in rule.products.all()),
        min_bill_value=rule.min_bill_value, buy_quantity=rule.buy_quantity or 0, get_quantity=rule.get_quantity or 0,
        priority=rule.priority, stackable=rule.stackable, coupon_id=coupon_id,
    )


def offer_lines(cart, *, need_categories: bool = True) -> list[OfferLine]:
    """Return the cart's lines as the rules see them (one query for the categories' parents, when asked)."""
    category_ids = {line.product.category_id for line in cart if line.product.category_id}
    parents = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "parent_id")) \
        if need_categories and category_ids else {}
    lines = []
    for line in cart:
        product = line.product
        categories = {product.category_id, parents.get(product.category_id)} - {None}
        lines.append(OfferLine(
            product_id=product.pk, unit_price=product.selling_price, quantity=line.quantity,
            base=max(to_paise(product.selling_price * line.quantity) - to_paise(line.discount), ZERO),
            category_ids=frozenset(categories), brand_id=product.brand_id))
    return lines
