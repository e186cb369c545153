"""The Returns screen and the credit note pages in the admin."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Stock
from sales.models import CreditNote
from sales.services import checkout, invoice_cancel, return_create
from shop.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal
LOCKED_OUT = "Too many failed sign-ins for this account or address"


@pytest.fixture
def sale(shop, stocked, cashier):
    """Cashier's bill: 3 packets of biscuits at ₹100 and 2 soaps at ₹40, for a customer, in cash."""
    customer = factories.CustomerFactory(name="Asha Patil", phone="9812345678")
    biscuits, soap = stocked(name="Parle-G", selling_price=D("100")), stocked(name="Lux soap", selling_price=D("40"))
    return checkout(cashier=cashier, customer=customer,
                    lines=[{"product": biscuits, "quantity": D("3")}, {"product": soap, "quantity": D("2")}],
                    payments=[{"method": "cash", "amount": D("400")}])


def form_data(invoice, quantities, **fields) -> dict:
    biscuits, soap = invoice.lines.all()
    data = {"refund_method": "cash", "idempotency_key": "return-form-1", "reason": "", "refund_reference": "",
            "approver_username": "", "approver_password": "",
            f"qty_{biscuits.pk}": quantities[0], f"disposal_{biscuits.pk}": "restock",
            f"qty_{soap.pk}": quantities[1], f"disposal_{soap.pk}": "restock"}
    return {**data, **fields}


def post_return(client, invoice, quantities, **fields):
    return client.post(reverse("admin:sales_return_invoice", args=[invoice.pk]),
                       form_data(invoice, quantities, **fields), REMOTE_ADDR="10.0.0.9")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_scanning_the_receipts_barcode_opens_the_bill(client, sale, cashier):
    client.force_login(cashier)
    response = client.get(reverse("admin:sales_returns"), {"q": sale.number.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sales_return_invoice", args=[sale.pk])


def test_the_customers_phone_lists_their_bills(client, sale, cashier):
    client.force_login(cashier)
    response = client.get(reverse("admin:sales_returns"), {"q": "+91 98123 45678"})
    assert response.status_code == 200
    assert sale.number in text_of(response)
    assert reverse("admin:sales_return_invoice", args=[sale.pk]) in response.content.decode()


def test_another_cashiers_bill_is_not_found_and_the_screen_says_why(client, sale):
    client.force_login(factories.UserFactory(username="cashier2", role="Cashier"))
    response = client.get(reverse("admin:sales_returns"), {"q": sale.number})
    assert response.status_code == 200
    assert f"Invoice {sale.number} is not one of your bills" in text_of(response)
    assert client.get(reverse("admin:sales_return_invoice", args=[sale.pk])).status_code == 403


def test_a_cancelled_bill_is_not_found_for_returns(client, sale, manager):
    invoice_cancel(invoice=sale, user=manager, reason="wrong bill")
    client.force_login(manager)
    response = client.get(reverse("admin:sales_returns"), {"q": sale.number})
    assert f"Invoice {sale.number} is cancelled" in text_of(response)


def test_the_form_shows_each_line_and_what_can_still_come_back(client, sale, cashier):
    return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}], refund_method="cash",
                  user=cashier)
    client.force_login(cashier)
    response = client.get(reverse("admin:sales_return_invoice", args=[sale.pk]))
    text = text_of(response)
    assert response.status_code == 200
    assert "Parle-G 3 pcs 1 ₹100.00" in text and "up to 2" in text
    assert "Lux soap 2 pcs 0 ₹40.00" in text
    assert "To the khata" in text and "Store credit" in text  # the bill has a customer


def test_a_walk_in_bill_is_refunded_in_cash_or_upi_only(client, shop, stocked, cashier):
    walk_in = checkout(cashier=cashier, lines=[{"product": stocked(), "quantity": D("1")}],
                       payments=[{"method": "cash", "amount": D("100")}])
    client.force_login(cashier)
    text = text_of(client.get(reverse("admin:sales_return_invoice", args=[walk_in.pk])))
    assert "Cash UPI" in text and "To the khata" not in text and "Store credit" not in text


