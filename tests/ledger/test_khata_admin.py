"""The udhar khata in the admin: the customer list and page, receiving a repayment, statements, adjustments,
opening balances and reversals, for each role; bad input gives form errors, never a server error."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.models import CreditEntry, DayBookEntry
from ledger.posting import post_credit
from ledger.selectors import customer_balance, day_start
from ledger.services import credit_adjust, credit_opening_balance, credit_payment_receive
from shop.models import OutboundEmail
from tests import factories
from tests.pdf import pdfium_text

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate
UTR = "412345678901"


def back(days):
    return TODAY() - timedelta(days=days)


def change_url(customer):
    return reverse("admin:ledger_customer_change", args=[customer.pk])


RECEIVE = "admin:ledger_customer_receive_payment"


@pytest.fixture
def owing(shop, owner):
    """Four customers: owes 1,000 for 100 days; over the limit for 40 days; paid up; owes 50 since today."""
    old = factories.CustomerFactory(name="Old Debt", credit_limit=D("5000"))
    credit_opening_balance(customer=old, amount="1000", user=owner, day=back(100))
    over = factories.CustomerFactory(name="Over Limit", credit_limit=D("100"))
    credit_opening_balance(customer=over, amount="300", user=owner, day=back(40))
    clear = factories.CustomerFactory(name="Paid Up")
    credit_opening_balance(customer=clear, amount="200", user=owner, day=back(10))
    credit_payment_receive(customer=clear, amount="200", method="cash", user=owner, day=back(5))
    new = factories.CustomerFactory(name="New Debt", credit_limit=D("1000"))
    credit_opening_balance(customer=new, amount="50", user=owner)
    factories.CustomerFactory(name="Never Bought")
    return {"old": old, "over": over, "clear": clear, "new": new}


def listed_names(response) -> list[str]:
    return [customer.name for customer in response.context["cl"].result_list]


# --- the customer list ------------------------------------------------------------------------------------------


def test_the_customer_list_shows_balance_ageing_and_last_payment(client, owner, owing):
    client.force_login(owner)
    page = client.get(reverse("admin:ledger_customer_changelist")).content.decode()
    assert "₹1,000.00" in page and "90+: ₹1,000.00" in page and "31–60: ₹300.00" in page
    assert "5 days ago" in page  # Paid Up's last payment
    assert "over the credit limit" in page  # Over Limit is marked


def test_the_customer_list_sorts_by_balance(client, owner, owing):
    client.force_login(owner)
    response = client.get(reverse("admin:ledger_customer_changelist"), {"o": "-3"})
    assert listed_names(response)[:3] == ["Old Debt", "Over Limit", "New Debt"]


@pytest.mark.parametrize(("query", "names"), [
    ({"khata": "owes"}, ["New Debt", "Old Debt", "Over Limit"]),
    ({"khata": "over_limit"}, ["Over Limit"]),
    ({"khata": "clear"}, ["Never Bought", "Paid Up"]),
    ({"owed_for": "30"}, ["Old Debt", "Over Limit"]),
    ({"owed_for": "60"}, ["Old Debt"]),
    ({"owed_for": "90"}, ["Old Debt"]),
])
def test_the_customer_list_filters_by_what_is_owed_and_for_how_long(client, owner, owing, query, names):
    client.force_login(owner)
    assert sorted(listed_names(client.get(reverse("admin:ledger_customer_changelist"), query))) == names


def test_the_customer_list_runs_as_many_queries_for_many_customers_as_for_few(client, owner, shop):
    def queries() -> int:
        client.get(reverse("admin:ledger_customer_changelist"))  # warm caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:ledger_customer_changelist"), {"o": "-3"}).status_code == 200
        return len(captured)

    client.force_login(owner)
    for index in range(3):
        credit_opening_balance(customer=factories.CustomerFactory(), amount=str(100 + index), user=owner)
    few = queries()
    for index in range(30):
        customer = factories.CustomerFactory()
        credit_opening_balance(customer=customer, amount=str(100 + index), user=owner, day=back(index * 5))
        post_credit(customer=customer, kind="sale", amount=D("10"), user=owner)
    assert queries() == few


# --- the customer page ------------------------------------------------------------------------------------------


def test_a_manager_sees_the_khata_with_running_balance_and_every_button(client, manager, owner, ravi,
                                                                          sell_on_credit):
    credit_opening_balance(customer=ravi, amount="1000", user=owner, day=back(40))
    sell_on_credit(ravi, "250")
    credit_payment_receive(customer=ravi, amount="400", method="upi", reference=UTR, user=owner)
    client.force_login(manager)
    response = client.get(change_url(ravi))
    page = response.content.decode()
    lines = response.context["khata"]["lines"]
    assert [(line.entry.kind, line.balance) for line in lines] == [
        ("opening", D("1000")), ("sale", D("1250")), ("payment", D("850"))]
    assert 'id="khata-balance">₹850.00' in page
    for name in ("statement", "adjust", "opening_balance"):
        assert reverse(f"admin:ledger_customer_{name}", args=[ravi.pk]) in page
    assert f"{reverse(RECEIVE)}?customer={ravi.pk}" in page
    assert reverse("admin:ledger_creditentry_reverse", args=[lines[2].entry.pk]) in page
    assert reverse("admin:ledger_creditentry_receipt", args=[lines[2].entry.pk]) in page


def test_a_cashier_sees_the_balance_and_receive_button_but_no_entries_or_corrections(client, cashier, owner, ravi):
    credit_opening_balance(customer=ravi, amount="1000", user=owner)
    client.force_login(cashier)
    response = client.get(change_url(ravi))
    page = response.content.decode()
    assert 'id="khata-balance">₹1,000.00' in page
    assert f"{reverse(RECEIVE)}?customer={ravi.pk}" in page
    assert response.context["khata"]["lines"] is None and 'id="khata-entries"' not in page
    for name in ("statement", "adjust", "opening_balance"):
        assert reverse(f"admin:ledger_customer_{name}", args=[ravi.pk]) not in page


def test_a_customer_page_shows_the_last_fifty_entries_and_points_to_the_statement(client, owner, ravi):
    credit_opening_balance(customer=ravi, amount="10000", user=owner)
    for _ in range(55):
        credit_adjust(customer=ravi, amount="1", reason="test", user=owner)
    client.force_login(owner)
    response = client.get(change_url(ravi))
    lines = response.context["khata"]["lines"]
    assert len(lines) == 50 and lines[-1].balance == D("10055")
    assert response.context["khata"]["more"]


# --- receiving a repayment --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["9876500001", "+91 98765 00001", "098765-00001", "Ravi", "ravi kumar"])
def test_a_cashier_finds_the_customer_by_phone_or_name(client, cashier, owner, ravi, typed):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    client.force_login(cashier)
    response = client.get(reverse(RECEIVE), {"q": typed})
    assert response.context["customer"] == ravi
    assert 'id="repayment-form"' in response.content.decode()


def test_an_unknown_phone_says_so(client, cashier, ravi):
    client.force_login(cashier)
    page = client.get(reverse(RECEIVE), {"q": "9000000000"}).content.decode()
    assert 'id="no-match"' in page


def test_two_customers_with_one_name_are_listed_to_choose(client, cashier, shop):
    factories.CustomerFactory(name="Asha Patil")
    factories.CustomerFactory(name="Asha Rao")
    client.force_login(cashier)
    response = client.get(reverse(RECEIVE), {"q": "asha"})
    assert response.context["customer"] is None and len(response.context["matches"]) == 2


def test_the_page_shows_a_upi_qr_for_exactly_what_is_owed(client, cashier, owner, ravi):
    credit_opening_balance(customer=ravi, amount="1234.50", user=owner)
    client.force_login(cashier)
    response = client.get(reverse(RECEIVE), {"customer": ravi.pk})
    link = response.context["upi_link"]
    assert parse_qs(urlparse(link).query)["am"] == ["1234.50"]
    assert "<svg" in response.content.decode()


def test_a_cashier_records_a_part_payment_and_gets_its_receipt(client, cashier, owner, ravi):
    credit_opening_balance(customer=ravi, amount="1000", user=owner)
    client.force_login(cashier)
    response = client.post(reverse(RECEIVE), {"customer": ravi.pk, "amount": "300", "method": "upi",
                                              "reference": UTR, "note": "by GPay"})
    entry = CreditEntry.objects.get(kind="payment")
    assert response.status_code == 302 and response["Location"].endswith(f"?recorded={entry.pk}")
    assert customer_balance(ravi) == D("700")
    assert DayBookEntry.objects.get().amount == D("300")
    page = client.get(response["Location"]).content.decode()
    assert "Balance now ₹700.00" in page
    receipt = client.get(reverse("admin:ledger_creditentry_receipt", args=[entry.pk]))
    assert receipt["Content-Type"] == "application/pdf"
    text = pdfium_text(receipt.content)
    assert "PAYMENT RECEIPT" in text and "₹300.00" in text and UTR in text and "₹700.00" in text


def test_a_cashier_cannot_open_another_cashiers_receipt_or_an_old_one(client, cashier, owner, ravi):
    credit_opening_balance(customer=ravi, amount="1000", user=owner)
    by_owner = credit_payment_receive(customer=ravi, amount="10", method="cash", user=owner)
    old = credit_payment_receive(customer=ravi, amount="10", method="cash", user=owner, day=back(20))
    client.force_login(cashier)
    for entry in (by_owner, old):
        assert client.get(reverse("admin:ledger_creditentry_receipt", args=[entry.pk])).status_code == 403
        page = client.get(reverse(RECEIVE), {"recorded": entry.pk}).content.decode()
        assert 'id="payment-recorded"' not in page
    client.force_login(owner)
    assert client.get(reverse("admin:ledger_creditentry_receipt", args=[old.pk])).status_code == 200


def test_a_receipt_is_only_for_repayments(client, owner, ravi):
    opening = credit_opening_balance(customer=ravi, amount="1000", user=owner)
    client.force_login(owner)
    assert client.get(reverse("admin:ledger_creditentry_receipt", args=[opening.pk])).status_code == 404


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"amount": "", "method": "cash"}, "amount", "required"),
    ({"amount": "abc", "method": "cash"}, "amount", "must be a number"),
    ({"amount": "-5", "method": "cash"}, "amount", "more than zero"),
    ({"amount": "0.001", "method": "cash"}, "amount", "two decimals"),
    ({"amount": "1" + "0" * 15, "method": "cash"}, "amount", "too large"),
    ({"amount": "5000", "method": "cash"}, "amount", "at most"),
    ({"amount": "10", "method": "credit"}, "method", "valid choice"),
    ({"amount": "10", "method": "upi", "reference": "12345"}, "reference", "12-digit"),
    ({"amount": "10", "method": "cash", "note": "x" * 300}, "note", "at most 255"),
])
def test_bad_repayments_come_back_as_form_errors_and_change_nothing(client, cashier, owner, ravi, data, field,
                                                                    message):
    credit_opening_balance(customer=ravi, amount="1000", user=owner)
    client.force_login(cashier)
    response = client.post(reverse(RECEIVE), {"customer": ravi.pk, **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not CreditEntry.objects.filter(kind="payment").exists()


@pytest.mark.parametrize("customer", ["", "abc", "999999", "-1", "1e3"])
def test_a_repayment_for_no_known_customer_is_a_form_error(client, cashier, ravi, customer):
    client.force_login(cashier)
    response = client.post(reverse(RECEIVE), {"customer": customer, "amount": "10", "method": "cash"})
    assert response.status_code == 200 and response.context["form"].errors
    assert not CreditEntry.objects.exists()


junk = st.one_of(st.text(max_size=40), st.integers().map(str), st.floats(allow_nan=True).map(str))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(
    ("customer", "amount", "method", "reference", "note", "q", "recorded"), junk)))
def test_any_repayment_post_is_answered_without_a_server_error(client, cashier, ravi, data):
    client.force_login(cashier)
    response = client.post(reverse(RECEIVE), data)
    assert response.status_code in (200, 302)
    response = client.get(reverse(RECEIVE), {k: v.replace("\x00", "") for k, v in data.items()})
    assert response.status_code == 200


# --- the statement ----------------------------------------------------------------------------------------------


@pytest.fixture
def hindi(shop, owner, sell_on_credit):
    customer = factories.CustomerFactory(name="रमेश कुमार", phone="9876500009", email="ramesh@example.com")
    credit_opening_balance(customer=customer, amount="1000", user=owner, day=back(100))
    sell_on_credit(customer, "250")
    credit_payment_receive(customer=customer, amount="400.50", method="cash", user=owner, day=back(1))
    return customer


def test_the_statement_page_shows_opening_entries_and_closing(client, owner, hindi):
    client.force_login(owner)
    response = client.get(reverse("admin:ledger_customer_statement", args=[hindi.pk]),
                          {"start": back(30).isoformat(), "end": TODAY().isoformat()})
    statement = response.context["statement"]
    assert (statement.opening, statement.closing) == (D("1000"), D("849.50"))
    page = response.content.decode()
    assert "रमेश कुमार" in page and 'id="closing-balance">₹849.50' in page


def test_the_statement_links_to_whatsapp_with_the_balance_and_to_upi_for_exactly_that(client, owner, hindi):
    client.force_login(owner)
    response = client.get(reverse("admin:ledger_customer_statement", args=[hindi.pk]))
    whatsapp = response.context["whatsapp_url"]
    assert whatsapp.startswith("https://wa.me/919876500009?text=")
    text = unquote(whatsapp)
    assert "₹849.50" in text and "upi://pay?" in text and "am=849.50" in text
    assert parse_qs(urlparse(response.context["upi_link"]).query)["am"] == ["849.50"]


def test_the_statement_pdf_prints_the_hindi_name_and_rupee_amounts(client, owner, hindi):
    client.force_login(owner)
    response = client.get(reverse("admin:ledger_customer_statement_pdf", args=[hindi.pk]),
                          {"start": back(200).isoformat()})
    assert response["Content-Type"] == "application/pdf"
    text = pdfium_text(response.content)
    assert "रमेशकुमार" in text.replace(" ", "")  # PDFium puts a space before a detached vowel sign
    assert "STATEMENT OF ACCOUNT" in text and "₹849.50" in text and "₹1,000.00" in text and "Scan to pay" in text


@pytest.mark.parametrize("query", [
    {"start": "2026-02-30"}, {"start": "garbage", "end": "also"}, {"end": "99999-01-01"}, {"start": "0001-01-01"},
    {"start": "1999-12-31"}, {"end": "2100-01-01"}, {"start": "\x00"},
])
def test_bad_statement_dates_are_form_errors_not_server_errors(client, owner, hindi, query):
    client.force_login(owner)
    for name in ("statement", "statement_pdf", "statement_email"):
        response = client.get(reverse(f"admin:ledger_customer_{name}", args=[hindi.pk]), query)
        assert response.status_code == 200, name
    response = client.get(reverse("admin:ledger_customer_statement", args=[hindi.pk]), query)
    assert response.context["period_form"].errors


def test_the_statement_is_emailed_through_the_outbox_with_its_pdf(client, owner, hindi, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    client.force_login(owner)
    url = reverse("admin:ledger_customer_statement_email", args=[hindi.pk])
    assert client.get(url).context["form"].initial["to"] == "ramesh@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": "ramesh@example.com", "start": back(30).isoformat(),
                                     "end": TODAY().isoformat()})
    assert response.status_code == 302
    email = OutboundEmail.objects.get()
    assert email.to == "ramesh@example.com" and "₹849.50" in email.subject
    attachment = email.attachments.get()
    assert attachment.mimetype == "application/pdf"
    assert "₹849.50" in pdfium_text(bytes(attachment.content))
    assert len(mailoutbox) == 1 and "₹849.50" in mailoutbox[0].body  # sent by the (inline) worker


@pytest.mark.parametrize("to", ["", "not-an-address", "a@b"])
def test_a_bad_email_address_is_a_form_error(client, owner, hindi, to):
    client.force_login(owner)
    response = client.post(reverse("admin:ledger_customer_statement_email", args=[hindi.pk]),
                           {"to": to, "start": back(30).isoformat(), "end": TODAY().isoformat()})
    assert response.status_code == 200 and response.context["form"].errors["to"]
    assert not OutboundEmail.objects.exists()


# --- adjustments, opening balances and reversals ----------------------------------------------------------------


def test_a_manager_adjusts_a_khata_with_a_reason(client, manager, ravi, owner):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    client.force_login(manager)
    response = client.post(reverse("admin:ledger_customer_adjust", args=[ravi.pk]),
                           {"amount": "-50", "reason": "Diwali discount"})
    assert response.status_code == 302 and response["Location"] == change_url(ravi)
    assert customer_balance(ravi) == D("450")


@pytest.mark.parametrize(("data", "field"), [
    ({"amount": "-600", "reason": "write off"}, "amount"), ({"amount": "0", "reason": "x"}, "amount"),
    ({"amount": "10", "reason": ""}, "reason"), ({"amount": "ten", "reason": "x"}, "amount"),
])
def test_bad_adjustments_are_form_errors(client, manager, ravi, owner, data, field):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    client.force_login(manager)
    response = client.post(reverse("admin:ledger_customer_adjust", args=[ravi.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert customer_balance(ravi) == D("500")


def test_an_owner_records_an_opening_balance_owed_since_a_day(client, owner, ravi):
    client.force_login(owner)
    response = client.post(reverse("admin:ledger_customer_opening_balance", args=[ravi.pk]),
                           {"amount": "2,500", "day": back(75).isoformat(), "note": "from the paper khata"})
    assert response.status_code == 302
    entry = CreditEntry.objects.get(kind="opening")
    assert (entry.amount, timezone.localdate(entry.created_at)) == (D("2500"), back(75))


@pytest.mark.parametrize("data", [{"amount": "100", "day": back(-1).isoformat()}, {"amount": "100", "day": "x"},
                                  {"amount": "", "day": ""}, {"amount": "100", "day": "1900-01-01"}])
def test_bad_opening_balances_are_form_errors(client, owner, ravi, data):
    client.force_login(owner)
    response = client.post(reverse("admin:ledger_customer_opening_balance", args=[ravi.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert not CreditEntry.objects.exists()


def test_a_manager_reverses_a_repayment_from_its_link(client, manager, owner, ravi):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=owner)
    client.force_login(manager)
    url = reverse("admin:ledger_creditentry_reverse", args=[payment.pk])
    assert client.post(url, {"reason": ""}).context["form"].errors["reason"]
    response = client.post(url, {"reason": "counted twice"})
    assert response.status_code == 302
    assert customer_balance(ravi) == D("500")
    again = client.post(url, {"reason": "again"})
    assert "already reversed" in str(again.context["form"].non_field_errors())


def test_a_credit_sale_cannot_be_reversed_here(client, manager, ravi, sell_on_credit):
    sell_on_credit(ravi, "100")
    client.force_login(manager)
    sale = CreditEntry.objects.get(kind="sale")
    response = client.post(reverse("admin:ledger_creditentry_reverse", args=[sale.pk]), {"reason": "mistake"})
    assert "cancel its invoice" in str(response.context["form"].non_field_errors())


@pytest.mark.parametrize("name", ["statement", "statement_pdf", "statement_email", "adjust", "opening_balance"])
def test_khata_pages_of_a_missing_customer_answer_404(client, owner, shop, name):
    client.force_login(owner)
    assert client.get(reverse(f"admin:ledger_customer_{name}", args=[987654])).status_code == 404


@pytest.mark.parametrize(("name", "method"), [("adjust", "post"), ("opening_balance", "post"),
                                              ("statement", "get"), ("statement_email", "post")])
def test_a_cashier_is_refused_the_owner_and_manager_pages(client, cashier, owner, ravi, name, method):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    client.force_login(cashier)
    response = getattr(client, method)(reverse(f"admin:ledger_customer_{name}", args=[ravi.pk]),
                                       {"amount": "-500", "reason": "x", "to": "a@example.com"})
    assert response.status_code == 403
    assert customer_balance(ravi) == D("500") and not OutboundEmail.objects.exists()


def test_a_cashier_cannot_reverse_an_entry(client, cashier, owner, ravi):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=cashier)
    client.force_login(cashier)
    response = client.post(reverse("admin:ledger_creditentry_reverse", args=[payment.pk]), {"reason": "oops"})
    assert response.status_code == 403 and customer_balance(ravi) == D("300")


# --- where a cashier reaches it ---------------------------------------------------------------------------------


def test_the_counter_and_the_sidebar_link_to_the_repayment_page(client, cashier, manager, shop):
    client.force_login(cashier)
    counter = client.get(reverse("admin:sales_counter")).content.decode()
    assert f'href="{reverse(RECEIVE)}"' in counter
    home = client.get(reverse("admin:index")).content.decode()
    assert reverse(RECEIVE) in home
    assert reverse("admin:ledger_creditentry_changelist") not in home
    client.force_login(manager)
    assert reverse("admin:ledger_creditentry_changelist") in client.get(reverse("admin:index")).content.decode()


def test_the_khata_entry_list_shows_reversals(client, owner, ravi):
    credit_opening_balance(customer=ravi, amount="500", user=owner)
    payment = credit_payment_receive(customer=ravi, amount="200", method="cash", user=owner)
    from ledger.services import credit_entry_reverse

    reversal = credit_entry_reverse(entry=payment, user=owner, reason="typo")
    client.force_login(owner)
    page = client.get(reverse("admin:ledger_creditentry_changelist")).content.decode()
    assert f"by #{reversal.pk}" in page and re.search(r"Payment received \(Cash\)", page)


def test_back_dated_sales_show_in_the_ageing_of_the_page(client, owner, ravi):
    post_credit(customer=ravi, kind="sale", amount=D("700"), user=owner, created_at=day_start(back(65)))
    client.force_login(owner)
    response = client.get(change_url(ravi))
    assert response.context["khata"]["ageing"].days_61_90 == D("700")
    assert "61–90 days: ₹700.00" in response.content.decode()
