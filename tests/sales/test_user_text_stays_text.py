"""Nothing a user types becomes code: names with template, format-string or PDF markup syntax come out as
typed in the invoice email's subject and bodies (the PDF escapes its markup: tests/sales/test_documents_fonts.py)."""

from decimal import Decimal

import pytest

from sales.emails import invoice_email_queue
from sales.services import checkout
from tests import factories

pytestmark = pytest.mark.django_db

SHOP_NAME = "{{ 7|add:1 }} %(number)s {0} %s"
PRODUCT_NAME = "{% now 'Y' %} {{ shop.gstin }}"
CUSTOMER_NAME = "{{ customer_name.__class__ }} {shop.name!r}"


@pytest.fixture
def sale(shop, stocked, cashier):
    shop.name = SHOP_NAME
    shop.save()
    product = stocked(name=PRODUCT_NAME, selling_price=Decimal("10"))
    customer = factories.CustomerFactory(name=CUSTOMER_NAME, email="asha@example.com")
    return checkout(cashier=cashier, customer=customer, lines=[{"product": product, "quantity": Decimal("1")}],
                    payments=[{"method": "cash", "amount": Decimal("10")}])


def test_the_invoice_email_shows_template_and_format_syntax_as_typed(sale, cashier):
    email = invoice_email_queue(invoice=sale, to="asha@example.com", user=cashier)
    assert email.subject == f"Invoice {sale.number} from {SHOP_NAME}"
    for typed in (SHOP_NAME, PRODUCT_NAME, CUSTOMER_NAME):
        assert typed in email.text_body
    assert "{{ 7|add:1 }}" in email.html_body and "{% now &#x27;Y&#x27; %}" in email.html_body