def test_posting_the_form_makes_the_credit_note_and_opens_it(client, sale, cashier):
    client.force_login(cashier)
    response = post_return(client, sale, ["1", "2"], reason="Not needed")
    note = CreditNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sales_creditnote_change", args=[note.pk])
    assert (note.grand_total, note.reason, note.created_by) == (D("180"), "Not needed", cashier)
    page = client.get(response["Location"])
    assert f"Credit note {note.number}: ₹180.00 back to the customer (₹180.00 in cash)" in text_of(page)
    assert "Parle-G" in text_of(page) and "back in stock" in text_of(page)


def test_goods_marked_damaged_are_written_off(client, sale, cashier):
    client.force_login(cashier)
    soap = sale.lines.last()
    post_return(client, sale, ["0", "1"], **{f"disposal_{soap.pk}": "damage"})
    assert Stock.objects.get(product=soap.product).quantity == 98  # sold 2, one back and written off
    assert CreditNote.objects.get().lines.get().write_off_reason == "damage"


def test_too_many_back_is_shown_on_the_line_and_nothing_changes(client, sale, cashier):
    client.force_login(cashier)
    response = post_return(client, sale, ["4", "0"])
    assert response.status_code == 200
    assert "Only 3 pcs of Parle-G can come back: 3 pcs were sold." in text_of(response)
    assert not CreditNote.objects.exists()


def test_an_empty_return_asks_for_a_quantity(client, sale, cashier):
    client.force_login(cashier)
    response = post_return(client, sale, ["", "0"])
    assert "Type the quantity coming back on at least one line." in text_of(response)


def test_a_double_submission_makes_one_credit_note(client, sale, cashier):
    client.force_login(cashier)
    first, second = post_return(client, sale, ["1", "0"]), post_return(client, sale, ["1", "0"])
    assert first["Location"] == second["Location"]
    assert CreditNote.objects.count() == 1


def test_above_the_limit_a_manager_types_their_password(client, sale, cashier, manager, shop):
    shop.cashier_return_limit = D("150")
    shop.save()
    client.force_login(cashier)
    refused = post_return(client, sale, ["2", "0"])
    assert "a manager must approve it" in text_of(refused) and 'returns-approval is-needed' in refused.content.decode()
    wrong = post_return(client, sale, ["2", "0"], approver_username="manager", approver_password="wrong-guess")
    assert "That manager name and password do not match." in text_of(wrong)
    approved = post_return(client, sale, ["2", "0"], approver_username="manager",
                           approver_password=factories.PASSWORD)
    assert approved.status_code == 302
    assert CreditNote.objects.get().approved_by == manager


def test_wrong_approval_passwords_lock_the_manager_out_like_the_login(client, sale, cashier, manager, shop):
    shop.cashier_return_limit = D("0")
    shop.save()
    client.force_login(cashier)
    for _attempt in range(5):
        response = post_return(client, sale, ["1", "0"], approver_username="manager", approver_password="guess")
    assert LOCKED_OUT in text_of(response)
    right = post_return(client, sale, ["1", "0"], approver_username="manager", approver_password=factories.PASSWORD)
    assert LOCKED_OUT in text_of(right) and not CreditNote.objects.exists()


def test_a_upi_refund_without_its_utr_is_refused_on_that_field(client, sale, cashier):
    client.force_login(cashier)
    response = post_return(client, sale, ["1", "0"], refund_method="upi", refund_reference="123")
    assert "A UPI transaction number (UTR) has 12 digits" in text_of(response)
    assert not CreditNote.objects.exists()


