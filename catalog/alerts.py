"""The morning low-stock alert: products that fell to their reorder level since the last alert, with how much
to order, emailed to the owner and managers and put in their in-app inbox.

What was alerted is remembered (shop.LowStockAlertMark, one row per product still low): a product is
reported once when it falls, its mark goes when it is back above its level, so falling again reports it again.
Recovery is seen when the alert runs (every morning); a product that recovers and falls back between two
runs is not reported twice.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.selectors import low_stock_products, suggested_order_quantity
from shop.models import LowStockAlertMark, OutboundEmail, ShopProfile
from shop.money import format_quantity
from shop.notifications.inbox import MANAGERS, Level, notify, users_in_roles
from shop.notifications.layout import absolute_url, email_base_context
from shop.notifications.services import email_queue


@dataclass(frozen=True)
class LowStockRow:
    product_id: int
    name: str
    sku: str
    unit: str
    on_hand: Decimal
    level: Decimal
    order: Decimal


@dataclass(frozen=True)
class LowStockAlert:
    rows: list[LowStockRow]
    still_low: int  # reported before and still low, not repeated
    emails: list[OutboundEmail]


def _row(product) -> LowStockRow:
    order = suggested_order_quantity(on_hand=product.on_hand, level=product.level,
                                     reorder_quantity=product.reorder_quantity,
                                     whole_units=not product.unit.allows_fraction)
    return LowStockRow(product.pk, product.name, product.sku, product.unit.code, product.on_hand, product.level, order)


@transaction.atomic
def low_stock_alert_send(*, now=None) -> LowStockAlert:
    """Report the products newly at or below their reorder level; forget those back above it. Return what was
    reported. Run every morning by the "Low-stock alert" schedule and by `manage.py send_low_stock_alert`.

    Marks are written in the same transaction as the emails, so a failure reports nothing and forgets nothing.
    """
    now = now or timezone.now()
    low = list(low_stock_products())
    low_ids = [product.pk for product in low]
    LowStockAlertMark.objects.exclude(product_id__in=low_ids).delete()  # recovered: may alert again
    marked = set(LowStockAlertMark.objects.filter(product_id__in=low_ids).values_list("product_id", flat=True))
    rows = [_row(product) for product in low if product.pk not in marked]
    if not rows:
        return LowStockAlert(rows=[], still_low=len(marked), emails=[])
    LowStockAlertMark.objects.bulk_create(
        [LowStockAlertMark(product_id=row.product_id, on_hand=row.on_hand, alerted_at=now) for row in rows],
        ignore_conflicts=True)
    link = reverse("admin:catalog_product_low_stock")
    names = ", ".join(row.name for row in rows[:5]) + ("…" if len(rows) > 5 else "")
    notify(text=f"{len(rows)} product{'s' if len(rows) != 1 else ''} low on stock: {names}", level=Level.WARNING,
           link=link, roles=MANAGERS)
    emails = _emails(rows, still_low=len(marked), link=absolute_url(link), now=now)
    return LowStockAlert(rows=rows, still_low=len(marked), emails=emails)


def _emails(rows: list[LowStockRow], *, still_low: int, link: str, now) -> list[OutboundEmail]:
    profile = ShopProfile.objects.get_profile()
    batch = hashlib.sha256(",".join(str(row.product_id) for row in rows).encode()).hexdigest()[:16]
    day = timezone.localdate(now)
    context = {**email_base_context(profile), "products": rows, "still_low": still_low, "link": link}
    subject = (f"Low stock: {rows[0].name} ({format_quantity(rows[0].on_hand)} left)" if len(rows) == 1
               else f"Low stock: {len(rows)} products to reorder")
    emails = []
    for address in sorted(set(users_in_roles(MANAGERS).exclude(email="").values_list("email", flat=True))):
        emails.append(email_queue(to=[address], subject=f"{subject} · {profile.name}", template="low_stock",
                                  context=context, reference=f"Low stock {day:%d-%m-%Y}",
                                  dedupe_key=f"low-stock:{day:%Y-%m-%d}:{batch}:{address.lower()}"))
    return emails
