"""A believable past for the demo shop, written day by day through the real services.

Each day, in time order: supplier deliveries of what runs low (catalog.services.stock_receive) and their
payment; the day's bills at shop hours, with a morning and an evening peak and more at weekends and before
festivals (sales.services.checkout), paid mostly in cash, some by UPI (confirmed at the sale, or a few
minutes later through sales.payments), card and khata credit; a few cancellations (invoice_cancel) and
returns of recent bills (return_create); khata repayments (ledger.services.credit_payment_receive); rent,
salary, electricity and small expenses, a bank deposit when the drawer is full (ledger.day_book); and last
the cash count that closes the day (day_close), now and then a few rupees off. Today gets its bills up to
now and stays open.

The services run "on" each past moment under reports.demo_clock. One random generator, seeded, makes
every choice, so the same seed on a fresh database writes the same history. Nothing is written around
the services, so their invariants hold: stock equals its movements, invoice numbers run without gaps in
each financial year (days go in date order; the service starts a new year's series by itself), khata
balances equal their entries, and every day is complete before it is closed.
"""

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from catalog.models import Product, PurchaseLine, PurchaseReceipt, Stock, StockMovement, Supplier, Warehouse
from catalog.services import stock_receive
from ledger.day_book import NOTE_VALUES, cash_movement_record, day_close, expense_record
from ledger.models import CreditEntry, Customer, CustomerBalance, DayBookEntry, DayClosing
from ledger.selectors import customer_balance, day_cash_position
from ledger.services import credit_opening_balance, credit_payment_receive, customer_create
from reports import demo_data as data
from reports.demo import PRODUCTS, seed_catalog, seed_shop_and_users
from reports.demo_clock import DemoClock, demo_clock
from sales.models import CreditNote, Invoice, Payment
from sales.payments import upi_payment_confirm
from sales.services import checkout, invoice_cancel, return_create, sale_quote
from shop.models import ShopProfile, User

ZERO = Decimal("0")
DEFAULT_BILLS_PER_DAY = 30
OPENING_FLOAT = Decimal("3000")
SHOP_OPENS = time(7, 30)
DELIVERIES_FROM = time(10, 0)
LAST_BILL_HOUR = 21  # bills until 21:30
CLOSING_TIME = time(21, 50)
LATEST_FOLLOW_UP = time(21, 45)  # confirmations and cancellations land before the count
RETURN_AGE_DAYS = 6
DEPOSIT_ABOVE = Decimal("12000")
KEEP_IN_DRAWER = Decimal("4000")
LINE_COUNTS = {1: 30, 2: 25, 3: 18, 4: 12, 5: 8, 6: 5, 8: 2}
PIECES = {1: 70, 2: 18, 3: 7, 4: 3, 6: 2}
BUSINESS_PIECES = {6: 3, 10: 3, 12: 2, 24: 1}
BUSINESS_KILOS = {"5": 3, "10": 3, "25": 1}
CASH_ROUNDING = {1: 45, 10: 15, 50: 15, 100: 15, 500: 10}  # how a customer tenders: exact, or up to a note


@dataclass(frozen=True)
class Trading:
    """How the demo shop trades: how many bills a day, and how often each kind of event happens."""

    bills_per_day: int = DEFAULT_BILLS_PER_DAY  # on an average day; weekends and festival eves get more
    known_customer_share: float = 0.22  # bills where the cashier picks a registered customer
    business_share: float = 0.08  # of those, a business (bigger, B2B bills)
    credit_share: float = 0.65  # bills of khata customers put on the khata
    pair_share: float = 0.18  # baskets that start with a pair bought together
    split_share: float = 0.03  # bills of ₹300 and more paid part cash, part UPI
    upi_later_share: float = 0.35  # UPI payments confirmed a few minutes after the sale (the rest at the sale)
    cancel_share: float = 0.012  # cash bills cancelled by the manager minutes later
    returns_per_bill: float = 0.015  # returns of a recent bill, per bill of the day
    discount_share: float = 0.06  # bills of ₹500 and more given a small bill discount
    supplier_misses: float = 0.08  # deliveries that do not come: stock runs low until the next one


