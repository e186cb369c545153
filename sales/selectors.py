"""Reads for the billing counter: product look-up and search, fast on a large catalogue."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.models import Product
from ledger.models import Customer
from sales.models import CreditNote, Invoice, Payment
from shop.money import format_inr, format_quantity

SEARCH_LIMIT = 10
# A cashier reaches their own bills of today and the six days before: enough to reprint or email a bill
# for a customer who comes back within the week, without opening the shop's sales history.
CASHIER_INVOICE_DAYS = 7


def _sellable() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).select_related("unit", "tax_rate")


def invoices_visible_to(user, invoices: QuerySet[Invoice] | None = None) -> QuerySet[Invoice]:
    """Return the invoices this user may open, print, email, confirm or cancel.

    The one rule for every list, page, PDF, email and JSON answer that reaches an invoice or its payments:
    everyone's with `sales.view_all_invoices` (owner, manager); otherwise the user's own bills of today and
    the CASHIER_INVOICE_DAYS - 1 days before.
    """
    return _visible(user, Invoice.objects.all() if invoices is None else invoices, prefix="")


def payments_visible_to(user, payments: QuerySet[Payment] | None = None) -> QuerySet[Payment]:
    """Return the payments of the invoices this user may open (see invoices_visible_to)."""
    return _visible(user, Payment.objects.all() if payments is None else payments, prefix="invoice__")


def credit_notes_visible_to(user, credit_notes: QuerySet[CreditNote] | None = None) -> QuerySet[CreditNote]:
    """Return the credit notes this user may open, print or email: the same rule as for invoices, by the
    user who took the goods back (owner and managers: all; a cashier: their own of the last week)."""
    queryset = CreditNote.objects.all() if credit_notes is None else credit_notes
    if not user.has_perm("sales.view_creditnote"):
        return queryset.none()
    return _visible(user, queryset, prefix="", owner_field="created_by")


def _visible(user, queryset: QuerySet, *, prefix: str, owner_field: str = "cashier") -> QuerySet:
    if not user.has_perm("sales.view_invoice"):
        return queryset.none()
    if user.has_perm("sales.view_all_invoices"):
        return queryset
    first_day = timezone.localdate() - timedelta(days=CASHIER_INVOICE_DAYS - 1)
    since = timezone.make_aware(datetime.combine(first_day, time.min))
    return queryset.filter(**{f"{prefix}{owner_field}": user, f"{prefix}issued_at__gte": since})


RETURN_SEARCH_LIMIT = 20


def invoices_to_return(user, query: str) -> tuple[Invoice | None, list[Invoice]]:
    """Return (the invoice, []) when the query is exactly a bill's number (as the receipt's barcode types it),
    else (None, bills) of the customer with that phone number, or whose number contains the query.

    Only bills the user may reach (invoices_visible_to) and that are not cancelled; newest first.
    """
    query = query.strip()
    if not query:
        return None, []
    bills = invoices_visible_to(user).filter(status=Invoice.Status.COMPLETED).select_related("customer")
    exact = bills.filter(number__iexact=query).first()
    if exact is not None:
        return exact, []
    compact = query.replace(" ", "")
    phones = {compact, compact.removeprefix("+"), compact.removeprefix("+91"), "+91" + compact}
    customer = Customer.objects.filter(phone__in=phones).first() if compact.lstrip("+").isdigit() else None
    if customer is not None:
        return None, list(bills.filter(customer=customer)[:RETURN_SEARCH_LIMIT])
    return None, list(bills.filter(number__icontains=query)[:RETURN_SEARCH_LIMIT])


def product_by_code(code: str) -> Product | None:
    """Return the active product whose barcode or SKU is exactly `code` (what a scanner types)."""
    code = code.strip()
    if not code:
        return None
    return _sellable().filter(Q(barcode=code) | Q(sku__iexact=code)).order_by("pk").first()


def search_products(query: str, *, limit: int = SEARCH_LIMIT) -> list[Product]:
    """Return up to `limit` products for a name or SKU: exact codes first, then prefixes, then anywhere.

    Each step is a LIMITed query, so a common word stops early instead of reading the catalogue.
    """
    query = query.strip()
    if len(query) < 2:
        return []
    found: dict[int, Product] = {}
    steps = (Q(barcode=query) | Q(sku__iexact=query),
             Q(name__istartswith=query) | Q(sku__istartswith=query),
             Q(name__icontains=query))
    for condition in steps:
        for product in _sellable().filter(condition).exclude(pk__in=found).order_by("name")[:limit - len(found)]:
            found[product.pk] = product
        if len(found) >= limit:
            break
    return list(found.values())


def product_payload(product: Product, on_hand: Decimal | None) -> dict:
    """Return what the counter needs to know of a product (never its cost)."""
    return {
        "id": product.pk,
        "name": product.name,
        "sku": product.sku,
        "barcode": product.barcode,
        "price": str(product.selling_price),
        "mrp": str(product.mrp) if product.mrp is not None else None,
        "unit": product.unit.code,
        "fraction": product.unit.allows_fraction,
        "tax_rate": format_quantity(product.tax_rate.rate),
        "inclusive": product.tax_inclusive,
        "on_hand": format_quantity(on_hand or 0),
    }


def upi_awaiting_amount(invoice: Invoice) -> Decimal:
    """Return the UPI amount of a bill that still waits for its transaction number."""
    return sum((p.amount for p in invoice.payments.all()
                if p.method == Payment.Method.UPI and p.status == Payment.Status.AWAITING), Decimal("0"))


def whatsapp_share_link(invoice: Invoice, *, shop_name: str) -> str:
    """Return a wa.me link with the bill's summary, addressed to the customer when their phone is known."""
    text = f"{shop_name}: bill {invoice.number} of {timezone.localtime(invoice.issued_at):%d-%m-%Y}, " \
           f"total {format_inr(invoice.grand_total)}."
    if invoice.balance_due > 0:
        text += f" Due: {format_inr(invoice.balance_due)}."
    text += " Thank you!"
    digits = "".join(c for c in (invoice.customer.phone if invoice.customer else "") if c.isdigit())
    phone = f"91{digits}" if len(digits) == 10 else digits
    return f"https://wa.me/{phone}?text={quote(text)}"
