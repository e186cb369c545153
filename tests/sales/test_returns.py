"""Returns: goods of an invoice taken back as a GST credit note (sales.services.return_create)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog.models import Stock, StockMovement
from ledger.models import CreditEntry, DayBookEntry, StoreCreditEntry
from ledger.posting import customer_balance, store_credit_balance
from sales.models import CreditNote, Invoice
from sales.services import (
    allocate_credit_note_number,
    allocate_invoice_number,
    checkout,
    financial_year,
    invoice_cancel,
    return_create,
    returnable_quantities,
)
from shop.models import OutboundEmail
from tests import factories
from tests.sales.selling import exact_cash

pytestmark = pytest.mark.django_db
D = Decimal


def sell(cashier, *lines, payments=None, **options) -> Invoice:
    """Sell (product, quantity[, discount]) lines, paid in cash unless payments say otherwise."""
    cart = [{"product": p, "quantity": D(q), "discount": D(d[0] if d else 0)} for p, q, *d in lines]
    if payments is None:
        payments = [exact_cash(cart, customer=options.get("customer"), bill_discount=options.get("bill_discount", 0))]
    return checkout(cashier=cashier, lines=cart, payments=payments, **options)


def give_back(invoice, *quantities, user=None, refund_method="cash", **options) -> CreditNote:
    """Return quantities of the invoice's lines in order (0 skips a line)."""
    lines = [{"line": line, "quantity": D(q)} for line, q in zip(invoice.lines.all(), quantities, strict=False)
             if D(q)]
    return return_create(invoice=invoice, lines=lines, refund_method=refund_method,
                         user=user or invoice.cashier, **options)


def on_hand(product) -> Decimal:
    return Stock.objects.get(product=product).quantity


def errors_of(refusal) -> dict:
    return refusal.value.message_dict


def codes_of(refusal) -> set:
    return {e.code for errors in refusal.value.error_dict.values() for e in errors}


def this_year() -> str:
    return financial_year(timezone.localdate(), 4)


def test_a_return_puts_goods_back_and_pays_cash_out_of_the_day_book(shop, stocked, cashier):
    biscuits = stocked(name="Parle-G 800 g", selling_price=D("100"))
    invoice = sell(cashier, (biscuits, "5"))
    note = give_back(invoice, "2", reason="Customer bought too many")
    assert note.number == f"SKSC/{this_year()}/00001" and len(note.number) <= 16
    assert (note.invoice, note.created_by, note.refund_method) == (invoice, cashier, "cash")
    # the line: ₹500 incl. 18% = 423.72 + 38.14 + 38.14; two fifths: 15.26 each way, 169.48 taxable
    assert (note.taxable_total, note.cgst_total, note.sgst_total, note.grand_total) == (
        D("169.48"), D("15.26"), D("15.26"), D("200"))
    assert on_hand(biscuits) == 97
    movement = StockMovement.objects.get(kind="return", reference=note.number)
    assert (movement.quantity, movement.note) == (2, "Customer bought too many")
    assert [(e.kind, e.method, e.amount) for e in DayBookEntry.objects.filter(reference=note.number)] == [
        ("refund", "cash", D("-200"))]
    assert (note.refund_amount, note.khata_amount) == (D("200"), 0)


def test_returned_amounts_are_the_lines_own_in_proportion(shop, stocked, cashier):
    biscuits = stocked(selling_price=D("100"))
    invoice = sell(cashier, (biscuits, "5"))
    line = invoice.lines.get()
    note_line = give_back(invoice, "2").lines.get()
    assert (note_line.invoice_line, note_line.quantity, note_line.unit_price, note_line.tax_rate) == (
        line, 2, line.unit_price, line.tax_rate)
    assert note_line.line_total == D("200.00")
    assert note_line.cgst == note_line.sgst == (line.cgst * 2 / 5).quantize(D("0.01"))
    assert note_line.taxable_value + note_line.cgst + note_line.sgst == note_line.line_total


