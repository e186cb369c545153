import json
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ledger.models import DayBookEntry
from sales.models import Payment
from sales.payments import upi_payment_confirm
from sales.services import checkout, invoice_cancel
from sales.upi_statement import parse_statement, reconcile
from sales.upi_views import signature_of
from tests import factories
from tests.sales.junk import Raw, to_json

pytestmark = pytest.mark.django_db
D = Decimal
KEY = "gateway-shared-secret"


@pytest.fixture
def upi_sale(shop, stocked, cashier):
    """Return a function that sells for `amount`, all by UPI still awaiting its UTR."""

    def make(amount="250"):
        product = stocked(selling_price=D(amount), tax_rate=factories.tax_rate("0"))
        invoice = checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                           payments=[{"method": "upi", "amount": D(amount)}])
        return invoice.payments.get()

    return make


def upi_day_book() -> list[Decimal]:
    return list(DayBookEntry.objects.filter(method="upi").values_list("amount", flat=True))


def test_cashier_confirms_a_upi_payment_with_its_utr(upi_sale, cashier):
    payment = upi_sale()
    assert upi_day_book() == []
    confirmation = upi_payment_confirm(payment=payment, utr="4123 4567 8901", via="reference", user=cashier)
    payment.refresh_from_db()
    assert confirmation.newly_confirmed
    assert (payment.status, payment.reference, payment.confirmed_via, payment.confirmed_by) == (
        "confirmed", "412345678901", "reference", cashier)
    assert upi_day_book() == [D("250")]
    assert payment.invoice.balance_due == 0


def test_confirming_again_with_the_same_utr_changes_nothing(upi_sale, cashier):
    payment = upi_sale()
    upi_payment_confirm(payment=payment, utr="412345678901", via="reference", user=cashier)
    again = upi_payment_confirm(payment=payment, utr="412345678901", via="reference", user=cashier)
    assert not again.newly_confirmed and upi_day_book() == [D("250")]


@pytest.mark.parametrize(("utr", "message"), [
    ("412345678902", "already confirmed with UTR 412345678901"),
    ("41234", "has 12 digits"),
])
def test_a_confirmed_payment_refuses_another_utr(upi_sale, cashier, utr, message):
    payment = upi_sale()
    upi_payment_confirm(payment=payment, utr="412345678901", via="reference", user=cashier)
    with pytest.raises(ValidationError, match=message):
        upi_payment_confirm(payment=payment, utr=utr, via="reference", user=cashier)


def test_one_utr_cannot_pay_two_bills(upi_sale, cashier):
    first, second = upi_sale(), upi_sale()
    upi_payment_confirm(payment=first, utr="412345678901", via="reference", user=cashier)
    with pytest.raises(ValidationError, match=f"already recorded for invoice {first.invoice.number}"):
        upi_payment_confirm(payment=second, utr="412345678901", via="reference", user=cashier)


def test_a_cancelled_bill_cannot_be_confirmed(upi_sale, cashier, manager):
    payment = upi_sale()
    invoice_cancel(invoice=payment.invoice, user=manager, reason="Customer left")
    with pytest.raises(ValidationError, match="cancelled"):
        upi_payment_confirm(payment=payment, utr="412345678901", via="reference", user=cashier)


# ---------- the gateway callback ----------

