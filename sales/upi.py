"""UPI: the NPCI payment link (and QR) for a bill."""

from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError

from shop.models import ShopProfile


def merchant_vpa(profile: ShopProfile) -> str:
    """Return the UPI ID bills are paid to: UPI_MERCHANT_ID from the environment, else the shop profile's."""
    return settings.UPI_MERCHANT_ID or profile.upi_vpa


def upi_payment_link(*, vpa: str, payee_name: str, amount: Decimal, note: str, reference: str) -> str:
    """Return the NPCI deep link upi://pay?pa=...&pn=...&am=...&cu=INR&tn=...&tr=... (values URL-encoded)."""
    params = [("pa", vpa), ("pn", payee_name), ("am", f"{Decimal(amount):.2f}"), ("cu", "INR"), ("tn", note),
              ("tr", reference)]
    return "upi://pay?" + "&".join(f"{key}={quote(str(value), safe='')}" for key, value in params)


def clean_utr(reference: str) -> str:
    """Return a UPI transaction number (UTR) without spaces; refuse anything but exactly 12 digits."""
    utr = "".join((reference or "").split())
    if not (len(utr) == 12 and utr.isdigit()):
        raise ValidationError(f"A UPI transaction number (UTR) has 12 digits; {reference!r} does not.", code="utr")
    return utr
