"""Reconciling a bank's UPI settlement statement with the payments that await confirmation.

A row matches a payment when the amounts are equal and the times are close (the same day when the
statement gives only dates). A row with several candidate payments, or a payment claimed by several
rows, is ambiguous: a person decides. Nothing is confirmed until the owner confirms the preview.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sales.models import Payment
from sales.payments import awaiting_upi_payments, upi_payment_confirm
from sales.upi import clean_utr
from shop.models import User
from shop.money import MONEY_FIELD, fit_decimal, parse_decimal, shown
from shop.validators import unsafe_character

TIME_WINDOW = timedelta(minutes=30)
MAX_STATEMENT_BYTES = 5 * 2**20  # a month of a busy shop's UPI credits is well under 1 MB
MAX_CELL_LENGTH = 200  # a payer's name or VPA; dates, amounts and UTRs are far shorter
MAX_ERRORS = 20  # lines named in one refusal; the rest are summed up
COLUMNS = {
    "date": ("date", "txn date", "transaction date", "value date", "date time", "datetime", "time"),
    "amount": ("amount", "amount (inr)", "amount(inr)", "credit", "credit amount", "txn amount"),
    "utr": ("utr", "utr no", "utr number", "rrn", "reference", "reference no", "upi ref no", "transaction id"),
    "payer": ("payer", "payer name", "payer vpa", "from", "remitter", "customer vpa", "vpa"),
}
DATE_FORMATS = ("%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d %b %Y %H:%M",
                "%d %b %Y")


@dataclass(frozen=True)
class StatementRow:
    line: int  # as the owner sees it in the file: the header is line 1
    when: datetime | date
    amount: Decimal
    utr: str
    payer: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "when": self.when.isoformat(), "amount": str(self.amount), "utr": self.utr,
                "payer": self.payer, "timed": isinstance(self.when, datetime)}

    @classmethod
    def from_dict(cls, data: dict) -> "StatementRow":
        when = datetime.fromisoformat(data["when"]) if data["timed"] else date.fromisoformat(data["when"])
        return cls(line=data["line"], when=when, amount=Decimal(data["amount"]), utr=data["utr"],
                   payer=data.get("payer", ""))


@dataclass
class Reconciliation:
    matched: list[tuple[StatementRow, Payment]] = field(default_factory=list)
    ambiguous: list[tuple[StatementRow, list[Payment]]] = field(default_factory=list)
    unmatched: list[StatementRow] = field(default_factory=list)
    already_recorded: list[StatementRow] = field(default_factory=list)


def _parse_when(text: str) -> datetime | date:
    text = " ".join(text.split())
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if "%H" not in fmt:
            return parsed.date()
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    raise ValueError(text)


def _find_columns(header: list[str]) -> dict[str, int]:
    names = [" ".join(h.strip().lower().split()) for h in header]
    found = {}
    for column, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[column] = index
                break
    missing = [c for c in ("date", "amount", "utr") if c not in found]
    if missing:
        raise ValidationError(f"The statement has no {', '.join(missing)} column (line 1 must name the columns: "
                              "date, amount, UTR, payer).")
    return found


def _parse_amount(text: str) -> Decimal:
    """Read an amount with the shop's one number parser (₹, Indian grouping); refuse one no payment can be."""
    amount = parse_decimal(text)
    if amount is None:
        raise ValueError(f"{shown(text)} is not an amount.")
    return fit_decimal(amount, **MONEY_FIELD)


def _parse_line(line: int, cell: dict[str, str]) -> StatementRow:
    """Return one statement line as a row; a ValueError names what is wrong with it."""
    for name, text in cell.items():
        if len(text) > MAX_CELL_LENGTH:
            raise ValueError(f"the {name} column holds {len(text):,} characters; at most {MAX_CELL_LENGTH}.")
        if unsafe_character(text):
            raise ValueError(f"the {name} column holds the control character "
                             f"U+{ord(unsafe_character(text)):04X}.")
    try:
        when = _parse_when(cell["date"])
    except ValueError:
        raise ValueError(f"{shown(cell['date'])} is not a date.") from None
    try:
        amount = _parse_amount(cell["amount"])
    except ValueError as problem:
        raise ValueError(f"the amount {problem}") from None
    try:
        utr = clean_utr(cell["utr"])
    except ValidationError as refusal:
        raise ValueError(refusal.messages[0]) from None
    return StatementRow(line=line, when=when, amount=amount, utr=utr, payer=cell.get("payer", ""))


def parse_statement(content: bytes) -> list[StatementRow]:
    """Read a settlement CSV (UTF-8, with or without BOM); any bad line refuses the whole file, naming it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The statement is not a UTF-8 CSV file.") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
    except csv.Error as problem:
        raise ValidationError(f"Line 1 cannot be read as CSV: {problem}.") from None
    if not header:
        raise ValidationError("The statement is empty.")
    columns = _find_columns(header)
    rows, errors = [], []
    while len(errors) < MAX_ERRORS:
        line = reader.line_num + 1
        try:
            values = next(reader, None)
        except csv.Error as problem:  # a field longer than the csv module reads (131,072 characters), say
            errors.append(f"Line {line}: cannot be read as CSV: {problem}.")
            break
        if values is None:
            break
        if not any(v.strip() for v in values):
            continue
        cell = {name: values[index].strip() if index < len(values) else "" for name, index in columns.items()}
        try:
            row = _parse_line(line, cell)
        except ValueError as problem:
            errors.append(f"Line {line}: {problem}")
            continue
        if row.amount > 0:  # debits and reversals are not payments received
            rows.append(row)
    else:
        errors.append(f"Only the first {MAX_ERRORS} wrong lines are listed; fix them and upload the file again.")
    if errors:
        raise ValidationError(errors)
    return rows


def _close_in_time(row: StatementRow, payment: Payment) -> bool:
    if isinstance(row.when, datetime):
        return abs(row.when - payment.created_at) <= TIME_WINDOW
    return timezone.localdate(payment.created_at) == row.when


def reconcile(rows: list[StatementRow]) -> Reconciliation:
    """Sort statement rows into matched, ambiguous, unmatched and already recorded."""
    result = Reconciliation()
    recorded = set(Payment.objects.filter(method=Payment.Method.UPI, status=Payment.Status.CONFIRMED,
                                          reference__in=[r.utr for r in rows]).values_list("reference", flat=True))
    awaiting = list(awaiting_upi_payments().filter(amount__in={r.amount for r in rows}))
    candidates: dict[int, list[Payment]] = {}
    for row in rows:
        if row.utr in recorded:
            result.already_recorded.append(row)
            continue
        candidates[row.line] = [p for p in awaiting if p.amount == row.amount and _close_in_time(row, p)]
    claimed: dict[int, int] = defaultdict(int)
    for payments in candidates.values():
        for payment in payments:
            claimed[payment.pk] += 1
    for row in rows:
        if row.line not in candidates:
            continue
        found = candidates[row.line]
        if not found:
            result.unmatched.append(row)
        elif len(found) == 1 and claimed[found[0].pk] == 1:
            result.matched.append((row, found[0]))
        else:
            result.ambiguous.append((row, found))
    return result


@transaction.atomic
def confirm_matched(*, rows: list[StatementRow], user: User) -> list[Payment]:
    """Match the rows again against the payments as they are now, and confirm every match in one go."""
    confirmed = []
    for row, payment in reconcile(rows).matched:
        confirmation = upi_payment_confirm(payment=payment, utr=row.utr, via=Payment.ConfirmedVia.STATEMENT,
                                           user=user)
        confirmed.append(confirmation.payment)
    return confirmed