def test_returning_a_discounted_line_refunds_the_discounted_price(shop, stocked, cashier):
    # 2 × ₹100 less ₹20 on the line and a ₹10 bill discount: the customer paid ₹170, ₹85 each.
    shirt = stocked(name="Cotton shirt", selling_price=D("100"))
    invoice = sell(cashier, (shirt, "2", "20"), bill_discount=D("10"), approved_by=factories.manager())
    assert invoice.grand_total == D("170")
    first = give_back(invoice, "1")
    line = first.lines.get()
    assert (line.unit_price, line.discount, line.line_total) == (D("100"), D("15.00"), D("85.00"))
    assert line.unit_price * line.quantity - line.discount == line.line_total
    assert first.grand_total == D("85")
    second = give_back(invoice, "1")
    assert second.grand_total == D("85") and second.lines.get().line_total == D("85.00")


def test_a_line_carries_its_share_of_the_bill_discount(shop, stocked, cashier):
    # A ₹30 bill discount over ₹200 and ₹100 lines: the ₹100 line's share is ₹10, so one of its two units is ₹45.
    rice, salt = stocked(selling_price=D("100")), stocked(selling_price=D("50"), tax_rate=factories.tax_rate("0"))
    invoice = sell(cashier, (rice, "2"), (salt, "2"), bill_discount=D("30"), approved_by=factories.manager())
    note = give_back(invoice, "0", "1")
    line = note.lines.get()
    assert (line.discount, line.line_total, line.taxable_value) == (D("5.00"), D("45.00"), D("45.00"))


@pytest.mark.parametrize("inter_state", [False, True])
def test_a_full_return_in_parts_reverses_the_invoice_to_the_paisa(shop, stocked, cashier, inter_state):
    customer = factories.CustomerFactory(state="29" if inter_state else "")
    kg = factories.unit("kg")
    products = [stocked(selling_price=D("33.33"), tax_rate=factories.tax_rate("5")),
                stocked(selling_price=D("99.99"), tax_rate=factories.tax_rate("18")),
                stocked(selling_price=D("1234.57"), tax_rate=factories.tax_rate("40"), tax_inclusive=False),
                stocked(selling_price=D("76.50"), tax_rate=factories.tax_rate("0"), unit=kg)]
    invoice = sell(cashier, (products[0], "7", "3.10"), (products[1], "3"), (products[2], "2", "17"),
                   (products[3], "2.375"), customer=customer, bill_discount=D("41.27"),
                   approved_by=factories.manager())
    manager = factories.manager()
    notes = [give_back(invoice, "2", "1", "0", "0.5", user=manager),
             give_back(invoice, "3", "0", "1", "1.125", user=manager),
             give_back(invoice, "2", "2", "1", "0.75", user=manager)]
    assert all(returnable_quantities(invoice)[line.pk] == 0 for line in invoice.lines.all())
    for total in ("gross_total", "discount_total", "taxable_total", "cgst_total", "sgst_total", "igst_total",
                  "cess_total", "round_off", "grand_total"):
        assert sum(getattr(note, total) for note in notes) == getattr(invoice, total), total
    for line in invoice.lines.all():
        for amount in ("discount", "taxable_value", "cgst", "sgst", "igst", "cess", "line_total"):
            assert sum(getattr(c, amount) for c in line.credit_lines.all()) == getattr(line, amount), amount
    assert (invoice.igst_total > 0) is inter_state


def test_returning_everything_at_once_refunds_the_whole_bill(shop, stocked, cashier):
    products = [stocked(selling_price=D("10.49")), stocked(selling_price=D("3.37"), tax_rate=factories.tax_rate("5"))]
    invoice = sell(cashier, (products[0], "3"), (products[1], "1"))
    assert invoice.round_off != 0
    note = give_back(invoice, "3", "1")
    assert (note.grand_total, note.round_off, note.taxable_total) == (
        invoice.grand_total, invoice.round_off, invoice.taxable_total)


def test_partial_returns_of_a_rounded_bill_are_whole_rupees(shop, stocked, cashier):
    oil = stocked(selling_price=D("10.40"))
    invoice = sell(cashier, (oil, "3"))  # ₹31.20, rounded to ₹31
    notes = [give_back(invoice, "1"), give_back(invoice, "1"), give_back(invoice, "1")]
    assert [n.grand_total for n in notes] == [D("10"), D("11"), D("10")]
    assert sum(n.grand_total for n in notes) == invoice.grand_total == D("31")


