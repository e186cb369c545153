from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shop.gst import STATE_CHOICES, validate_gstin
from shop.money import MONEY_FIELD
from shop.records import AppendOnlyRecord, append_only_triggers
from shop.validators import validate_plain_text

validate_phone = RegexValidator(r"^\+?\d{10,13}$", _("Enter a phone number of 10 to 13 digits, like 9876543210."))


class PaymentMethod(models.TextChoices):
    """How money moves: the one list for payments at the counter and the day book's lines."""

    CASH = "cash", _("Cash")
    UPI = "upi", _("UPI")
    CARD = "card", _("Card")
    CREDIT = "credit", _("Credit (udhar)")
    BANK = "bank", _("Bank transfer")


class Customer(models.Model):
    """Someone the shop knows by name: for credit (udhar), GST bills to businesses, or emailed bills."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    phone = models.CharField(_("phone"), max_length=14, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    gstin = models.CharField(_("GSTIN"), max_length=15, blank=True, validators=[validate_gstin],
                             help_text=_("Only for registered businesses that want a B2B tax invoice."))
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES, blank=True,
                             help_text=_("Place of supply. Empty means the shop's own state."))
    address = models.TextField(_("address"), blank=True, validators=[validate_plain_text])
    credit_limit = models.DecimalField(_("credit limit"), **MONEY_FIELD, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0"))],
                                       help_text=_("The most this customer may owe. 0: no credit."))
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True, validators=[validate_plain_text])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [("manage_customer_credit", _("Set customer credit limits, tax details and status"))]
        constraints = [models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="customer_phone_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.phone else self.name

    def clean(self):
        super().clean()
        if self.gstin:
            self.gstin = self.gstin.strip().upper()
            if not self.state:
                self.state = self.gstin[:2]
            elif self.state != self.gstin[:2]:
                raise ValidationError({"gstin": _("This GSTIN belongs to state %(code)s, not %(state)s.")
                                       % {"code": self.gstin[:2], "state": self.state}})


class LedgerEntry(AppendOnlyRecord):
    """Common shape of the books' lines: who wrote them, on top of the append-only record."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        abstract = True


class CreditEntry(LedgerEntry):
    """One line of a customer's udhar khata. Positive: the customer owes more; negative: owes less."""

    class Kind(models.TextChoices):
        CREDIT_SALE = "sale", _("Credit sale")
        PAYMENT = "payment", _("Payment received")
        RETURN = "return", _("Return")
        REVERSAL = "reversal", _("Reversal")
        ADJUSTMENT = "adjustment", _("Adjustment")
        OPENING = "opening", _("Opening balance")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="credit_entries")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, help_text=_("Positive: owes more; negative: owes less."))
    method = models.CharField(_("paid by"), max_length=8, choices=PaymentMethod.choices, blank=True,
                              help_text=_("How a payment was received; empty for other entries."))
    # One-to-one: the database itself refuses a second reversal of the same entry.
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), on_delete=models.PROTECT, null=True,
                                    blank=True, editable=False, related_name="reversed_by")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("khata entry")
        verbose_name_plural = _("khata entries")
        indexes = [models.Index(fields=["customer", "created_at"], name="credit_customer_time_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="credit_entry_not_zero"),
            models.CheckConstraint(condition=Q(reverses__isnull=True) | Q(kind="reversal"),
                                   name="credit_entry_only_reversals_reverse"),
        ]
        permissions = [
            ("receive_credit_payment", _("Receive credit (udhar) repayments")),
            ("adjust_credit", _("Adjust khata balances and record opening balances")),
            ("reverse_credit_entry", _("Reverse khata entries")),
        ]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.customer.name}: {self.get_kind_display()} {self.amount}"


class CustomerBalance(models.Model):
    """What a customer owes and since when, rewritten by every khata posting (ledger.posting.post_credit)
    under the customer's row lock, so the customer list sorts and filters thousands of customers without
    adding up their entries. The entries stay the truth: tests prove these columns equal what
    ledger.selectors computes from them."""

    customer = models.OneToOneField(Customer, verbose_name=_("customer"), primary_key=True,
                                    on_delete=models.CASCADE, related_name="khata")
    balance = models.DecimalField(_("balance"), **MONEY_FIELD, default=Decimal("0"), db_index=True)
    last_payment_at = models.DateTimeField(_("last payment"), null=True, blank=True, db_index=True)
    oldest_due_on = models.DateField(_("owed since"), null=True, blank=True, db_index=True,
                                     help_text=_("Date of the oldest debt not yet paid off (first in, first out)."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("khata balance")
        verbose_name_plural = _("khata balances")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.balance}"


class DayBookEntry(LedgerEntry):
    """One money event of the day, by payment method. Positive: money in; negative: money out."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        CREDIT_RECEIVED = "credit_received", _("Credit payment received")
        REFUND = "refund", _("Refund")
        SALE_REVERSAL = "sale_reversal", _("Cancelled sale")
        EXPENSE = "expense", _("Expense")
        CASH_IN = "cash_in", _("Cash in")
        CASH_OUT = "cash_out", _("Cash out")

    Method = PaymentMethod

    class Category(models.TextChoices):
        """What an expense paid for, or why cash went into or out of the drawer (entered by hand)."""

        RENT = "rent", _("Rent")
        SALARY = "salary", _("Salary")
        ELECTRICITY = "electricity", _("Electricity")
        TRANSPORT = "transport", _("Transport")
        PURCHASE_PAYMENT = "purchase_payment", _("Purchase payment")
        OTHER_EXPENSE = "other", _("Other expense")
        BANK_DEPOSIT = "bank_deposit", _("Bank deposit")
        OWNERS_DRAWING = "owners_drawing", _("Owner's drawing")
        FLOAT_ADDED = "float_added", _("Float added")
        OTHER_CASH = "other_cash", _("Other cash movement")

    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, help_text=_("Positive: money in; negative: money out."))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True,
                                help_text=_("Expenses and cash in / out only."))

    class Meta:
        ordering = ["-date", "-created_at", "-pk"]
        verbose_name = _("day book entry")
        verbose_name_plural = _("day book entries")
        permissions = [
            ("view_full_day_book", _("See the day book of every day and every counter, with the cash position")),
            ("record_expense", _("Record expenses and cash in / out")),
        ]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="day_book_entry_not_zero")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.get_method_display()} {self.amount}"


# --- Day book: closing the day ------------------------------------------------------------------


class _WrittenOnce(models.Model):
    """A closing or a reopening: written once by its service, never changed or deleted (the PostgreSQL
    trigger in Meta.triggers refuses it to any caller; save() and delete() refuse it on SQLite)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("%(what)s cannot be changed.")
                                  % {"what": self._meta.verbose_name_plural.capitalize()})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("%(what)s cannot be deleted.") % {"what": self._meta.verbose_name_plural.capitalize()})


