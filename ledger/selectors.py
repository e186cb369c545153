"""Reads of the books (udhar khata, then day book). Every figure is computed from the entries, exact to the paisa.

Udhar khata
-----------
A customer's balance is the sum of their khata entries. Ageing allocates first in, first out: every
payment, return and downward adjustment pays off the oldest debt still open, so what remains owed is
the newest debts. An entry and the reversal that undoes it cancel each other and take no part in the
allocation, so reversing a wrong payment does not make an old debt look new.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from ledger.models import BookDay, CreditEntry, Customer, CustomerBalance, DayBookEntry, DayClosing, PaymentMethod
from sales.upi import merchant_vpa, upi_payment_link
from shop.models import ShopProfile, User
from shop.money import MoneySum, format_inr, money_sum

ZERO = Decimal("0.00")

# ---------------------------------------------------------------------------------------------------------------
# Udhar khata
# ---------------------------------------------------------------------------------------------------------------

AGEING_LIMITS = (30, 60, 90)  # bucket upper bounds in days: 0-30, 31-60, 61-90, then over 90
AGEING_LABELS = ("0–30 days", "31–60 days", "61–90 days", "Over 90 days")


def day_start(day: date) -> datetime:
    """Return the first instant of a day in the shop's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def customer_balance(customer: Customer) -> Decimal:
    """Return what the customer owes (negative: the shop owes them): the exact sum of their khata entries."""
    return money_sum(customer.credit_entries.all(), "amount")


@dataclass(frozen=True)
class KhataLine:
    """What the first-in-first-out allocation needs of one entry."""

    day: date
    amount: Decimal
    pk: int
    reverses: int | None = None  # the entry this one reverses


def khata_lines(entries: QuerySet[CreditEntry]) -> list[KhataLine]:
    """Return the allocation's view of the entries, oldest first."""
    rows = entries.order_by("created_at", "pk").values_list("created_at", "amount", "pk", "reverses_id")
    return [KhataLine(day=timezone.localdate(created_at), amount=amount, pk=pk, reverses=reverses)
            for created_at, amount, pk, reverses in rows]


def outstanding_debts(lines: Iterable[KhataLine]) -> tuple[list[tuple[date, Decimal]], Decimal]:
    """Allocate first in, first out; return (the debts still open as (day, amount) oldest first, advance).

    advance is what the customer has paid beyond their debts (the shop owes it back), 0 otherwise.
    An entry and its reversal, when both are among the lines, add up to zero and are left out, so the
    open debts add up to the balance (or the advance to minus the balance).
    """
    lines = list(lines)
    present = {line.pk for line in lines}
    pairs = {line.reverses for line in lines if line.reverses in present}
    live = sorted((line for line in lines if line.pk not in pairs and line.reverses not in pairs),
                  key=lambda line: (line.day, line.pk))
    credit = -sum((line.amount for line in live if line.amount < 0), ZERO)
    open_debts = []
    for line in live:
        if line.amount <= 0:
            continue
        paid = min(credit, line.amount)
        credit -= paid
        if line.amount > paid:
            open_debts.append((line.day, line.amount - paid))
    return open_debts, credit


@dataclass(frozen=True)
class Ageing:
    """What a customer owes by how old the debt is, on a given day."""

    as_of: date
    days_0_30: Decimal = ZERO
    days_31_60: Decimal = ZERO
    days_61_90: Decimal = ZERO
    over_90: Decimal = ZERO
    advance: Decimal = ZERO  # paid beyond what was owed: the shop owes it back

    @property
    def buckets(self) -> list[tuple[str, Decimal]]:
        return list(zip(AGEING_LABELS, (self.days_0_30, self.days_31_60, self.days_61_90, self.over_90),
                        strict=True))

    @property
    def owed(self) -> Decimal:
        return self.days_0_30 + self.days_31_60 + self.days_61_90 + self.over_90

    @property
    def balance(self) -> Decimal:
        """The buckets less the advance: always the balance on that day."""
        return self.owed - self.advance


def ageing_of(lines: Iterable[KhataLine], as_of: date) -> Ageing:
    """Return the ageing of khata lines on a day (lines after that day are left out)."""
    open_debts, advance = outstanding_debts(line for line in lines if line.day <= as_of)
    buckets = [ZERO] * 4
    for day, amount in open_debts:
        age = (as_of - day).days
        index = next((i for i, limit in enumerate(AGEING_LIMITS) if age <= limit), 3)
        buckets[index] += amount
    return Ageing(as_of, *buckets, advance=advance)


