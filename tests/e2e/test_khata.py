"""The udhar khata in a real browser: a cashier takes a part payment and prints its receipt; the owner looks
at the customer list and a statement (page and PDF). Screenshots for docs/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from ledger.models import CreditEntry, Customer
from ledger.posting import post_credit
from ledger.selectors import customer_balance, day_start
from ledger.services import credit_adjust, credit_opening_balance, credit_payment_receive
from shop.models import ShopProfile, User
from tests.conftest import transactional_db
from tests.e2e.conftest import DOCS, save_screenshot
from tests.pdf import pdfium_text, render_page

pytestmark = [pytest.mark.browser, transactional_db]
D = Decimal
# name, phone, credit limit, opening balance (days ago), credit sales (days ago, amount), payments (days ago, amount)
KHATA = [
    ("रमेश कुमार (Ramesh Kumar)", "9876500001", "5000", (120, "1800"), [(50, "640"), (12, "1275.50")],
     [(40, "1000"), (3, "500")]),
    ("Sunita Devi", "9876500002", "3000", None, [(20, "2150"), (2, "980")], [(10, "1200")]),
    ("अनिल शर्मा", "9876500003", "2000", (75, "2600"), [], [(30, "400")]),
    ("Priya Nair", "9876500004", "4000", None, [(5, "735.25")], []),
    ("Mohammed Irfan", "9876500005", "1500", (200, "950"), [(95, "300")], [(60, "250"), (1, "100")]),
    ("Kavita Joshi", "9876500006", "1000", None, [(8, "420")], [(4, "420")]),
]


def seed_khata() -> dict[str, Customer]:
    """Six customers with a few months of khata (opening balances, credit sales, repayments)."""
    owner = User.objects.get(username="owner")
    profile = ShopProfile.objects.get_profile()
    profile.upi_vpa = profile.upi_vpa or "sharmakirana@okaxis"
    profile.save()
    today = timezone.localdate()
    customers = {}
    for name, phone, limit, opening, sales, payments in KHATA:
        customer = Customer.objects.create(name=name, phone=phone, credit_limit=D(limit),
                                           address="12, Gandhi Nagar\nPune 411001")
        if opening:
            credit_opening_balance(customer=customer, amount=opening[1], user=owner,
                                   day=today - timedelta(days=opening[0]))
        for days, amount in sales:
            post_credit(customer=customer, kind=CreditEntry.Kind.CREDIT_SALE, amount=D(amount), user=owner,
                        reference=f"SKS/26-27/{len(customers) + 1:03d}{days:02d}",
                        created_at=day_start(today - timedelta(days=days)) + timedelta(hours=11))
        for days, amount in payments:
            credit_payment_receive(customer=customer, amount=amount, method="cash", user=owner,
                                   day=today - timedelta(days=days))
        customers[phone] = customer
    credit_adjust(customer=customers["9876500002"], amount="-50", reason="Diwali discount", user=owner)
    return customers


@pytest.fixture
def khata(live_server):
    call_command("seed_demo")
    return seed_khata()


def test_a_cashier_takes_a_part_payment_by_phone_and_prints_its_receipt(khata, login, live_server):
    sunita = khata["9876500002"]
    owed = customer_balance(sunita)
    page = login("cashier", "galla-cashier")
    page.click("text=Receive khata payment")  # from the sidebar
    page.fill("input[name=q]", "+91 98765 00002")
    page.click("#find-customer button[type=submit]")
    page.wait_for_selector("#repayment-form")
    assert "Sunita Devi" in page.text_content("#receive-payment")
    assert page.text_content("#khata-balance").strip() == "Owes ₹1,880.00"
    page.check("input[name=method][value=upi]")
    page.wait_for_selector("#upi-qr svg", state="visible")  # a QR for what is owed
    page.screenshot(path=str(DOCS / "khata-receive-payment.png"))
    page.check("input[name=method][value=cash]")
    page.fill("input[name=amount]", "880")
    page.click("#repayment-form button[type=submit]")
    page.wait_for_selector("#payment-recorded")
    assert "Balance now ₹1,000.00" in page.text_content("#payment-recorded")
    assert customer_balance(sunita) == owed - 880
    receipt = page.get_attribute("#receipt-link", "href")
    response = page.request.get(f"{live_server.url}{receipt}")
    assert response.headers["content-type"] == "application/pdf"
    text = pdfium_text(response.body())
    assert "PAYMENT RECEIPT" in text and "₹880.00" in text and "₹1,000.00" in text
    render_page(response.body(), dpi=150).save(DOCS / "khata-receipt.png")


def test_the_owner_sees_the_customer_list_and_a_statement(khata, login, live_server):
    page = login("owner", "galla-owner")
    page.goto(f"{live_server.url}/admin/ledger/customer/?o=-3")  # by balance, largest first
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == len(KHATA)
    assert "रमेश कुमार" in rows.nth(0).text_content()
    save_screenshot(page, "customer-list.png")

    ramesh = khata["9876500001"]
    page.goto(f"{live_server.url}/admin/ledger/customer/{ramesh.pk}/change/")
    assert page.text_content("#khata-balance").strip() == "₹2,215.50"
    page.screenshot(path=str(DOCS / "customer-khata.png"), full_page=True)
    page.click("#khata-actions >> text=Statement")
    start = (timezone.localdate() - timedelta(days=150)).isoformat()
    page.fill("input[name=start]", start)
    page.click("#period button[type=submit]")
    page.wait_for_selector("#closing-balance")
    assert page.text_content("#closing-balance").strip() == "₹2,215.50"
    page.screenshot(path=str(DOCS / "statement-page.png"), full_page=True)

    pdf = page.request.get(page.url.replace("/statement/?", "/statement/pdf/?")).body()
    text = pdfium_text(pdf)
    assert "STATEMENT OF ACCOUNT" in text and "₹2,215.50" in text and "Opening balance" in text
    render_page(pdf, dpi=110).save(DOCS / "statement.png")