def notify(client, body: dict | bytes, *, key=KEY, signature=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(reverse("upi_callback"), raw, content_type="application/json",
                       headers={"X-Signature": signature if signature is not None else signature_of(raw, key)})


@pytest.fixture
def gateway(settings):
    settings.UPI_API_KEY = KEY
    return Client(enforce_csrf_checks=True)  # the callback must work without a CSRF token


def paid(payment, **changes) -> dict:
    return {"reference": payment.invoice.number, "amount": str(payment.amount), "utr": "509876543210",
            "status": "SUCCESS", "payer_vpa": "meena@okicici", **changes}


def test_signed_gateway_notification_confirms_the_payment(gateway, upi_sale):
    payment = upi_sale()
    response = notify(gateway, paid(payment))
    assert (response.status_code, response.json()) == (200, {"ok": True, "result": "confirmed"})
    payment.refresh_from_db()
    assert (payment.status, payment.reference, payment.confirmed_via) == ("confirmed", "509876543210", "gateway")
    assert upi_day_book() == [D("250")]


def test_replayed_notification_answers_200_and_changes_nothing(gateway, upi_sale):
    payment = upi_sale()
    notify(gateway, paid(payment))
    response = notify(gateway, paid(payment))
    assert (response.status_code, response.json()["result"]) == (200, "already confirmed")
    assert upi_day_book() == [D("250")]


def test_tampered_notification_is_refused_and_logged(gateway, upi_sale, caplog):
    payment = upi_sale()
    body = json.dumps(paid(payment)).encode()
    signature = signature_of(body, KEY)
    tampered = body.replace(b'"250.00"', b'"2.50"')
    with caplog.at_level(logging.WARNING, logger="galla.upi"):
        response = notify(gateway, tampered, signature=signature)
    assert response.status_code == 400 and response.json()["error"] == "bad signature"
    assert "UPI callback refused" in caplog.text
    payment.refresh_from_db()
    assert payment.status == "awaiting" and upi_day_book() == []


def test_notification_signed_with_another_key_is_refused(gateway, upi_sale):
    payment = upi_sale()
    assert notify(gateway, paid(payment), key="not-the-key").status_code == 400


@pytest.mark.parametrize(("changes", "error"), [
    ({"reference": "SKS/26-27/99999"}, "No bill has the reference"),
    ({"amount": "249.00"}, "No UPI payment of ₹249.00 awaits confirmation"),
    ({"utr": "12"}, "has 12 digits"),
])
def test_unknown_bill_wrong_amount_or_bad_utr_is_refused(gateway, upi_sale, changes, error):
    payment = upi_sale()
    response = notify(gateway, paid(payment, **changes))
    assert response.status_code == 400 and error in response.json()["error"]
    payment.refresh_from_db()
    assert payment.status == "awaiting"


def test_failed_payment_status_is_acknowledged_without_change(gateway, upi_sale):
    payment = upi_sale()
    response = notify(gateway, paid(payment, status="FAILED"))
    assert (response.status_code, response.json()["result"]) == (200, "ignored")
    payment.refresh_from_db()
    assert payment.status == "awaiting"


def test_callbacks_are_refused_when_no_key_is_configured(settings, upi_sale):
    settings.UPI_API_KEY = ""
    payment = upi_sale()
    assert notify(Client(), paid(payment), key="anything").status_code == 400


def test_callback_accepts_only_post(gateway):
    assert gateway.get(reverse("upi_callback")).status_code == 405


# ---------- the admin: awaiting list and confirmation ----------

def test_awaiting_list_shows_unconfirmed_upi_and_confirm_form_records_the_utr(client, upi_sale, cashier):
    awaiting, done = upi_sale("120"), upi_sale("80")
    upi_payment_confirm(payment=done, utr="412345678901", via="reference", user=cashier)
    client.force_login(cashier)
    listed = client.get(reverse("admin:sales_payment_changelist"),
                        {"method__exact": "upi", "status__exact": "awaiting"})
    assert [p.pk for p in listed.context["cl"].result_list] == [awaiting.pk]
    url = reverse("admin:sales_payment_confirm", args=[awaiting.pk])
    refused = client.post(url, {"utr": "123"})
    assert "has 12 digits" in refused.content.decode()
    assert client.post(url, {"utr": "412345678999"}).status_code == 302
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.confirmed_by) == ("confirmed", cashier)


# ---------- the settlement statement ----------

def statement(*rows: str, header="Txn Date,Amount (INR),UTR No,Payer Name") -> bytes:
    return ("\ufeff" + "\n".join([header, *rows]) + "\n").encode()


def stamp(payment, minutes=0) -> str:
    return timezone.localtime(payment.created_at + timedelta(minutes=minutes)).strftime("%d-%m-%Y %H:%M:%S")


