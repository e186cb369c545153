"""Discount rules, coupons, and what they gave on each invoice line.

Imported at the end of sales/models.py, so these are models of the sales app.
"""

from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import Brand, Category, Product
from ledger.models import Customer
from sales.models import ZERO, Invoice, InvoiceLine
from shop.money import MONEY_FIELD
from shop.validators import validate_plain_text

WEEKDAYS = (("0", _("Mon")), ("1", _("Tue")), ("2", _("Wed")), ("3", _("Thu")), ("4", _("Fri")), ("5", _("Sat")),
            ("6", _("Sun")))
COUPON_CODE_MAX_LENGTH = 24
validate_coupon_code = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9-]*$", _("A code has letters, digits and dashes only."))
validate_weekdays = RegexValidator(r"^[0-6]{0,7}$", _("Weekdays are digits 0 (Monday) to 6 (Sunday)."))


class DiscountRule(models.Model):
    """An offer the counter applies by itself when it is valid (or, when coupon-only, when its coupon is given)."""

    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percent off")
        FLAT = "flat", _("Rupees off")
        BUY_GET = "buy_get", _("Buy X get Y free (same product)")

    class Scope(models.TextChoices):
        BILL = "bill", _("Whole bill")
        CATEGORY = "category", _("Categories")
        BRAND = "brand", _("Brands")
        PRODUCTS = "products", _("Products")

    name = models.CharField(_("name"), max_length=80, validators=[validate_plain_text],
                            help_text=_("Shown on the counter and the invoice, like 'Weekend 10% off'."))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(_("value"), **MONEY_FIELD, default=ZERO, validators=[MinValueValidator(ZERO)],
                                help_text=_("Percent off, or rupees off the matching items together. "
                                            "Not used by buy X get Y."))
    scope = models.CharField(_("applies to"), max_length=8, choices=Scope.choices, default=Scope.BILL)
    categories = models.ManyToManyField(Category, verbose_name=_("categories"), blank=True, related_name="+",
                                        help_text=_("A category includes its sub-categories."))
    brands = models.ManyToManyField(Brand, verbose_name=_("brands"), blank=True, related_name="+")
    products = models.ManyToManyField(Product, verbose_name=_("products"), blank=True, related_name="+")
    min_bill_value = models.DecimalField(_("minimum bill value"), **MONEY_FIELD, default=ZERO,
                                         validators=[MinValueValidator(ZERO)],
                                         help_text=_("The bill at shelf prices must come to at least this."))
    buy_quantity = models.PositiveIntegerField(_("buy"), null=True, blank=True, validators=[MinValueValidator(1)])
    get_quantity = models.PositiveIntegerField(_("get free"), null=True, blank=True,
                                               validators=[MinValueValidator(1)])
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("The last day it is valid."))
    weekdays = models.CharField(_("weekdays"), max_length=7, blank=True, validators=[validate_weekdays],
                                help_text=_("Empty: every day."))
    starts_at = models.TimeField(_("from time"), null=True, blank=True,
                                 help_text=_("Happy hours, in the shop's time zone. Empty: all day."))
    ends_at = models.TimeField(_("until time"), null=True, blank=True,
                               help_text=_("Not included; earlier than the start time runs past midnight."))
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, validators=[MaxValueValidator(1000)],
        help_text=_("Stackable offers apply in this order, highest first; on a tie the higher one wins."))
    stackable = models.BooleanField(
        _("stacks with other offers"), default=False,
        help_text=_("Offers that stack add up; one that does not stack applies alone, when it gives more "
                    "than all stackable offers together."))
    coupon_only = models.BooleanField(_("only with a coupon"), default=False,
                                      help_text=_("Applied only when the customer gives one of its coupon codes."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-priority", "pk"]
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        constraints = [
            models.CheckConstraint(condition=Q(kind="percent", value__lte=100) | ~Q(kind="percent"),
                                   name="discount_percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.kind in (self.Kind.PERCENT, self.Kind.FLAT) and not (self.value and self.value > 0):
            errors["value"] = _("Give the percent or the rupees off.")
        if self.kind == self.Kind.PERCENT and self.value and self.value > 100:
            errors["value"] = _("A percent is at most 100.")
        if self.kind == self.Kind.BUY_GET:
            if not self.buy_quantity:
                errors["buy_quantity"] = _("How many must the customer buy?")
            if not self.get_quantity:
                errors["get_quantity"] = _("How many do they get free?")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day is before the first.")
        if (self.starts_at is None) != (self.ends_at is None):
            errors["ends_at"] = _("Give both times of the happy hours, or neither.")
        elif self.starts_at is not None and self.starts_at == self.ends_at:
            errors["ends_at"] = _("The happy hours start and end at the same time.")
        if self.weekdays and len(set(self.weekdays)) != len(self.weekdays):
            errors["weekdays"] = _("A weekday is given twice.")
        if errors:
            raise ValidationError(errors)

    # --- when it is valid -------------------------------------------------------------------------

    def not_in_force_reason(self, moment: datetime) -> str:
        """Return why the rule does not apply at this moment (in the shop's time zone), or "" when it does."""
        local = timezone.localtime(moment)
        day = local.date()
        if not self.is_active:
            return _("it has been switched off")
        if self.starts_on and day < self.starts_on:
            return _("it starts on %(day)s") % {"day": self.starts_on.strftime("%d %b %Y")}
        if self.ends_on and day > self.ends_on:
            return _("it ended on %(day)s") % {"day": self.ends_on.strftime("%d %b %Y")}
        if self.weekdays and str(local.weekday()) not in self.weekdays:
            return _("it is valid on %(days)s only") % {"days": self.weekdays_text}
        if self.starts_at is not None and not self._in_hours(local.time()):
            return _("it is valid from %(start)s to %(end)s only") % {
                "start": self.starts_at.strftime("%H:%M"), "end": self.ends_at.strftime("%H:%M")}
        return ""

    def _in_hours(self, now: time) -> bool:
        if self.starts_at < self.ends_at:
            return self.starts_at <= now < self.ends_at
        return now >= self.starts_at or now < self.ends_at  # past midnight

    @property
    def weekdays_text(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(str(names[day]) for day in sorted(self.weekdays))


class Coupon(models.Model):
    """A code that gives its rule's discount, within its limits. Codes are unique whatever their case."""

    code = models.CharField(_("code"), max_length=COUPON_CODE_MAX_LENGTH, validators=[validate_coupon_code],
                            help_text=_("Letters, digits and dashes; the counter reads it in any case."))
    rule = models.ForeignKey(DiscountRule, verbose_name=_("discount rule"), on_delete=models.PROTECT,
                             related_name="coupons")
    max_uses = models.PositiveIntegerField(_("uses in all"), null=True, blank=True, validators=[MinValueValidator(1)],
                                           help_text=_("Empty: no limit."))
    uses_per_customer = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True,
                                                    validators=[MinValueValidator(1)],
                                                    help_text=_("Empty: no limit. Set: the bill needs a customer."))
    first_purchase_only = models.BooleanField(_("first purchase only"), default=False,
                                              help_text=_("Only for a customer with no bill before."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("The last day it is valid."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+", editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [models.UniqueConstraint(Upper("code"), name="coupon_code_unique_any_case",
                                               violation_error_message=_("A coupon with this code already exists."))]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        self.code = normalise_code(self.code)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The last day is before the first.")})


def normalise_code(code: str) -> str:
    """Return a coupon code as stored: trimmed and upper-case (codes are read in any case)."""
    return (code or "").strip().upper()


class CouponRedemption(models.Model):
    """One use of a coupon: the invoice it gave its discount on. Written by checkout, never edited."""

    coupon = models.ForeignKey(Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT, related_name="redemptions")
    invoice = models.OneToOneField(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
                                   related_name="coupon_redemption")
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    amount = models.DecimalField(_("discount given"), **MONEY_FIELD)
    redeemed_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-redeemed_at", "-pk"]
        verbose_name = _("coupon use")
        verbose_name_plural = _("coupon uses")
        indexes = [models.Index(fields=["coupon", "customer"], name="redemption_coupon_customer_idx")]

    def __str__(self) -> str:
        return f"{self.coupon} on {self.invoice}"


class InvoiceLineDiscount(models.Model):
    """What one offer took off one invoice line, as sold (the rule's name is copied)."""

    line = models.ForeignKey(InvoiceLine, on_delete=models.CASCADE, related_name="offers")
    rule = models.ForeignKey(DiscountRule, verbose_name=_("discount rule"), on_delete=models.PROTECT,
                             related_name="+")
    coupon = models.ForeignKey(Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    description = models.CharField(_("offer"), max_length=120)
    amount = models.DecimalField(_("discount"), **MONEY_FIELD)

    class Meta:
        ordering = ["line", "pk"]
        verbose_name = _("offer on a line")
        verbose_name_plural = _("offers on lines")

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