def test_more_than_was_sold_cannot_come_back(shop, stocked, cashier):
    soap = stocked(name="Lux soap", selling_price=D("40"))
    invoice = sell(cashier, (soap, "5"))
    give_back(invoice, "3")
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "3")
    line = invoice.lines.get()
    assert errors_of(refusal) == {f"line-{line.pk}": [
        "Only 2 pcs of Lux soap can come back: 5 pcs were sold, 3 came back already."]}
    assert codes_of(refusal) == {"over_return"}
    assert CreditNote.objects.count() == 1 and on_hand(soap) == 98


@pytest.mark.parametrize(("quantity", "message"), [
    ("0", "must be more than zero"),
    ("-1", "must be more than zero"),
    ("abc", "not a number"),
    ("1.5", "whole number"),
])
def test_a_bad_quantity_is_refused_on_its_line(shop, stocked, cashier, quantity, message):
    soap = stocked(selling_price=D("40"))
    invoice = sell(cashier, (soap, "5"))
    line = invoice.lines.get()
    with pytest.raises(ValidationError) as refusal:
        return_create(invoice=invoice, lines=[{"line": line, "quantity": quantity}], refund_method="cash",
                      user=cashier)
    assert message in " ".join(errors_of(refusal)[f"line-{line.pk}"])
    assert not CreditNote.objects.exists()


def test_a_line_of_another_invoice_is_refused(shop, stocked, cashier):
    soap = stocked(selling_price=D("40"))
    first, second = sell(cashier, (soap, "1")), sell(cashier, (soap, "1"))
    line = second.lines.get()
    with pytest.raises(ValidationError) as refusal:
        return_create(invoice=first, lines=[{"line": line, "quantity": D("1")}], refund_method="cash", user=cashier)
    assert "is not on invoice" in errors_of(refusal)[f"line-{line.pk}"][0]


def test_nothing_picked_is_refused(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(), "1"))
    with pytest.raises(ValidationError) as refusal:
        return_create(invoice=invoice, lines=[], refund_method="cash", user=cashier)
    assert "lines" in errors_of(refusal)


def test_a_credit_sale_return_lowers_the_khata_and_pays_no_cash(shop, stocked, cashier):
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    dal = stocked(selling_price=D("150"))
    invoice = sell(cashier, (dal, "2"), customer=customer, payments=[{"method": "credit", "amount": D("300")}])
    assert customer_balance(customer) == D("300")
    note = give_back(invoice, "1", refund_method="cash")
    assert customer_balance(customer) == D("150")
    assert (note.khata_amount, note.refund_amount) == (D("150"), 0)
    assert not DayBookEntry.objects.filter(kind="refund").exists()
    entry = CreditEntry.objects.get(kind="return")
    assert (entry.amount, entry.reference) == (D("-150"), note.number)


def test_a_part_credit_bill_lowers_the_khata_first_then_refunds_what_was_paid(shop, stocked, cashier):
    customer = factories.CustomerFactory(credit_limit=D("1000"))
    dal = stocked(selling_price=D("100"))
    invoice = sell(cashier, (dal, "3"), customer=customer,
                   payments=[{"method": "cash", "amount": D("100")}, {"method": "credit", "amount": D("200")}])
    first = give_back(invoice, "1")
    second = give_back(invoice, "2")
    assert [(n.khata_amount, n.refund_amount) for n in (first, second)] == [(D("100"), 0), (D("100"), D("100"))]
    assert customer_balance(customer) == 0
    assert [e.amount for e in DayBookEntry.objects.filter(kind="refund")] == [D("-100")]


def test_a_cash_bill_returned_to_the_khata_leaves_the_customer_in_credit(shop, stocked, cashier):
    customer = factories.CustomerFactory()
    invoice = sell(cashier, (stocked(selling_price=D("100")), "1"), customer=customer)
    note = give_back(invoice, "1", refund_method="khata")
    assert (note.khata_amount, note.refund_amount) == (D("100"), 0)
    assert customer_balance(customer) == D("-100")
    assert not DayBookEntry.objects.filter(kind="refund").exists()


def test_store_credit_is_a_ledger_of_its_own(shop, stocked, cashier):
    customer = factories.CustomerFactory()
    invoice = sell(cashier, (stocked(selling_price=D("100")), "2"), customer=customer)
    note = give_back(invoice, "2", refund_method="store_credit")
    assert store_credit_balance(customer) == D("200") and customer_balance(customer) == 0
    entry = StoreCreditEntry.objects.get()
    assert (entry.kind, entry.amount, entry.reference, entry.created_by) == ("return", D("200"), note.number, cashier)
    assert not DayBookEntry.objects.filter(kind="refund").exists()


