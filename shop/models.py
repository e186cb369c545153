from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shop import roles
from shop.gst import STATE_CHOICES, validate_gstin
from shop.money import MONEY_FIELD


class User(AbstractUser):
    """A person who works in the shop; their role is the group they belong to."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def role(self) -> str:
        """Return the highest role this user holds ("Owner", "Manager", "Cashier" or "")."""
        if self.is_superuser:
            return roles.OWNER
        names = {group.name for group in self.groups.all()}
        return next((role for role in roles.ROLES if role in names), "")


class ShopProfileManager(models.Manager):
    def get_profile(self) -> "ShopProfile":
        """Return the shop's profile, creating a blank one on first use."""
        profile, _created = self.get_or_create(singleton=True, defaults={"name": "My Shop", "state": "27"})
        return profile


class ShopProfile(models.Model):
    """The one shop this installation runs: identity, tax registration and house rules."""

    MONTHS = [(n, name) for n, name in enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"], start=1)]

    # Always True and unique: the database itself refuses a second profile.
    singleton = models.BooleanField(default=True, editable=False, unique=True)

    name = models.CharField(_("shop name"), max_length=120)
    address = models.TextField(_("address"), blank=True)
    state = models.CharField(_("state"), max_length=2, choices=STATE_CHOICES,
                             help_text=_("Decides whether a sale is intra-state (CGST + SGST) or inter-state (IGST)."))
    gstin = models.CharField(_("GSTIN"), max_length=15, blank=True, validators=[validate_gstin],
                             help_text=_("15 characters, like 27AAPFU0939F1ZV. Leave empty if not registered."))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    upi_vpa = models.CharField(
        _("UPI ID (VPA)"), max_length=100, blank=True,
        validators=[RegexValidator(r"^[\w.\-]{2,256}@[a-zA-Z]{2,64}$", _("A UPI ID looks like shopname@bank."))],
        help_text=_("Customers pay to this UPI ID by scanning the QR on the bill."))
    invoice_prefix = models.CharField(
        _("invoice prefix"), max_length=4, default="INV",
        validators=[RegexValidator(r"^[A-Z0-9]{1,4}$", _("Use 1 to 4 capital letters or digits."))],
        help_text=_("Invoice numbers read PREFIX/25-26/00001 (16 characters at most)."))
    financial_year_start_month = models.PositiveSmallIntegerField(
        _("financial year starts in"), choices=MONTHS, default=4)
    composition_scheme = models.BooleanField(
        _("composition scheme"), default=False,
        help_text=_("Under composition the shop issues a bill of supply without tax lines."))
    allow_negative_stock = models.BooleanField(
        _("allow selling below zero stock"), default=False,
        help_text=_("Off: a sale that needs more than is in stock is refused."))
    round_off = models.BooleanField(_("round bills to the rupee"), default=True)
    low_stock_threshold = models.DecimalField(
        _("default low-stock level"), max_digits=12, decimal_places=3, default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Used for products that have no reorder level of their own."))
    hsn_min_digits = models.PositiveSmallIntegerField(
        _("HSN digits required"), default=4, choices=[(4, _("4 (turnover up to ₹5 crore)")),
                                                      (6, _("6 (turnover above ₹5 crore)"))])
    cashier_discount_limit = models.DecimalField(
        _("cashier discount limit (%)"), max_digits=5, decimal_places=2, default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Cashiers may discount a bill up to this percentage; above it a manager must approve."))
    default_credit_limit = models.DecimalField(
        _("default credit limit"), **MONEY_FIELD, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))],
        help_text=_("The credit limit a new customer gets unless an owner or manager sets another. 0: no credit."))
    logo = models.ImageField(_("logo"), upload_to="shop/", blank=True)
    return_window_days = models.PositiveSmallIntegerField(
        _("return window (days)"), default=7, validators=[MaxValueValidator(3650)],
        help_text=_("Goods are taken back up to this many days after the sale. 0: on the day of the sale only."))
    cashier_return_limit = models.DecimalField(
        _("cashier return limit"), **MONEY_FIELD, default=Decimal("1000"), validators=[MinValueValidator(Decimal("0"))],
        help_text=_("A cashier may refund up to this amount per return; above it a manager must approve."))
    credit_reminder_days = models.PositiveSmallIntegerField(
        _("credit reminder after (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("The weekly reminder goes to customers who have owed money for at least this many days."))
    # A string reference: the shop app imports nothing from catalog.
    non_returnable_categories = models.ManyToManyField(
        "catalog.Category", verbose_name=_("categories that cannot be returned"), blank=True, related_name="+",
        help_text=_("Goods of these categories (and their sub-categories) are never taken back."))

    history = HistoricalRecords()
    objects = ShopProfileManager()

    class Meta:
        verbose_name = _("shop profile")
        verbose_name_plural = _("shop profile")
        permissions = [("import_data", _("Can import catalogue and stock files"))]
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="shop_profile_singleton")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.gstin:
            self.gstin = self.gstin.strip().upper()
            if self.state and self.gstin[:2] != self.state:
                message = _("This GSTIN belongs to state %(code)s, not the shop's state %(state)s.")
                raise ValidationError({"gstin": message % {"code": self.gstin[:2], "state": self.state}})


# The email outbox lives in its own package but belongs to this app (its tables are shop_*).
from shop.notifications.models import (  # noqa: E402
    LowStockAlertMark,
    Notification,
    OutboundEmail,
    OutboundEmailAttachment,
)

__all__ = ["LowStockAlertMark", "Notification", "OutboundEmail", "OutboundEmailAttachment", "ShopProfile", "User"]