class DayClosing(_WrittenOnce):
    """One count of the cash drawer that closed a day: the cash Galla expected, the cash counted, the difference.

    Closings are append-only. An owner who reopens the day adds a DayReopening; closing it again adds
    a new DayClosing. BookDay.closing names the closing in force, so a day has at most one.
    """

    day = models.DateField(_("day"), db_index=True)
    opening_cash = models.DecimalField(_("opening cash"), **MONEY_FIELD,
                                       help_text=_("The last closing's counted cash, plus cash of days not closed."))
    cash_in = models.DecimalField(_("cash in"), **MONEY_FIELD)
    cash_out = models.DecimalField(_("cash out"), **MONEY_FIELD)
    expected_cash = models.DecimalField(_("expected cash"), **MONEY_FIELD)
    counted_cash = models.DecimalField(_("counted cash"), **MONEY_FIELD)
    difference = models.DecimalField(_("difference"), **MONEY_FIELD,
                                     help_text=_("Counted minus expected: negative when cash is short."))
    denominations = models.JSONField(_("denominations"), default=dict, blank=True,
                                     help_text=_('Notes per value, and coins: {"500": 3, "coins": "12.50"}.'))
    note = models.CharField(_("note"), max_length=255, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)

    class Meta:
        ordering = ["-day", "-closed_at", "-pk"]
        verbose_name = _("day closing")
        verbose_name_plural = _("day closings")
        permissions = [
            ("close_day", _("Count the cash and close a day")),
            ("reopen_day", _("Reopen a closed day")),
        ]
        constraints = [
            # The sums (expected = opening + in - out, difference = counted - expected) are the service's:
            # SQLite would compare them as floats.
            models.CheckConstraint(condition=Q(counted_cash__gte=0), name="day_closing_counted_not_negative"),
        ]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y}"


class DayReopening(_WrittenOnce):
    """An owner's reopening of a closed day, with the reason: the closing stays, marked as undone by this."""

    closing = models.OneToOneField(DayClosing, verbose_name=_("closing"), on_delete=models.PROTECT,
                                   related_name="reopening")
    reason = models.CharField(_("reason"), max_length=255)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reopened by"),
                                    on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField(_("reopened at"), default=timezone.now)

    class Meta:
        ordering = ["-reopened_at", "-pk"]
        verbose_name = _("day reopening")
        verbose_name_plural = _("day reopenings")
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.closing.day:%d-%m-%Y}: {self.reason}"


class BookDay(models.Model):
    """The day book's row for one date: whether the day is closed, and the row every posting and every
    closing of that date locks first (ledger.posting.book_day_lock), so no entry lands on a closed day."""

    day = models.DateField(_("day"), unique=True)
    closing = models.OneToOneField(DayClosing, verbose_name=_("closing in force"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="book_day")

    class Meta:
        verbose_name = _("day book day")
        verbose_name_plural = _("day book days")

    def __str__(self) -> str:
        return f"{self.day:%d-%m-%Y}"

    @property
    def is_closed(self) -> bool:
        return self.closing_id is not None


class StoreCreditEntry(LedgerEntry):
    """One line of a customer's store credit: money the shop owes them in goods, not in cash.

    Positive: the shop owes more (a return refunded as store credit); negative: less (credit spent).
    The balance is the sum of a customer's entries, like the khata's, but the other way round.
    """

    class Kind(models.TextChoices):
        RETURN = "return", _("Return")
        REDEEMED = "redeemed", _("Spent on a bill")
        ADJUSTMENT = "adjustment", _("Adjustment")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="store_credit_entries")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD,
                                 help_text=_("Positive: the shop owes more; negative: the credit was spent."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("store credit entry")
        verbose_name_plural = _("store credit entries")
        indexes = [models.Index(fields=["customer", "created_at"], name="store_credit_customer_time_idx")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="store_credit_entry_not_zero")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.customer.name}: {self.get_kind_display()} {self.amount}"