@pytest.mark.parametrize("method", ["store_credit", "khata"])
def test_khata_and_store_credit_need_a_customer(shop, stocked, cashier, method):
    invoice = sell(cashier, (stocked(), "1"))
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1", refund_method=method)
    assert "has no customer" in errors_of(refusal)["refund_method"][0]


def test_a_upi_refund_needs_its_transaction_number(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(selling_price=D("100")), "2"))
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1", refund_method="upi", refund_reference="12")
    assert "refund_reference" in errors_of(refusal)
    note = give_back(invoice, "1", refund_method="upi", refund_reference="4123 4567 8901")
    assert note.refund_reference == "412345678901"
    assert [(e.kind, e.method, e.amount) for e in DayBookEntry.objects.filter(kind="refund")] == [
        ("refund", "upi", D("-100"))]


def test_an_unknown_refund_method_is_refused(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(), "1"))
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1", refund_method="cheque")
    assert "refund_method" in errors_of(refusal)


def test_money_not_yet_received_is_not_refunded(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(selling_price=D("100")), "1"), payments=[{"method": "upi", "amount": D("100")}])
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1")
    assert "Awaiting UPI" in errors_of(refusal)["refund_method"][0]
    assert not CreditNote.objects.exists()


def test_goods_written_off_come_back_and_leave_again(shop, stocked, cashier):
    milk = stocked(name="Amul milk", selling_price=D("30"))
    invoice = sell(cashier, (milk, "4"))
    line = invoice.lines.get()
    note = return_create(invoice=invoice, lines=[{"line": line, "quantity": D("2"), "restock": False,
                                                   "reason": "expiry"}], refund_method="cash", user=cashier)
    assert on_hand(milk) == 96
    movements = StockMovement.objects.filter(reference=note.number).order_by("pk")
    assert [(m.kind, m.reason, m.quantity) for m in movements] == [("return", "", 2), ("adjustment", "expiry", -2)]
    assert (note.lines.get().restocked, note.lines.get().write_off_reason) == (False, "expiry")


def test_a_write_off_without_a_reason_is_damaged(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(), "1"))
    note = return_create(invoice=invoice, lines=[{"line": invoice.lines.get(), "quantity": D("1"),
                                                   "restock": False}], refund_method="cash", user=cashier)
    assert note.lines.get().write_off_reason == "damage"
    assert StockMovement.objects.get(kind="adjustment").reason == "damage"


def test_the_same_key_twice_makes_one_credit_note(shop, stocked, cashier):
    soap = stocked()
    invoice = sell(cashier, (soap, "5"))
    first = give_back(invoice, "1", idempotency_key="return-1")
    again = give_back(invoice, "1", idempotency_key="return-1")
    assert first == again and CreditNote.objects.count() == 1 and on_hand(soap) == 96
    with pytest.raises(ValidationError, match="already made as credit note"):
        give_back(invoice, "2", idempotency_key="return-1")


def test_goods_are_taken_back_only_within_the_return_window(shop, stocked, cashier):
    shop.return_window_days = 7
    shop.save()
    invoice = sell(cashier, (stocked(), "2"))
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1", user=factories.owner())
    assert "within 7 days" in errors_of(refusal)["invoice"][0]
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=timezone.now() - timedelta(days=7))
    assert give_back(invoice, "1", user=factories.owner()).grand_total == D("100")


def test_goods_of_a_category_the_shop_never_takes_back_are_refused(shop, stocked, cashier):
    medicines = factories.CategoryFactory(name="Medicines")
    syrups = factories.CategoryFactory(name="Syrups", parent=medicines)
    shop.non_returnable_categories.add(medicines)
    syrup, soap = stocked(name="Cough syrup", category=syrups), stocked(name="Soap")
    invoice = sell(cashier, (syrup, "1"), (soap, "1"))
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1", "1")
    assert errors_of(refusal) == {f"line-{invoice.lines.first().pk}": [
        "Cough syrup is in Medicines › Syrups, which the shop does not take back."]}
    assert give_back(invoice, "0", "1").lines.get().description == "Soap"