def test_statement_rows_are_matched_by_amount_and_time(upi_sale, cashier):
    one, twin_a, twin_b, done = upi_sale("310"), upi_sale("99"), upi_sale("99"), upi_sale("45")
    upi_payment_confirm(payment=done, utr="400000000004", via="reference", user=cashier)
    rows = parse_statement(statement(
        f"{stamp(one, 3)},310.00,400000000001,Meena",
        f"{stamp(twin_a, 1)},99.00,400000000002,Ravi",      # two bills of 99 around then: ambiguous
        f"{stamp(one, 3)},1,234.00,400000000003,Stranger".replace("1,234.00", '"1,234.00"'),
        f"{stamp(done)},45,400000000004,Already",
        f"{stamp(one, 300)},310,400000000005,Too late",
    ))
    result = reconcile(rows)
    assert [(row.utr, payment.pk) for row, payment in result.matched] == [("400000000001", one.pk)]
    assert [(row.utr, {p.pk for p in found}) for row, found in result.ambiguous] == [
        ("400000000002", {twin_a.pk, twin_b.pk})]
    assert [row.utr for row in result.unmatched] == ["400000000003", "400000000005"]
    assert [row.utr for row in result.already_recorded] == ["400000000004"]


def test_a_statement_with_a_bad_line_is_refused_naming_it():
    with pytest.raises(ValidationError) as refused:
        parse_statement(statement("25-11-2026 10:00:00,12.00,400000000001,A", "yesterday,12,400000000002,B",
                                  "25-11-2026 10:05:00,abc,400000000003,C"))
    assert refused.value.messages == ['Line 3: "yesterday" is not a date.', 'Line 4: the amount "abc" is not a number.']


def test_statement_without_the_needed_columns_is_refused():
    with pytest.raises(ValidationError, match="no amount, utr column"):
        parse_statement(statement("25-11-2026,12", header="Date,Total"))


def test_owner_previews_then_confirms_the_matches(client, upi_sale, owner):
    payment = upi_sale("310")
    client.force_login(owner)
    url = reverse("admin:sales_payment_statement")
    assert "UPI settlement statement (CSV)" in client.get(url).content.decode()
    upload = SimpleUploadedFile("upi.csv", statement(f"{stamp(payment, 2)},310.00,400000000001,Meena"))
    preview = client.post(url, {"statement": upload})
    assert 'id="statement-preview"' in preview.content.decode()
    payment.refresh_from_db()
    assert payment.status == "awaiting"  # nothing happens before the owner confirms
    response = client.post(url, {"rows": preview.context["rows"]})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.reference, payment.confirmed_via) == ("confirmed", "400000000001", "statement")


def test_a_tampered_preview_is_refused(client, upi_sale, owner):
    upi_sale("310")
    client.force_login(owner)
    response = client.post(reverse("admin:sales_payment_statement"), {"rows": "forged"}, follow=True)
    assert "expired or was changed" in response.content.decode()
    assert not Payment.objects.filter(status="confirmed").exists()


def test_cashier_cannot_import_statements(client, cashier, shop):
    client.force_login(cashier)
    assert client.get(reverse("admin:sales_payment_statement")).status_code == 403


# ---------- malformed input: a clear refusal, never a 500, nothing confirmed ----------

@pytest.mark.parametrize(("raw_amount", "field"), [
    pytest.param("1e400", "amount", id="1e400"),
    pytest.param("NaN", "amount", id="NaN"),
    pytest.param("-Infinity", "amount", id="minus-Infinity"),
    pytest.param('"1e400"', "amount", id="1e400-as-text"),
    pytest.param("9" * 400, "amount", id="400-digits"),
    pytest.param("[250]", "amount", id="a-list"),
    pytest.param("true", "amount", id="a-boolean"),
])
def test_signed_callback_with_an_impossible_amount_is_refused_naming_it(gateway, upi_sale, raw_amount, field):
    payment = upi_sale()
    body = to_json(paid(payment, amount=Raw(raw_amount))).encode()
    response = notify(gateway, body)
    assert response.status_code == 400 and f"{field}: " in response.json()["error"]
    payment.refresh_from_db()
    assert payment.status == "awaiting" and upi_day_book() == []


@pytest.mark.parametrize(("changes", "field"), [
    pytest.param({"reference": ["SKS/26-27/00001"]}, "reference", id="reference-a-list"),
    pytest.param({"utr": 509876543210}, "utr", id="utr-a-number"),
    pytest.param({"utr": "5098\x0076543210"}, "utr", id="utr-NUL"),
    pytest.param({"status": {"code": "SUCCESS"}}, "status", id="status-an-object"),
])
def test_signed_callback_with_a_malformed_field_is_refused_naming_it(gateway, upi_sale, changes, field):
    payment = upi_sale()
    response = notify(gateway, paid(payment, **changes))
    assert response.status_code == 400 and f"{field}: " in response.json()["error"]
    payment.refresh_from_db()
    assert payment.status == "awaiting"