def test_the_invoice_page_offers_return_items_and_lists_its_credit_notes(client, sale, cashier):
    note = return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}],
                         refund_method="cash", user=cashier)
    client.force_login(cashier)
    page = client.get(reverse("admin:sales_invoice_change", args=[sale.pk])).content.decode()
    assert reverse("admin:sales_invoice_return_items", args=[sale.pk]) in page
    assert note.number in page and reverse("admin:sales_creditnote_change", args=[note.pk]) in page
    action = client.get(reverse("admin:sales_invoice_return_items", args=[sale.pk]))
    assert action["Location"] == reverse("admin:sales_return_invoice", args=[sale.pk])


def test_a_cancelled_invoice_offers_no_return(client, sale, manager):
    invoice_cancel(invoice=sale, user=manager, reason="wrong bill")
    client.force_login(manager)
    page = client.get(reverse("admin:sales_invoice_change", args=[sale.pk])).content.decode()
    assert reverse("admin:sales_invoice_return_items", args=[sale.pk]) not in page


def test_the_counter_links_to_the_returns_screen(client, shop, cashier):
    client.force_login(cashier)
    assert reverse("admin:sales_returns") in client.get(reverse("admin:sales_counter")).content.decode()


def test_a_cashier_lists_only_their_own_credit_notes(client, sale, cashier, manager):
    mine = return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}],
                         refund_method="cash", user=cashier)
    managers = return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}],
                             refund_method="cash", user=manager)
    client.force_login(cashier)
    listing = client.get(reverse("admin:sales_creditnote_changelist")).content.decode()
    assert mine.number in listing and managers.number not in listing
    client.force_login(manager)
    listing = client.get(reverse("admin:sales_creditnote_changelist")).content.decode()
    assert mine.number in listing and managers.number in listing


def test_the_credit_note_prints_and_emails(client, sale, cashier, django_capture_on_commit_callbacks):
    note = return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}],
                         refund_method="cash", user=cashier)
    client.force_login(cashier)
    for name, suffix in (("admin:sales_creditnote_pdf", ""), ("admin:sales_creditnote_receipt", "-receipt")):
        response = client.get(reverse(name, args=[note.pk]))
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        assert f'filename="{note.number.replace("/", "-")}{suffix}.pdf"' in response["Content-Disposition"]
    sent = client.post(reverse("admin:sales_creditnote_email", args=[note.pk]), {"to": "asha@example.com"})
    assert sent.status_code == 302
    assert OutboundEmail.objects.get(reference=note.number).to == "asha@example.com"
    bad = client.post(reverse("admin:sales_creditnote_email", args=[note.pk]), {"to": "not an address"})
    assert bad.status_code == 200 and OutboundEmail.objects.count() == 1


def test_an_invoice_with_returns_offers_no_cancel_and_its_cancel_page_says_use_a_return(client, sale, cashier,
                                                                                         manager):
    client.force_login(manager)
    cancel_url = reverse("admin:sales_invoice_cancel_invoice", args=[sale.pk])
    assert cancel_url in client.get(reverse("admin:sales_invoice_change", args=[sale.pk])).content.decode()
    return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}], refund_method="cash",
                  user=cashier)
    page = client.get(reverse("admin:sales_invoice_change", args=[sale.pk])).content.decode()
    assert cancel_url not in page
    assert reverse("admin:sales_invoice_cancel", args=[sale.pk]) not in page
    form = client.get(reverse("admin:sales_invoice_cancel", args=[sale.pk]), follow=True)
    assert "take the remaining goods back as a return instead" in text_of(form)
    assert 'name="reason"' not in form.content.decode()


def test_cancelling_an_invoice_with_returns_is_refused_with_a_message_and_changes_nothing(client, sale, cashier,
                                                                                          manager):
    note = return_create(invoice=sale, lines=[{"line": sale.lines.first(), "quantity": D("1")}],
                         refund_method="cash", user=cashier)
    client.force_login(manager)
    response = client.post(reverse("admin:sales_invoice_cancel", args=[sale.pk]), {"reason": "Wrong bill"},
                           follow=True)
    assert f"has returns ({note.number}), so it cannot be cancelled" in text_of(response)
    sale.refresh_from_db()
    assert sale.status == "completed"