def test_a_cashier_needs_a_manager_above_the_return_limit(shop, stocked, cashier, manager):
    shop.cashier_return_limit = D("500")
    shop.save()
    invoice = sell(cashier, (stocked(selling_price=D("300")), "3"))
    give_back(invoice, "1")
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "2")
    assert codes_of(refusal) == {"return_needs_approval"}
    assert "above the cashier limit of ₹500.00" in errors_of(refusal)["approval"][0]
    with pytest.raises(ValidationError, match="may not approve returns"):
        give_back(invoice, "2", approved_by=factories.UserFactory(username="other", role="Cashier"))
    note = give_back(invoice, "2", approved_by=manager)
    assert note.approved_by == manager and note.grand_total == D("600")


def test_a_manager_returns_above_the_limit_without_approval(shop, stocked, cashier, manager):
    shop.cashier_return_limit = D("0")
    shop.save()
    invoice = sell(cashier, (stocked(selling_price=D("300")), "1"))
    assert give_back(invoice, "1", user=manager).approved_by is None


def test_only_staff_allowed_to_take_returns_may(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(), "1"))
    with pytest.raises(PermissionDenied):
        give_back(invoice, "1", user=factories.UserFactory(username="nobody"))


def test_a_cancelled_invoice_takes_no_returns(shop, stocked, cashier, manager):
    invoice = invoice_cancel(invoice=sell(cashier, (stocked(), "1")), user=manager, reason="wrong bill")
    with pytest.raises(ValidationError) as refusal:
        give_back(invoice, "1")
    assert "cancelled" in errors_of(refusal)["invoice"][0]


def test_an_invoice_with_returns_cannot_be_cancelled(shop, stocked, cashier, manager):
    soap = stocked()
    invoice = sell(cashier, (soap, "2"))
    note = give_back(invoice, "1")
    with pytest.raises(ValidationError, match=f"has returns \\({note.number}\\)"):
        invoice_cancel(invoice=invoice, user=manager, reason="mistake")
    invoice.refresh_from_db()
    assert invoice.status == "completed" and on_hand(soap) == 99


def test_credit_notes_are_numbered_in_their_own_series(shop, stocked, cashier):
    soap = stocked()
    invoice = sell(cashier, (soap, "3"))
    numbers = [give_back(invoice, "1").number for _ in range(3)]
    assert numbers == [f"SKSC/{this_year()}/0000{n}" for n in (1, 2, 3)]
    assert sell(cashier, (soap, "1")).number == f"SKS/{this_year()}/00002"


def test_a_four_letter_prefix_keeps_credit_notes_within_sixteen_characters(db):
    number = allocate_credit_note_number(prefix="ABCDC", year="26-27")
    assert number == "ABCDC/26-27/0001" and len(number) == 16


def test_the_credit_note_is_emailed_when_the_customer_has_an_email(shop, stocked, cashier,
                                                                   django_capture_on_commit_callbacks):
    customer = factories.CustomerFactory(email="asha@example.com", name="Asha")
    invoice = sell(cashier, (stocked(name="Soap"), "2"), customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        note = give_back(invoice, "1")
    email = OutboundEmail.objects.get(reference=note.number)
    assert (email.to, email.subject) == ("asha@example.com", f"Credit note {note.number} from Sharma Kirana Store")
    assert invoice.number in email.text_body and "Soap" in email.text_body
    assert email.attachments.get().filename == f"{note.number.replace('/', '-')}.pdf"
    assert len(mail.outbox) == 1


def test_no_email_without_an_address(shop, stocked, cashier):
    invoice = sell(cashier, (stocked(), "1"), customer=factories.CustomerFactory(email=""))
    give_back(invoice, "1")
    assert not OutboundEmail.objects.exists()


def test_invoices_and_credit_notes_take_numbers_from_one_helper_in_series_of_their_own(db):
    assert [allocate_invoice_number(prefix="SKS", year="26-27") for _ in range(2)] == [
        "SKS/26-27/00001", "SKS/26-27/00002"]
    assert allocate_credit_note_number(prefix="SKSC", year="26-27") == "SKSC/26-27/00001"
    assert allocate_invoice_number(prefix="SKS", year="27-28") == "SKS/27-28/00001"
