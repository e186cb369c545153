from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Warehouse
from ledger.models import Customer, PaymentMethod
from shop.gst import STATE_CHOICES
from shop.money import MONEY_FIELD, QUANTITY_FIELD, RATE_FIELD
from shop.validators import validate_plain_text

ZERO = Decimal("0")


class InvoiceSeries(models.Model):
    """The running number of one prefix in one financial year; its row is the lock that keeps numbers gapless."""

    prefix = models.CharField(max_length=4)
    financial_year = models.CharField(max_length=5, help_text=_("Like 25-26."))
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice series")
        verbose_name_plural = _("invoice series")
        constraints = [models.UniqueConstraint(fields=["prefix", "financial_year"], name="series_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}/{self.financial_year}: {self.last_number}"


class Invoice(models.Model):
    """A GST tax invoice (or bill of supply). Completed invoices are never edited or deleted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=16, unique=True)
    financial_year = models.CharField(_("financial year"), max_length=5)
    issued_at = models.DateTimeField(_("date and time"), default=timezone.now, db_index=True)
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cashier"), on_delete=models.PROTECT,
                                related_name="invoices")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="invoices")
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("sold from"), on_delete=models.PROTECT, related_name="+")
    place_of_supply = models.CharField(_("place of supply"), max_length=2, choices=STATE_CHOICES)
    inter_state = models.BooleanField(_("inter-state"), default=False)
    bill_of_supply = models.BooleanField(_("bill of supply"), default=False,
                                         help_text=_("Issued under the composition scheme: no tax charged."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMPLETED)

    gross_total = models.DecimalField(_("gross"), **MONEY_FIELD, default=ZERO)
    discount_total = models.DecimalField(_("discount"), **MONEY_FIELD, default=ZERO)
    bill_discount = models.DecimalField(_("bill discount"), **MONEY_FIELD, default=ZERO)
    taxable_total = models.DecimalField(_("taxable value"), **MONEY_FIELD, default=ZERO)
    cgst_total = models.DecimalField(_("CGST"), **MONEY_FIELD, default=ZERO)
    sgst_total = models.DecimalField(_("SGST"), **MONEY_FIELD, default=ZERO)
    igst_total = models.DecimalField(_("IGST"), **MONEY_FIELD, default=ZERO)
    cess_total = models.DecimalField(_("cess"), **MONEY_FIELD, default=ZERO)
    round_off = models.DecimalField(_("round off"), **MONEY_FIELD, default=ZERO)
    grand_total = models.DecimalField(_("total"), **MONEY_FIELD, default=ZERO)
    amount_paid = models.DecimalField(_("paid now"), **MONEY_FIELD, default=ZERO,
                                      help_text=_("Cash, UPI and card; credit is owed, not paid."))
    cash_tendered = models.DecimalField(_("cash given"), **MONEY_FIELD, default=ZERO)
    change_given = models.DecimalField(_("change"), **MONEY_FIELD, default=ZERO)
    credit_amount = models.DecimalField(_("on credit"), **MONEY_FIELD, default=ZERO)

    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    cart_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    help_text=_("Manager who allowed a discount or credit beyond the limits."))
    notes = models.TextField(_("notes"), blank=True, validators=[validate_plain_text])
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True,
                                     validators=[validate_plain_text])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions = [
            ("use_counter", _("Can sell at the billing counter")),
            ("view_all_invoices", _("Can see every cashier's invoices")),
            ("cancel_invoice", _("Can cancel invoices")),
            ("approve_discount", _("Can approve discounts above the cashier limit")),
            ("approve_credit", _("Can approve credit beyond a customer's limit")),
        ]
        indexes = [models.Index(fields=["cashier", "-issued_at"], name="invoice_cashier_time_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(grand_total__gte=0), name="invoice_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tax_total(self) -> Decimal:
        return self.cgst_total + self.sgst_total + self.igst_total + self.cess_total

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def amount_received(self) -> Decimal:
        """Money actually in: confirmed cash, card and UPI payments (uses prefetched payments when present)."""
        return sum((p.amount for p in self.payments.all()
                    if p.status == Payment.Status.CONFIRMED and p.method != Payment.Method.CREDIT), ZERO)

    @property
    def balance_due(self) -> Decimal:
        """What the customer still owes on this bill: credit, and UPI not yet confirmed."""
        return self.grand_total - self.amount_received


class InvoiceLine(models.Model):
    """One line as sold: product facts are copied so a later price or rate change never alters the bill."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    hsn_code = models.CharField(_("HSN"), max_length=8, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("rate"), **MONEY_FIELD)
    price_includes_tax = models.BooleanField(default=True)
    discount = models.DecimalField(_("discount"), **MONEY_FIELD, default=ZERO,
                                   help_text=_("The line's own discount, its offers (discount rules, coupon) and its "
                                               "share of the bill discount."))
    taxable_value = models.DecimalField(_("taxable value"), **MONEY_FIELD)
    tax_rate = models.DecimalField(_("GST %"), **RATE_FIELD)
    cess_rate = models.DecimalField(_("cess %"), **RATE_FIELD, default=ZERO)
    cgst = models.DecimalField(_("CGST"), **MONEY_FIELD, default=ZERO)
    sgst = models.DecimalField(_("SGST"), **MONEY_FIELD, default=ZERO)
    igst = models.DecimalField(_("IGST"), **MONEY_FIELD, default=ZERO)
    cess = models.DecimalField(_("cess"), **MONEY_FIELD, default=ZERO)
    line_total = models.DecimalField(_("amount"), **MONEY_FIELD)
    unit_cost = models.DecimalField(_("cost per unit"), **MONEY_FIELD, default=ZERO,
                                    help_text=_("Average cost at the time of sale, for profit reports."))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class SalePaymentMethod(models.TextChoices):
    """How a bill is paid: the ledger's money methods (ledger.models.PaymentMethod, in the same order and
    words) and the customer's store credit. Store credit is not money: it is spent from the customer's
    store-credit ledger and never reaches the day book, whose methods stay money only."""

    CASH = PaymentMethod.CASH.value, PaymentMethod.CASH.label
    UPI = PaymentMethod.UPI.value, PaymentMethod.UPI.label
    CARD = PaymentMethod.CARD.value, PaymentMethod.CARD.label
    CREDIT = PaymentMethod.CREDIT.value, PaymentMethod.CREDIT.label
    BANK = PaymentMethod.BANK.value, PaymentMethod.BANK.label
    STORE_CREDIT = "store", _("Store credit")


class Payment(models.Model):
    """Money taken for an invoice, by one method. Credit is a promise recorded in the khata; store credit
    is spent from the customer's store-credit ledger."""

    Method = SalePaymentMethod

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        AWAITING = "awaiting", _("Awaiting confirmation")

    class ConfirmedVia(models.TextChoices):
        SALE = "sale", _("At the sale")
        REFERENCE = "reference", _("UTR entered by staff")
        GATEWAY = "gateway", _("Payment gateway")
        STATEMENT = "statement", _("Bank statement")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **MONEY_FIELD)
    reference = models.CharField(_("reference"), max_length=40, blank=True,
                                 help_text=_("UPI transaction number (UTR) or card slip number."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"),
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_via = models.CharField(_("confirmed by"), max_length=10, choices=ConfirmedVia.choices, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by user"),
                                     on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [
            ("confirm_upi_payment", _("Can confirm a UPI payment by its transaction number")),
            ("reconcile_upi", _("Can import UPI settlement statements")),
        ]
        indexes = [models.Index(fields=["method", "status"], name="payment_method_status_idx")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class CreditNoteSeries(models.Model):
    """The running number of credit notes of one prefix in one financial year (PREFIX + "C"); its row is the
    lock that keeps them gapless, apart from the invoices' series."""

    prefix = models.CharField(max_length=5)
    financial_year = models.CharField(max_length=5, help_text=_("Like 25-26."))
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("credit note series")
        verbose_name_plural = _("credit note series")
        constraints = [models.UniqueConstraint(fields=["prefix", "financial_year"], name="credit_note_series_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}/{self.financial_year}: {self.last_number}"


class CreditNote(models.Model):
    """A GST credit note: goods of one invoice taken back, at that invoice's prices, discounts and tax rates.

    Made only by sales.services.return_create, never edited or deleted.
    """

    class RefundMethod(models.TextChoices):
        CASH = "cash", _("Cash")
        UPI = "upi", _("UPI")
        KHATA = "khata", _("To the khata")
        STORE_CREDIT = "store_credit", _("Store credit")

    number = models.CharField(_("number"), max_length=16, unique=True)
    financial_year = models.CharField(_("financial year"), max_length=5)
    issued_at = models.DateTimeField(_("date and time"), default=timezone.now, db_index=True)
    invoice = models.ForeignKey(Invoice, verbose_name=_("against invoice"), on_delete=models.PROTECT,
                                related_name="credit_notes")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="credit_notes")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken back by"),
                                   on_delete=models.PROTECT, related_name="credit_notes")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    help_text=_("Manager who allowed a refund above the cashier's limit."))
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    refund_method = models.CharField(_("refund by"), max_length=12, choices=RefundMethod.choices)
    refund_reference = models.CharField(_("refund reference"), max_length=40, blank=True,
                                        help_text=_("UPI transaction number (UTR) of the refund."))
    khata_amount = models.DecimalField(_("taken off the khata"), **MONEY_FIELD, default=ZERO,
                                       help_text=_("Credit (udhar) the customer no longer owes."))
    refund_amount = models.DecimalField(_("refunded"), **MONEY_FIELD, default=ZERO,
                                        help_text=_("Paid back in cash or UPI, or given as store credit."))
    store_credit_back = models.DecimalField(
        _("store credit given back"), **MONEY_FIELD, default=ZERO,
        help_text=_("Of a bill paid with store credit: that part comes back as store credit, never as money."))

    gross_total = models.DecimalField(_("gross"), **MONEY_FIELD, default=ZERO)
    discount_total = models.DecimalField(_("discount"), **MONEY_FIELD, default=ZERO)
    taxable_total = models.DecimalField(_("taxable value"), **MONEY_FIELD, default=ZERO)
    cgst_total = models.DecimalField(_("CGST"), **MONEY_FIELD, default=ZERO)
    sgst_total = models.DecimalField(_("SGST"), **MONEY_FIELD, default=ZERO)
    igst_total = models.DecimalField(_("IGST"), **MONEY_FIELD, default=ZERO)
    cess_total = models.DecimalField(_("cess"), **MONEY_FIELD, default=ZERO)
    round_off = models.DecimalField(_("round off"), **MONEY_FIELD, default=ZERO)
    grand_total = models.DecimalField(_("total"), **MONEY_FIELD, default=ZERO)

    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        permissions = [("approve_return", _("Can approve returns above the cashier limit"))]
        indexes = [models.Index(fields=["created_by", "-issued_at"], name="credit_note_user_time_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(grand_total__gte=0), name="credit_note_total_not_negative"),
            models.CheckConstraint(condition=Q(khata_amount__gte=0, refund_amount__gte=0),
                                   name="credit_note_refund_parts_not_negative"),
            models.CheckConstraint(condition=Q(store_credit_back__gte=0), name="credit_note_store_back_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def tax_total(self) -> Decimal:
        return self.cgst_total + self.sgst_total + self.igst_total + self.cess_total


class CreditNoteLine(models.Model):
    """One invoice line (part of it) taken back: the amounts are that line's, in proportion to the quantity."""

    class WriteOff(models.TextChoices):
        DAMAGE = "damage", _("Damaged")
        EXPIRY = "expiry", _("Expired")

    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, verbose_name=_("invoice line"), on_delete=models.PROTECT,
                                     related_name="credit_lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    hsn_code = models.CharField(_("HSN"), max_length=8, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("rate"), **MONEY_FIELD)
    discount = models.DecimalField(_("discount"), **MONEY_FIELD, default=ZERO,
                                   help_text=_("This quantity's part of the line discount and bill discount."))
    taxable_value = models.DecimalField(_("taxable value"), **MONEY_FIELD)
    tax_rate = models.DecimalField(_("GST %"), **RATE_FIELD)
    cess_rate = models.DecimalField(_("cess %"), **RATE_FIELD, default=ZERO)
    cgst = models.DecimalField(_("CGST"), **MONEY_FIELD, default=ZERO)
    sgst = models.DecimalField(_("SGST"), **MONEY_FIELD, default=ZERO)
    igst = models.DecimalField(_("IGST"), **MONEY_FIELD, default=ZERO)
    cess = models.DecimalField(_("cess"), **MONEY_FIELD, default=ZERO)
    line_total = models.DecimalField(_("amount"), **MONEY_FIELD)
    restocked = models.BooleanField(_("back in stock"), default=True)
    write_off_reason = models.CharField(_("written off as"), max_length=8, choices=WriteOff.choices, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="credit_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.description}"


class HeldBill(models.Model):
    """A bill parked at the counter to serve the next customer, resumed later by the same cashier.

    It reserves nothing: no stock moves and no invoice number is taken; prices are asked again when it is
    resumed. Held bills last until the shop's day ends (sales.held_bills.held_bills_expire).
    """

    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cashier"), on_delete=models.CASCADE,
                                related_name="held_bills")
    created_at = models.DateTimeField(_("held at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    label = models.CharField(_("label"), max_length=120, help_text=_("The customer's name, or the first item."))
    cart = models.JSONField(_("cart"), default=dict, help_text=_(
        "Lines (product id, quantity, discount), customer id, bill discount and the payments typed so far."))

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("held bill")
        verbose_name_plural = _("held bills")
        indexes = [models.Index(fields=["cashier", "created_at"], name="heldbill_cashier_time_idx")]

    def __str__(self) -> str:
        return self.label


from sales.discount_models import (  # noqa: E402,F401  (models of this app, kept in their own module)
    Coupon,
    CouponRedemption,
    DiscountRule,
    InvoiceLineDiscount,
)
