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

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="credit_entries")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD, help_text=_("Positive: owes more; negative: owes less."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("khata entry")
        verbose_name_plural = _("khata entries")
        indexes = [models.Index(fields=["customer", "created_at"], name="credit_customer_time_idx")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="credit_entry_not_zero")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.customer.name}: {self.get_kind_display()} {self.amount}"


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