class HistoryRefused(Exception):
    """The database already holds records a made-up history would mix with."""


@dataclass
class HistoryCounts:
    first_day: date | None = None
    closed_days: int = 0
    invoices: int = 0
    cancelled: int = 0
    returns: int = 0
    upi_confirmed_later: int = 0
    repayments: int = 0
    purchases: int = 0
    expenses: int = 0
    customers: int = 0

    def summary(self) -> str:
        days = f"{self.closed_days} closed day{'' if self.closed_days == 1 else 's'}"
        return (f"{days} from {self.first_day:%d-%m-%Y} and today so far: "
                f"{self.invoices} invoices ({self.cancelled} cancelled), {self.returns} returns, "
                f"{self.upi_confirmed_later} UPI payments confirmed after the sale, {self.repayments} khata "
                f"repayments, {self.purchases} purchase receipts, {self.expenses} expenses, "
                f"{self.customers} customers.")


def history_blockers(*, since: datetime) -> list[str]:
    """Return what in the database stops a history from being written (nothing: an empty list).

    A history goes only into a database without sales, purchases, khata or day book, and whose stock
    movements are all older than its first day, so it never mixes with records of its own or real ones.
    """
    found = [f"{count} {label}" for model, label in [
        (Invoice, "invoices"), (CreditNote, "credit notes"), (PurchaseReceipt, "purchase receipts"),
        (CreditEntry, "khata entries"), (DayBookEntry, "day book entries"), (DayClosing, "day closings"),
    ] if (count := model.objects.count())]
    late = StockMovement.objects.filter(created_at__gte=since).count()
    if late:
        found.append(f"{late} stock movements dated on or after {timezone.localdate(since):%d-%m-%Y}")
    return found


