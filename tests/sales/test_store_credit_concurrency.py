"""Store credit spent by several cashiers at once, on PostgreSQL: never more than the customer holds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledger.models import StoreCreditEntry
from ledger.posting import post_store_credit, store_credit_balance
from sales.models import Invoice
from sales.services import checkout
from tests import factories
from tests.catalog.test_stock_concurrency import THREADS, run_in_threads
from tests.conftest import transactional_db

pytestmark = [pytest.mark.postgres, transactional_db]
D = Decimal


def test_eight_bills_spending_the_same_store_credit_at_once_get_at_most_the_balance(shop, stocked, cashier):
    soap = stocked(name="Lux Soap", selling_price=D("100"), tax_rate=factories.tax_rate("18"))
    customer = factories.CustomerFactory(phone="9876500002")
    post_store_credit(customer=customer, kind=StoreCreditEntry.Kind.RETURN, amount=D("250"), user=None)

    def spend_100(_index):
        try:
            return checkout(cashier=cashier, customer=customer, lines=[{"product": soap, "quantity": D("1")}],
                            payments=[{"method": "store", "amount": D("100")}]).number
        except ValidationError as refusal:
            return refusal

    results = run_in_threads(spend_100)
    sold = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(sold), len(refused)) == (2, THREADS - 2), results
    assert all("payments[0].amount" in r.message_dict for r in refused)
    assert store_credit_balance(customer) == D("50")
    assert Invoice.objects.count() == 2