def customer_ageing(customer: Customer, as_of: date | None = None) -> Ageing:
    """Return what the customer owes on `as_of` (default today) in buckets of 0-30, 31-60, 61-90 and over
    90 days, payments paying off the oldest debts first."""
    as_of = as_of or timezone.localdate()
    entries = customer.credit_entries.filter(created_at__lt=day_start(as_of + timedelta(days=1)))
    return ageing_of(khata_lines(entries), as_of)


@dataclass(frozen=True)
class StatementLine:
    entry: CreditEntry
    day: date
    debit: Decimal  # what the customer came to owe
    credit: Decimal  # what they paid or were credited
    balance: Decimal  # running balance after this entry


@dataclass(frozen=True)
class Statement:
    customer: Customer
    start: date
    end: date
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    closing: Decimal = ZERO
    ageing: Ageing | None = None

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def customer_statement(*, customer: Customer, start: date, end: date) -> Statement:
    """Return the customer's statement from `start` to `end` (both days included): the opening balance
    (everything before `start`), each entry with its running balance, the closing balance and the ageing
    on `end`. closing == opening + the entries, exactly."""
    if end < start:
        start, end = end, start
    entries = customer.credit_entries.all()
    opening = money_sum(entries.filter(created_at__lt=day_start(start)), "amount")
    period = (entries.filter(created_at__gte=day_start(start), created_at__lt=day_start(end + timedelta(days=1)))
              .select_related("created_by", "reverses").order_by("created_at", "pk"))
    running, lines = opening, []
    for entry in period:
        running += entry.amount
        lines.append(StatementLine(entry=entry, day=timezone.localdate(entry.created_at),
                                   debit=entry.amount if entry.amount > 0 else ZERO,
                                   credit=-entry.amount if entry.amount < 0 else ZERO, balance=running))
    return Statement(customer=customer, start=start, end=end, opening=opening, lines=lines, closing=running,
                     ageing=customer_ageing(customer, end))


def entry_particulars(entry: CreditEntry) -> str:
    """Return what a statement says about an entry: its kind, how it was paid, what it reverses."""
    text = entry.get_kind_display()
    if entry.method:
        text += f" ({entry.get_method_display()})"
    if entry.reverses_id:
        text += f" of entry #{entry.reverses_id}"
    return text


def khata_outstanding() -> tuple[Decimal, int]:
    """Return what customers owe in all (exact) and how many owe anything, from the maintained balances."""
    owed = CustomerBalance.objects.filter(balance__gt=0).aggregate(total=MoneySum("balance"), customers=Count("pk"))
    return owed["total"], owed["customers"]


