"""Helpers for tests that sell through checkout."""

from sales.services import sale_quote


def exact_cash(lines: list[dict], *, customer=None, bill_discount=0) -> dict:
    """Return a cash payment of exactly what these lines come to (checkout refuses implausible cash)."""
    quote = sale_quote(lines=lines, customer=customer, bill_discount=bill_discount)
    return {"method": "cash", "amount": quote.bill.grand_total}
