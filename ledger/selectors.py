"""Reads of the books: who sees which rows, and the sums shown on the pages."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from ledger.models import BookDay, DayBookEntry, DayClosing, PaymentMethod
from shop.models import User
from shop.money import MoneySum

ZERO = Decimal("0.00")

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