def customers_with_balances(customers: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """Return customers annotated with owed (balance), last_payment_at and oldest_due_on from the
    maintained CustomerBalance rows (0 and None for customers without entries)."""
    customers = Customer.objects.all() if customers is None else customers
    # A one-to-one row: a LEFT JOIN, no GROUP BY over the entries.
    return customers.annotate(owed=Coalesce("khata__balance", ZERO), last_payment_at=F("khata__last_payment_at"),
                              oldest_due_on=F("khata__oldest_due_on"))


def ageing_for_customers(customers: Iterable[Customer], as_of: date | None = None) -> dict[int, Ageing]:
    """Return the ageing of many customers (a page of the customer list) in one query.

    Uses each customer's maintained balance (`owed`, from `customers_with_balances`) and the sums of their
    live debts of the last 30, 60 and 90 days: what is owed is the newest debts, so the newest buckets fill
    first and the rest is over 90 days. Agrees with `customer_ageing` (tests prove it).
    """
    as_of = as_of or timezone.localdate()
    customers = list(customers)
    owing = {c.pk: c.owed for c in customers if c.owed > 0}
    result = {c.pk: Ageing(as_of, advance=-c.owed if c.owed < 0 else ZERO) for c in customers}
    if not owing:
        return result
    bounds = [day_start(as_of - timedelta(days=limit)) for limit in AGEING_LIMITS]
    end = day_start(as_of + timedelta(days=1))
    # Debts neither reversing nor reversed by then: a pair adds up to zero and takes no part in the allocation.
    # "Not a reversal" is tested inside the sums: in the WHERE clause SQLite would pick the index on
    # reverses_id (IS NULL for nearly every row) over the one on (customer, time) and read the whole table.
    live_debts = (Q(amount__gt=0, created_at__lt=end)
                  & (Q(reversed_by__isnull=True) | Q(reversed_by__created_at__gte=end)))
    windows = {}
    upper = end
    for index, lower in enumerate(bounds):
        in_window = Q(created_at__gte=lower, created_at__lt=upper, reverses__isnull=True)
        windows[f"w{index}"] = MoneySum(Case(When(in_window, then="amount"), default=ZERO))
        upper = lower
    rows = (CreditEntry.objects.filter(live_debts, customer_id__in=owing, created_at__gte=bounds[-1])
            .values("customer_id").annotate(**windows).order_by())
    recent = {row["customer_id"]: [row["w0"], row["w1"], row["w2"]] for row in rows}
    for pk, owed in owing.items():
        left, buckets = owed, []
        for window in recent.get(pk, [ZERO, ZERO, ZERO]):
            take = min(left, window)
            buckets.append(take)
            left -= take
        result[pk] = Ageing(as_of, *buckets, over_90=left)
    return result


AGEING_FILTERS = {  # the ageing report's "show" choices: who is listed
    "": "Everyone with a balance",
    "owes": "Owes something",
    "30": "Owes for more than 30 days",
    "60": "Owes for more than 60 days",
    "90": "Owes for more than 90 days",
}


@dataclass(frozen=True)
class AgeingRow:
    """One customer of the ageing report; customer carries owed, last_payment_at and oldest_due_on."""

    customer: Customer
    ageing: Ageing

    @property
    def over_limit(self) -> bool:
        return self.customer.owed > self.customer.credit_limit


@dataclass(frozen=True)
class AgeingReport:
    """Every customer with a balance today, their debt by age (first in, first out), and the totals."""

    as_of: date
    show: str
    rows: list[AgeingRow]
    totals: Ageing

    @property
    def show_text(self) -> str:
        return AGEING_FILTERS[self.show]


def khata_ageing_report(*, show: str = "") -> AgeingReport:
    """Return today's ageing of every customer with a balance, most owed first, with a totals row.

    show: "" everyone with a balance (owing or paid in advance), "owes" those who owe something,
    "30" / "60" / "90" those with some debt older than that many days. Balances come from the maintained
    CustomerBalance rows and the buckets from one grouped query (ageing_for_customers), so the report
    costs the same few queries for 10 or 10,000 customers; its totals are exact sums in Python.
    """
    if show not in AGEING_FILTERS:
        raise ValueError(f"Unknown ageing filter {show!r}.")
    as_of = timezone.localdate()
    customers = customers_with_balances(Customer.objects.all())
    if show == "":
        customers = customers.exclude(owed=0)
    elif show == "owes":
        customers = customers.filter(owed__gt=0)
    else:
        customers = customers.filter(owed__gt=0, oldest_due_on__lt=as_of - timedelta(days=int(show)))
    customers = list(customers.order_by("-owed", "name", "pk"))
    ageing = ageing_for_customers(customers, as_of)
    rows = [AgeingRow(customer=customer, ageing=ageing[customer.pk]) for customer in customers]

    def total(name: str) -> Decimal:
        return sum((getattr(row.ageing, name) for row in rows), ZERO)

    totals = Ageing(as_of, total("days_0_30"), total("days_31_60"), total("days_61_90"), total("over_90"),
                    advance=total("advance"))
    return AgeingReport(as_of=as_of, show=show, rows=rows, totals=totals)


CASHIER_RECEIPT_DAYS = 7  # as with invoices: a cashier reprints their own receipts of the last week


def credit_payments_visible_to(user: User, entries: QuerySet[CreditEntry] | None = None) -> QuerySet[CreditEntry]:
    """Return the repayments whose receipt this user may open: owners and managers every one; a cashier
    only those they took, of today and the six days before."""
    entries = CreditEntry.objects.all() if entries is None else entries
    entries = entries.filter(kind=CreditEntry.Kind.PAYMENT)
    if user.has_perm("ledger.view_creditentry"):
        return entries
    if not user.has_perm("ledger.receive_credit_payment"):
        return entries.none()
    since = day_start(timezone.localdate() - timedelta(days=CASHIER_RECEIPT_DAYS - 1))
    return entries.filter(created_by=user, created_at__gte=since)


def khata_upi_link(customer: Customer, *, amount: Decimal, profile: ShopProfile) -> str:
    """Return the UPI link (the QR's text) that pays exactly `amount` to the shop for this customer's khata;
    "" when nothing is due or the shop has no UPI ID."""
    vpa = merchant_vpa(profile)
    if amount <= 0 or not vpa:
        return ""
    return upi_payment_link(vpa=vpa, payee_name=profile.name, amount=amount, note=f"Khata {customer.name}"[:50],
                            reference=f"KHATA{customer.pk}")


def khata_whatsapp_link(customer: Customer, *, balance: Decimal, as_of: date, profile: ShopProfile) -> str:
    """Return a wa.me link with the customer's balance (and the UPI link for exactly that), addressed to
    their phone when it is known."""
    text = (f"{profile.name}: Namaste {customer.name}, your khata balance on {as_of:%d-%m-%Y} is "
            f"{format_inr(balance)}.")
    upi_link = khata_upi_link(customer, amount=balance, profile=profile)
    if upi_link:
        text += f" Pay by UPI: {upi_link}"
    text += " Thank you!"
    digits = "".join(c for c in customer.phone if c.isdigit())
    phone = f"91{digits}" if len(digits) == 10 else digits
    return f"https://wa.me/{phone}?text={quote(text)}"

# --- Day book -----------------------------------------------------------------------------------

FULL_DAY_BOOK_PERMISSION = "ledger.view_full_day_book"


def day_book_entries_visible_to(user: User, entries: QuerySet[DayBookEntry] | None = None) -> QuerySet[DayBookEntry]:
    """Return the day book entries this user may see: the one rule for the day book's page, exports and PDF.

    Owners and managers (`ledger.view_full_day_book`) see every entry; anyone else with the view
    permission (a cashier) sees the entries they made today at their own counter; others none.
    """
    entries = DayBookEntry.objects.all() if entries is None else entries
    if user.has_perm(FULL_DAY_BOOK_PERMISSION):
        return entries
    if not user.has_perm("ledger.view_daybookentry"):
        return entries.none()
    return entries.filter(created_by=user, date=timezone.localdate())


def sees_full_day_book(user: User) -> bool:
    """Return whether the user sees every day and counter, with the cash position and closings."""
    return user.has_perm(FULL_DAY_BOOK_PERMISSION)


@dataclass(frozen=True)
class CashDay:
    """The drawer on one day: opening + cash in - cash out = expected; counted and difference once closed."""

    day: date
    opening: Decimal
    cash_in: Decimal
    cash_out: Decimal
    expected: Decimal
    closing: DayClosing | None = None

    @property
    def counted(self) -> Decimal | None:
        return self.closing.counted_cash if self.closing else None

    @property
    def difference(self) -> Decimal | None:
        return self.closing.difference if self.closing else None

    @property
    def is_closed(self) -> bool:
        return self.closing is not None


@dataclass
class DayBook:
    """The day book of a date range, as one viewer may see it."""

    start: date
    end: date
    entries: QuerySet[DayBookEntry]  # in time order, with who made them
    totals_by_method: dict[str, Decimal]  # every method, in PaymentMethod's order
    totals_by_kind: dict[str, Decimal]  # every kind, in DayBookEntry.Kind's order
    total: Decimal  # money in minus money out, every method
    cash_days: list[CashDay] = field(default_factory=list)  # empty for a viewer without the full day book

    def method_rows(self) -> list[tuple[str, Decimal]]:
        """Return (label, total) per payment method."""
        labels = dict(PaymentMethod.choices)
        return [(labels.get(method, method), amount) for method, amount in self.totals_by_method.items()]

    def kind_rows(self) -> list[tuple[str, Decimal]]:
        """Return (label, total) per kind of entry."""
        labels = dict(DayBookEntry.Kind.choices)
        return [(labels.get(kind, kind), amount) for kind, amount in self.totals_by_kind.items()]


def entry_kind_text(entry: DayBookEntry) -> str:
    """Return the kind, with the category of an expense or cash movement: "Expense · Rent"."""
    kind = entry.get_kind_display()
    return f"{kind} · {entry.get_category_display()}" if entry.category else str(kind)


def _grouped_totals(entries: QuerySet[DayBookEntry], column: str, keys: list[str]) -> dict[str, Decimal]:
    sums = {row[column]: row["total"]
            for row in entries.order_by().values(column).annotate(total=MoneySum("amount"))}
    # Keys outside the list (a method added later) still show, after the known ones.
    return {key: sums.get(key, ZERO) for key in keys} | {key: total for key, total in sums.items() if key not in keys}


def day_book(*, start: date, end: date, viewer: User | None = None) -> DayBook:
    """Return the day book from start to end (both included): entries in time order, exact totals per
    method and per kind, and the cash position of each day with entries or a closing.

    With a viewer, only the entries day_book_entries_visible_to gives them, and the cash position only
    for a viewer who sees the full day book; without one, everything (for services and tests).
    """
    if end < start:
        raise ValueError("The day book's end is before its start.")
    entries = DayBookEntry.objects.filter(date__gte=start, date__lte=end)
    full = viewer is None or sees_full_day_book(viewer)
    if viewer is not None:
        entries = day_book_entries_visible_to(viewer, entries)
    totals_by_method = _grouped_totals(entries, "method", list(PaymentMethod.values))
    totals_by_kind = _grouped_totals(entries, "kind", list(DayBookEntry.Kind.values))
    return DayBook(
        start=start, end=end,
        entries=entries.select_related("created_by", "source_type").order_by("date", "created_at", "pk"),
        totals_by_method=totals_by_method,
        totals_by_kind=totals_by_kind,
        total=sum(totals_by_method.values(), ZERO),
        cash_days=cash_position(start=start, end=end) if full else [],
    )


def _cash_entries() -> QuerySet[DayBookEntry]:
    return DayBookEntry.objects.filter(method=PaymentMethod.CASH)


def opening_cash(*, day: date) -> Decimal:
    """Return the cash in the drawer when the day began.

    The counted cash of the last closing in force before the day, plus the cash entries of any days
    after it that were never closed; before the first closing, every cash entry so far (a first day
    starts at 0, or with the float recorded as cash in).
    """
    last = (BookDay.objects.filter(day__lt=day, closing__isnull=False).select_related("closing")
            .order_by("-day").first())
    since = Q(date__gt=last.day) if last else Q()
    carried = _cash_entries().filter(since, date__lt=day).aggregate(total=MoneySum("amount"))["total"]
    return (last.closing.counted_cash if last else ZERO) + carried


def cash_position(*, start: date, end: date) -> list[CashDay]:
    """Return the drawer of each day from start to end that has entries or a closing, in date order.

    A closed day shows what its closing recorded; an open day carries on from the day before it:
    the next day opens with a closed day's counted cash, or an open day's expected cash.
    """
    flows = {row["date"]: row for row in _cash_entries().filter(date__gte=start, date__lte=end).order_by()
             .values("date").annotate(cash_in=MoneySum("amount", filter=Q(amount__gt=0)),
                                      cash_out=MoneySum("amount", filter=Q(amount__lt=0)))}
    closings = {closing.day: closing for closing in DayClosing.objects.filter(
        day__gte=start, day__lte=end, book_day__isnull=False).select_related("closed_by")}
    carry = opening_cash(day=start)
    days = []
    for day in sorted(set(flows) | set(closings)):
        closing = closings.get(day)
        if closing is not None:
            days.append(CashDay(day=day, opening=closing.opening_cash, cash_in=closing.cash_in,
                                cash_out=closing.cash_out, expected=closing.expected_cash, closing=closing))
            carry = closing.counted_cash
            continue
        cash_in, cash_out = flows[day]["cash_in"], abs(flows[day]["cash_out"])
        days.append(CashDay(day=day, opening=carry, cash_in=cash_in, cash_out=cash_out,
                            expected=carry + cash_in - cash_out))
        carry = carry + cash_in - cash_out
    return days


def day_cash_position(*, day: date) -> CashDay:
    """Return one day's drawer as it stands now (for closing it): opening, cash in and out, expected."""
    sums = _cash_entries().filter(date=day).aggregate(cash_in=MoneySum("amount", filter=Q(amount__gt=0)),
                                                      cash_out=MoneySum("amount", filter=Q(amount__lt=0)))
    opening = opening_cash(day=day)
    cash_in, cash_out = sums["cash_in"], abs(sums["cash_out"])
    return CashDay(day=day, opening=opening, cash_in=cash_in, cash_out=cash_out, expected=opening + cash_in - cash_out)


def closing_in_force(*, day: date) -> DayClosing | None:
    """Return the closing that keeps the day closed, or None while it is open."""
    book_day = BookDay.objects.filter(day=day).select_related("closing__closed_by").first()
    return book_day.closing if book_day else None
