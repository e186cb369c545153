from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shop.gst import STATE_CHOICES, validate_gstin
from shop.money import MONEY_FIELD
from shop.records import AppendOnlyRecord, append_only_triggers

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

    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=14, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    gstin = models.CharField(_("GSTIN"), max_length=15, blank=True, validators=[validate_gstin],
                             help_text=_("Only for registered businesses that want a B2B tax invoice."))
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES, blank=True,
                             help_text=_("Place of supply. Empty means the shop's own state."))
    address = models.TextField(_("address"), blank=True)
    credit_limit = models.DecimalField(_("credit limit"), **MONEY_FIELD, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0"))],
                                       help_text=_("The most this customer may owe. 0: no credit."))
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
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

    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, help_text=_("Positive: money in; negative: money out."))

    class Meta:
        ordering = ["-date", "-created_at", "-pk"]
        verbose_name = _("day book entry")
        verbose_name_plural = _("day book entries")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="day_book_entry_not_zero")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.get_method_display()} {self.amount}"