def test_signed_callback_nested_100000_deep_is_refused(gateway, upi_sale):
    upi_sale()
    response = notify(gateway, ("[" * 100_000 + "]" * 100_000).encode())
    assert response.status_code == 400 and "nested" in response.json()["error"]


@pytest.mark.parametrize(("amount", "message"), [
    pytest.param("NaN", 'Line 2: the amount "NaN" is not a number.', id="NaN"),
    pytest.param("Infinity", 'Line 2: the amount "Infinity" is not a number.', id="Infinity"),
    pytest.param("1e400", 'Line 2: the amount "1e400" is not a number.', id="1e400"),
    pytest.param("9" * 100, 'Line 2: the amount "99999', id="100-digits"),
    pytest.param("9" * 400, "Line 2: the amount column holds 400 characters", id="400-digits"),
    pytest.param('"1,2,3"', 'Line 2: the amount "1,2,3" is not a number: commas may only group thousands',
                 id="bad-grouping"),
    pytest.param("12.005", 'Line 2: the amount "12.005" has more than 2 decimals.', id="three-decimals"),
])
def test_statement_amounts_that_are_no_payment_are_refused_naming_the_line(amount, message):
    with pytest.raises(ValidationError) as refused:
        parse_statement(statement(f"25-11-2026 10:00:00,{amount},400000000001,A"))
    assert refused.value.messages[0].startswith(message)


def test_statement_amounts_use_the_shops_number_parser():
    rows = parse_statement(statement('25-11-2026 10:00:00,"₹ 1,25,000.50",400000000001,A'))
    assert [row.amount for row in rows] == [D("125000.50")]


@pytest.mark.parametrize("length", [131_072, 131_073, 300])
def test_a_statement_field_too_long_is_refused_naming_the_line(length):
    with pytest.raises(ValidationError) as refused:
        parse_statement(statement("25-11-2026 10:00:00,12.00,400000000001,A",
                                  f"25-11-2026,12,400000000002,{'x' * length}"))
    assert refused.value.messages[0].startswith("Line 3: ")


def test_a_statement_with_many_bad_lines_lists_the_first_twenty():
    with pytest.raises(ValidationError) as refused:
        parse_statement(statement(*[f"someday,12,4000000000{n:02d},A" for n in range(50)]))
    assert len(refused.value.messages) == 21 and refused.value.messages[-1].startswith("Only the first 20")


@pytest.mark.parametrize("content", [
    pytest.param(statement("25-11-2026 10:00:00,1e400,400000000001,A"), id="1e400"),
    pytest.param(statement("25-11-2026 10:00:00,NaN,400000000001,A"), id="NaN"),
    pytest.param(statement(f"25-11-2026 10:00:00,12,400000000001,{'x' * 131_072}"), id="131072-characters"),
    pytest.param(statement("25-11-2026 10:00:00,12,400000000001,Meena\x00"), id="NUL"),
    pytest.param(b"\xff\xfe", id="not-utf8"),
])
def test_statement_upload_with_junk_shows_a_form_error_and_confirms_nothing(client, upi_sale, owner, content):
    payment = upi_sale("12")
    client.force_login(owner)
    response = client.post(reverse("admin:sales_payment_statement"),
                           {"statement": SimpleUploadedFile("upi.csv", content)})
    assert response.status_code == 200 and response.context["form"].errors["statement"]
    payment.refresh_from_db()
    assert payment.status == "awaiting"


def test_a_huge_statement_file_is_refused_before_it_is_read(client, owner, monkeypatch):
    big = statement(*["25-11-2026 10:00:00,12.00,400000000001,A"] * 10)
    monkeypatch.setattr("sales.upi_views.MAX_STATEMENT_BYTES", len(big) - 1)
    client.force_login(owner)
    response = client.post(reverse("admin:sales_payment_statement"), {"statement": SimpleUploadedFile("upi.csv", big)})
    assert "a settlement statement is at most" in response.context["form"].errors["statement"][0]
