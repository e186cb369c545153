from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shop.gst import STATE_CHOICES, validate_gstin
from shop.money import MONEY_FIELD

validate_phone = RegexValidator(r"^\+?\d{10,13}$", _("Enter a phone number of 10 to 13 digits, like 9876543210."))


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
