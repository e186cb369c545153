"""What a refused request must leave exactly as it was: sales, numbers, stock, payments, books, customers, emails,
held bills."""

from catalog.models import Stock, StockMovement
from ledger.models import CreditEntry, Customer, DayBookEntry
from sales.models import HeldBill, Invoice, InvoiceSeries, Payment
from shop.models import OutboundEmail


def sales_state() -> dict:
    """Return what a sale, a payment confirmation, a new customer or an email writes, to compare before and after."""
    return {
        "invoices": list(Invoice.objects.order_by("pk").values_list("pk", "status")),
        "series": list(InvoiceSeries.objects.order_by("pk").values_list("prefix", "financial_year", "last_number")),
        "stock": list(Stock.objects.order_by("pk").values_list("pk", "quantity")),
        "movements": StockMovement.objects.count(),
        "payments": list(Payment.objects.order_by("pk").values_list("pk", "amount", "status", "reference")),
        "credit": CreditEntry.objects.count(),
        "day_book": DayBookEntry.objects.count(),
        "customers": list(Customer.objects.order_by("pk").values_list("pk", "name", "phone", "credit_limit")),
        "emails": OutboundEmail.objects.count(),
        "held_bills": list(HeldBill.objects.order_by("pk").values_list("pk", "cart")),
    }