def seed_history(*, days: int, seed: int = 1, trading: Trading = Trading()) -> HistoryCounts:
    """Write `days` closed days of trading before today, and today's bills up to now; return what was made.

    Also makes the shop, users and fuller catalogue (dated the morning of the first day) when missing.
    All of it in one transaction: an interrupted run leaves nothing behind. Raises HistoryRefused,
    writing nothing, when the database already has records (see history_blockers).
    """
    if days < 1:
        raise ValueError("A history has at least one day.")
    now = timezone.now()
    first_day = timezone.localdate(now) - timedelta(days=days)
    first_moment = _at(first_day, SHOP_OPENS)
    blockers = history_blockers(since=first_moment)
    if blockers:
        raise HistoryRefused(
            f"No demo history written: the database already holds {', '.join(blockers)}. A history is written "
            "only into a fresh database (no sales, purchases, khata or day book yet), so it never mixes with "
            "other records.")
    with transaction.atomic(), demo_clock(first_moment) as clock:
        history = _History(clock=clock, rng=random.Random(seed), trading=trading)
        history.open_shop(first_day)
        for offset in range(days):
            history.run_day(first_day + timedelta(days=offset))
        history.run_day(timezone.localdate(now), until=now)
    return history.counts


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _rupees(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass(order=True)
class _Event:
    moment: datetime
    sequence: int
    action: Callable = field(compare=False)
    args: tuple = field(compare=False, default=())


@dataclass
class _Sale:
    invoice_id: int
    day: date
    refund_method: str
    returned: bool = False


class _History:
    """The shop's people, shelf and books as the days go by; every write goes through a service."""

    def __init__(self, *, clock: DemoClock, rng: random.Random, trading: Trading):
        self.clock, self.rng, self.trading = clock, rng, trading
        self.counts = HistoryCounts()
        self.events: list[_Event] = []
        self.sequence = 0
        self.utr_serial = 0
        self.recent: list[_Sale] = []  # bills that may still come back

    # --- The first morning ----------------------------------------------------------------------

    def open_shop(self, day: date) -> None:
        """Make the shop, its people, shelf, suppliers and customers, the khata it starts with and the float."""
        self.counts.first_day = day
        seed_shop_and_users()
        seed_catalog(fuller=True)
        users = {user.username: user for user in User.objects.filter(username__in=["owner", "manager", "cashier"])}
        self.owner, self.manager, self.cashier = users["owner"], users["manager"], users["cashier"]
        self.profile = ShopProfile.objects.get_profile()
        skus = [row[1] for row in (*PRODUCTS, *data.MORE_PRODUCTS)]
        self.products = list(Product.objects.filter(sku__in=skus, is_active=True)
                             .select_related("tax_rate", "unit", "category").order_by("pk"))
        self.weights = [data.POPULARITY.get(p.sku, 1) for p in self.products]
        self.by_sku = {p.sku: p for p in self.products}
        self.base_cost = {p.sku: p.cost_price for p in self.products}
        warehouse = Warehouse.objects.get(is_default=True)
        self.warehouse = warehouse
        self.stock = {row.product_id: row.quantity for row in Stock.objects.filter(warehouse=warehouse)}
        self.daily_demand = self._daily_demand()
        self._suppliers()
        self._customers(day)
        cash_movement_record(kind=DayBookEntry.Kind.CASH_IN, reason=DayBookEntry.Category.FLOAT_ADDED,
                             amount=OPENING_FLOAT, user=self.owner, note="Change for the drawer")

    def _daily_demand(self) -> dict[int, Decimal]:
        """Return the units of each product an average day sells, to size the deliveries."""
        lines_per_bill = sum(n * w for n, w in LINE_COUNTS.items()) / sum(LINE_COUNTS.values())
        share = {p.pk: w / sum(self.weights) for p, w in zip(self.products, self.weights, strict=True)}
        pieces = sum(n * w for n, w in PIECES.items()) / sum(PIECES.values())
        kilos = sum(float(q) * w for q, w in data.LOOSE_QUANTITIES) / sum(w for _q, w in data.LOOSE_QUANTITIES)
        return {p.pk: Decimal(str(round(self.trading.bills_per_day * 1.1 * lines_per_bill * share[p.pk]
                                        * (kilos if p.unit.allows_fraction else pieces), 3)))
                for p in self.products}

    def _suppliers(self) -> None:
        self.suppliers = []
        for name, gstin, phone, categories, weekdays, pays_cash in data.SUPPLIERS:
            supplier = Supplier.objects.filter(name=name).first()
            if supplier is None:
                supplier = Supplier(name=name, gstin=gstin, state=gstin[:2] or "27", phone=phone,
                                    address="Mumbai, Maharashtra")
                supplier.full_clean()
                supplier.save()
            products = [p for p in self.products if p.category and p.category.name in categories]
            self.suppliers.append((supplier, products, weekdays, pays_cash))
        self.bill_serial = {supplier.pk: self.rng.randint(100, 900) for supplier, *_rest in self.suppliers}

    def _customers(self, day: date) -> None:
        """Register the customers (one already registered under the phone number is taken as it is)."""
        self.khata_customers, self.businesses, self.regulars = [], [], []
        known = {c.phone: c for c in Customer.objects.filter(
            phone__in=[row[1] for row in (*data.KHATA_CUSTOMERS, *data.REGULAR_CUSTOMERS)])}
        for name, phone, limit, owed, gstin, state in data.KHATA_CUSTOMERS:
            customer = known.get(phone) or customer_create(
                user=self.owner, name=name, phone=phone, gstin=gstin, state=state, credit_limit=Decimal(limit),
                address="Mumbai" if gstin else "")
            (self.businesses if gstin else self.khata_customers).append(customer)
            if owed:
                credit_opening_balance(customer=customer, amount=Decimal(owed), user=self.owner, day=day,
                                       note="From the paper khata")
        for name, phone in data.REGULAR_CUSTOMERS:
            self.regulars.append(known.get(phone) or customer_create(user=self.owner, name=name, phone=phone,
                                                                     credit_limit=ZERO))
        self.counts.customers = len(self.khata_customers) + len(self.businesses) + len(self.regulars)

    # --- A day ---------------------------------------------------------------------------------

    def run_day(self, day: date, *, until: datetime | None = None) -> None:
        """Plan the day's events and run them in time order; close the day unless it is today (until)."""
        self.day = day
        self._plan_deliveries(day)
        self._plan_expenses(day)
        bills = self._bill_count(day)
        for moment in sorted(self._bill_time(day) for _ in range(bills)):
            self._schedule(moment, self._sell)
        for _ in range(int(bills * self.trading.returns_per_bill + self.rng.random())):
            self._schedule(self._bill_time(day), self._take_back)
        self._plan_repayments(day)
        if until is None:
            self._schedule(_at(day, time(21, 40)), self._bank_deposit)
            self._schedule(_at(day, CLOSING_TIME), self._close)
        while self.events:
            event = heapq.heappop(self.events)
            if until is not None and event.moment > until:
                self.events.clear()  # what would happen later today has not happened yet
                break
            self.clock.set(event.moment)
            event.action(*event.args)

    def _schedule(self, moment: datetime, action: Callable, *args) -> None:
        self.sequence += 1
        heapq.heappush(self.events, _Event(moment, self.sequence, action, args))

    def _bill_count(self, day: date) -> int:
        factor = data.WEEKDAY_FACTORS[day.weekday()]
        if any(0 <= (festival - day).days <= data.FESTIVAL_DAYS_BEFORE for festival in data.FESTIVALS):
            factor *= data.FESTIVAL_FACTOR
        return max(1, round(self.trading.bills_per_day * factor * self.rng.uniform(0.85, 1.15)))

    def _bill_time(self, day: date) -> datetime:
        hour = self._pick(data.HOUR_WEIGHTS)
        minute = self.rng.randrange(30 if hour == LAST_BILL_HOUR else 60)
        return _at(day, time(hour, minute, self.rng.randrange(60)))

    def _pick(self, weighted: dict):
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def _follow_up(self, minutes: tuple[int, int]) -> datetime:
        """Return a moment a few minutes from now, before the day's count."""
        later = self.clock.now() + timedelta(minutes=self.rng.randint(*minutes), seconds=self.rng.randrange(60))
        return min(later, _at(self.day, LATEST_FOLLOW_UP))

    def _utr(self) -> str:
        """Return a fresh 12-digit UPI transaction number: the day of the year and a running number."""
        self.utr_serial += 1
        return f"{timezone.localdate(self.clock.now()):%y%j}{self.utr_serial:07d}"

    # --- Selling -------------------------------------------------------------------------------

    def _sell(self) -> None:
        customer = self._customer_for_bill()
        business = customer is not None and customer in self.businesses
        lines = self._basket(business=business)
        if not lines:
            return
        gross = sum((line["product"].selling_price * line["quantity"] for line in lines), ZERO)
        bill_discount = ZERO
        if gross >= 500 and self.rng.random() < self.trading.discount_share:
            bill_discount = Decimal(self.rng.choice([5, 10, 20]))
        total = sale_quote(lines=lines, customer=customer, bill_discount=bill_discount,
                           profile=self.profile).bill.grand_total
        payments, refund_method = self._payments(total, customer)
        evening = self.clock.now().hour >= 17
        cashier = self.manager if evening and self.rng.random() < 0.3 else self.cashier
        invoice = checkout(cashier=cashier, lines=lines, payments=payments, customer=customer,
                           bill_discount=bill_discount)
        self.counts.invoices += 1
        for line in lines:
            self.stock[line["product"].pk] -= line["quantity"]
        self.recent.append(_Sale(invoice.pk, self.day, refund_method))
        for payment in invoice.payments.filter(status=Payment.Status.AWAITING):
            self._schedule(self._follow_up((1, 6)), self._confirm_upi, payment)
        if {p["method"] for p in payments} == {"cash"} and self.rng.random() < self.trading.cancel_share:
            self._schedule(self._follow_up((2, 15)), self._cancel, invoice)

    def _customer_for_bill(self) -> Customer | None:
        if self.rng.random() >= self.trading.known_customer_share:
            return None
        if self.rng.random() < self.trading.business_share:
            return self.rng.choice(self.businesses)
        return self.rng.choice(self.khata_customers + self.regulars)

    def _basket(self, *, business: bool) -> list[dict]:
        wanted: list[str] = []
        if self.rng.random() < self.trading.pair_share:
            wanted += [sku for sku in self.rng.choice(data.BASKET_PAIRS) if sku in self.by_sku]
        size = min(self._pick(LINE_COUNTS), len(self.products))
        while len(wanted) < size:
            sku = self.rng.choices(self.products, weights=self.weights)[0].sku
            if sku not in wanted:
                wanted.append(sku)
        lines = []
        for sku in wanted:
            product = self.by_sku[sku]
            quantity = min(self._quantity(product, business=business), self._sellable(product))
            if quantity > 0:
                lines.append({"product": product, "quantity": quantity})
        return lines

    def _quantity(self, product: Product, *, business: bool) -> Decimal:
        if product.unit.allows_fraction:
            if business:
                return Decimal(self._pick(BUSINESS_KILOS))
            return Decimal(self._pick(dict(data.LOOSE_QUANTITIES)))
        return Decimal(self._pick(BUSINESS_PIECES if business else PIECES))

    def _sellable(self, product: Product) -> Decimal:
        """Return what is on the shelf, in amounts the product is sold in (whole pieces, quarter kilos)."""
        step = Decimal("0.25") if product.unit.allows_fraction else Decimal("1")
        on_hand = max(self.stock[product.pk], ZERO)
        return (on_hand / step).to_integral_value(rounding=ROUND_DOWN) * step

    def _payments(self, total: Decimal, customer: Customer | None) -> tuple[list[dict], str]:
        """Return how the bill is paid, and how a return of it would be refunded."""
        if customer is not None and customer.credit_limit > 0 and self.rng.random() < self.trading.credit_share:
            room = customer.credit_limit - customer_balance(customer)
            if room >= total:
                return [{"method": "credit", "amount": total}], "cash"
            if room >= 100:
                on_khata = (room / 100).to_integral_value(rounding=ROUND_DOWN) * 100
                return [{"method": "credit", "amount": on_khata},
                        {"method": "cash", "amount": self._tender(total - on_khata)}], "cash"
        if total >= 300 and self.rng.random() < self.trading.split_share:
            cash = (total / 200).to_integral_value(rounding=ROUND_DOWN) * 100
            return [{"method": "cash", "amount": cash}, self._upi(total - cash)], "cash"
        method = self._pick(data.PAYMENT_WEIGHTS)
        if method == "card" and total < 200:
            method = "cash"
        if method == "upi":
            return [self._upi(total)], "upi"
        if method == "card":
            return [{"method": "card", "amount": total, "reference": f"Card xx{self.rng.randint(1000, 9999)}"}], "cash"
        return [{"method": "cash", "amount": self._tender(total)}], "cash"

    def _upi(self, amount: Decimal) -> dict:
        """A UPI payment: with its UTR typed at the sale, or without, to be confirmed a little later."""
        if self.rng.random() < self.trading.upi_later_share:
            return {"method": "upi", "amount": amount}
        return {"method": "upi", "amount": amount, "reference": self._utr()}

    def _tender(self, amount: Decimal) -> Decimal:
        """Return the cash a customer hands over: the exact amount, or enough in round notes."""
        step = Decimal(self._pick(CASH_ROUNDING))
        return (amount / step).to_integral_value(rounding=ROUND_CEILING) * step

    def _confirm_upi(self, payment: Payment) -> None:
        upi_payment_confirm(payment=payment, utr=self._utr(), via=Payment.ConfirmedVia.REFERENCE, user=self.cashier)
        self.counts.upi_confirmed_later += 1

    def _cancel(self, invoice: Invoice) -> None:
        invoice_cancel(invoice=invoice, user=self.manager, reason=self.rng.choice(data.CANCEL_REASONS))
        for line in invoice.lines.all():
            self.stock[line.product_id] += line.quantity
        self.recent = [sale for sale in self.recent if sale.invoice_id != invoice.pk]
        self.counts.cancelled += 1

    def _take_back(self) -> None:
        """Take back part of a bill of the last few days (never today's: its UPI may still be unconfirmed)."""
        oldest = self.day - timedelta(days=min(RETURN_AGE_DAYS, self.profile.return_window_days))
        self.recent = [sale for sale in self.recent if sale.day >= oldest]
        candidates = [sale for sale in self.recent if sale.day < self.day and not sale.returned]
        if not candidates:
            return
        sale = self.rng.choice(candidates)
        invoice = Invoice.objects.get(pk=sale.invoice_id)
        line = self.rng.choice(list(invoice.lines.select_related("product__unit").order_by("position")))
        quantity = line.quantity if line.product.unit.allows_fraction else Decimal(1)
        reason = self.rng.choice(data.RETURN_REASONS)
        write_off = {"Pack damaged": "damage", "Past its best-before date": "expiry"}.get(reason)
        worth = line.line_total * quantity / line.quantity
        # The credit note rounds each amount on its own: ask a manager a little before the limit, to be sure.
        approver = self.manager if worth > self.profile.cashier_return_limit - 5 else None
        return_create(invoice=invoice, user=self.cashier, reason=reason, approved_by=approver,
                      lines=[{"line": line, "quantity": quantity, "restock": write_off is None,
                              "reason": write_off or ""}],
                      refund_method=sale.refund_method,
                      refund_reference=self._utr() if sale.refund_method == "upi" else "")
        if write_off is None:
            self.stock[line.product_id] += quantity
        sale.returned = True
        self.counts.returns += 1

    # --- Deliveries, khata and the drawer ----------------------------------------------------------

    def _plan_deliveries(self, day: date) -> None:
        for index, (supplier, products, weekdays, pays_cash) in enumerate(self.suppliers):
            if day.weekday() in weekdays and self.rng.random() >= self.trading.supplier_misses:
                moment = _at(day, DELIVERIES_FROM) + timedelta(minutes=25 * index + self.rng.randrange(20))
                self._schedule(moment, self._deliver, supplier, products, weekdays, pays_cash)

    def _deliver(self, supplier: Supplier, products: list[Product], weekdays: tuple, pays_cash: bool) -> None:
        """Receive what is at its reorder level or will run out before the supplier's next visit: the reorder
        quantity, or enough for about a week more."""
        gap = next(n for n in range(1, 8) if (self.day.weekday() + n) % 7 in weekdays)
        order = []
        for product in products:
            demand, on_hand = self.daily_demand[product.pk], self.stock[product.pk]
            level = self.profile.low_stock_threshold if product.reorder_level is None else product.reorder_level
            if on_hand <= max(level, demand * (gap + 2)):
                order.append((product, _pack_up(max(product.reorder_quantity, demand * (gap + 7) - on_hand), product)))
        if not order:
            return
        self.bill_serial[supplier.pk] += 1
        number = f"{supplier.name[:2].upper()}-{self.bill_serial[supplier.pk]}"
        receipt = PurchaseReceipt(supplier=supplier, bill_number=number, bill_date=self.day, warehouse=self.warehouse,
                                  created_by=self.manager)
        receipt.full_clean()
        receipt.save()
        lines = [PurchaseLine(receipt=receipt, product=product, quantity=quantity,
                              unit_cost=(self.base_cost[product.sku] * Decimal(str(self.rng.uniform(0.97, 1.04))))
                              .quantize(Decimal("0.01")))
                 for product, quantity in order]
        PurchaseLine.objects.bulk_create(lines)
        stock_receive(receipt=receipt, user=self.manager)
        for line in lines:
            self.stock[line.product.pk] += line.quantity
        self.counts.purchases += 1
        owed = _rupees(sum((line.quantity * line.unit_cost * (1 + line.product.tax_rate.rate / 100) for line in lines),
                           ZERO))
        self._expense(DayBookEntry.Category.PURCHASE_PAYMENT, owed, "cash" if pays_cash else "upi",
                      user=self.manager, note=supplier.name, reference=f"Bill {receipt.bill_number}")

    def _plan_expenses(self, day: date) -> None:
        for index, (day_of_month, category, method, (low, high), note) in enumerate(data.MONTHLY_EXPENSES):
            if day.day == day_of_month:
                month = day if category == "rent" else day.replace(day=1) - timedelta(days=1)
                amount = Decimal(self.rng.randint(low // 10, high // 10) * 10)
                self._schedule(_at(day, time(11, 30 + 5 * index)), self._expense, category, amount,
                               method, self.owner, f"{note}, {month:%B %Y}")
        if self.rng.random() < 0.7:
            self._schedule(_at(day, time(16, self.rng.randrange(40))), self._expense,
                           DayBookEntry.Category.OTHER_EXPENSE, Decimal(self.rng.randint(4, 9) * 10), "cash",
                           self.manager, "Chai and biscuits for the staff")

    def _expense(self, category: str, amount: Decimal, method: str, user: User, note: str, reference: str = ""):
        expense_record(category=category, amount=amount, method=method, user=user, note=note, reference=reference)
        self.counts.expenses += 1

    def _plan_repayments(self, day: date) -> None:
        owing = CustomerBalance.objects.filter(balance__gt=0, customer__credit_limit__gt=0).select_related("customer")
        for row in owing.order_by("customer_id"):
            limit = row.customer.credit_limit
            if self.rng.random() < min(0.5, 0.1 + 0.3 * float(row.balance / limit)):
                share = 1 if self.rng.random() < 0.35 else self.rng.uniform(0.3, 0.7)
                amount = max(Decimal(100), _rupees(row.balance * Decimal(str(share)) / 100) * 100)
                self._schedule(self._bill_time(day), self._repay, row.customer, amount)

    def _repay(self, customer: Customer, amount: Decimal) -> None:
        amount = min(amount, customer_balance(customer))
        if amount <= 0:
            return
        upi = self.rng.random() < 0.4
        credit_payment_receive(customer=customer, amount=amount, method="upi" if upi else "cash", user=self.cashier,
                               reference=self._utr() if upi else "")
        self.counts.repayments += 1

    def _bank_deposit(self) -> None:
        expected = day_cash_position(day=self.day).expected
        if expected > DEPOSIT_ABOVE:
            amount = ((expected - KEEP_IN_DRAWER) / 500).to_integral_value(rounding=ROUND_DOWN) * 500
            cash_movement_record(kind=DayBookEntry.Kind.CASH_OUT, reason=DayBookEntry.Category.BANK_DEPOSIT,
                                 amount=amount, user=self.owner, note="For the bank tomorrow morning")

    def _close(self) -> None:
        """Count the drawer and close the day: usually exact, sometimes a few rupees off."""
        expected = day_cash_position(day=self.day).expected
        roll = self.rng.random()
        off = 0 if roll < 0.72 else self.rng.choice([-20, -10, -5, -2, 1, 2, 5, 10] if roll < 0.9 else [-100, -50, -30])
        counted = max(expected + off, ZERO)
        closer = self.owner if self.day.weekday() == 6 else self.manager
        note = ""
        if counted != expected:
            note = "Short: change given wrongly?" if counted < expected else "Extra in the drawer"
        day_close(day=self.day, counted_cash=counted, user=closer, denominations=_notes(counted), note=note)
        self.counts.closed_days += 1


def _pack_up(quantity: Decimal, product: Product) -> Decimal:
    """Round an order up to how the product comes: sacks of 5 kg, boxes of 12 cheap packs, 6 dearer, 2 dearest."""
    if product.unit.allows_fraction:
        pack = 5
    elif product.selling_price <= 60:
        pack = 12
    elif product.selling_price <= 200:
        pack = 6
    else:
        pack = 2
    return max(pack, (quantity / pack).to_integral_value(rounding=ROUND_CEILING) * pack)


def _notes(amount: Decimal) -> dict[str, int | str]:
    """Return a drawer count adding up to amount: notes from the largest, the rest in coins."""
    counted: dict[str, int | str] = {}
    rest = amount
    for value in NOTE_VALUES:
        notes = int(rest // value)
        if notes:
            counted[str(value)] = notes
            rest -= notes * value
    if rest:
        counted["coins"] = str(rest)
    return counted
