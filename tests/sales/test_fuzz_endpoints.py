"""Fuzz: the counter's endpoints, the UPI callback and the statement import, fed generated junk.

Whatever arrives (any JSON value, NaN, 1e400, 400-digit numbers, NUL and bidi characters, wrong shapes,
or a plausible body with junk in one field), the answer is never a 5xx, and a refusal writes nothing:
invoices, the invoice number series, stock, payments, the books and customers stay as they were.
Each example runs in a transaction that is rolled back, so examples do not see each other's sales.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sales.held_bills import held_bill_hold
from sales.services import checkout
from sales.upi_views import signature_of
from tests import factories
from tests.sales.junk import Raw, replaced, to_json
from tests.sales.writes import sales_state

pytestmark = pytest.mark.django_db
D = Decimal
KEY = "fuzz-gateway-secret"
FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

RAW_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "9" * 400, "-0", "0.0", "1e20",
               "100.005", "1E+999999", "0.0001", "-1"]
ODD_TEXT = ["", " ", "\x00", "a\x00b", "\u202e", "\u2066abc\u2069", "NaN", "Infinity", "1e400", "1,2,3",
            "₹ 1,25,000", "-5", "0", "1" * 300, "x" * 5000, "412345678901", "4123 4567 8901", "[[[[", '{"a":'] + [
               "9" * 400]
FIELD_NAMES = ["lines", "payments", "quantity", "amount", "product_id", "customer_id", "approval", "password",
               "username", "idempotency_key", "invoice_id", "utr", "reference", "method", "name", "phone"]

texts = st.one_of(st.text(max_size=30), st.sampled_from(ODD_TEXT))
texts_with_surrogates = st.one_of(texts, st.just("\ud800"), st.just("x\udfffy"))
leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**400), max_value=10**400), st.floats(),
    st.sampled_from(RAW_NUMBERS).map(Raw), texts_with_surrogates,
)
json_junk = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8)), children, max_size=4),
    max_leaves=12,
)
deep = st.integers(min_value=9, max_value=100_000).map(lambda n: Raw("[" * n + "]" * n))
numbers = st.one_of(st.sampled_from(["1", "2", "0.5", "0", "-1", "100", "2100", "99999"]),
                    st.sampled_from(RAW_NUMBERS).map(Raw), st.decimals(allow_nan=False, places=3).map(str))


def body_strategy(good: dict, paths: list[tuple]) -> st.SearchStrategy[str | bytes]:
    """Junk of every kind, and the good body with one field replaced by junk or by a plausible value."""
    one_field_junk = st.tuples(st.sampled_from(paths), st.one_of(json_junk, deep, numbers)).map(
        lambda change: replaced(good, *change))
    return st.one_of(
        json_junk.map(to_json),
        one_field_junk.map(to_json),
        st.just(to_json(good)),
        st.binary(max_size=40),
        st.text(max_size=40),
        deep.map(to_json),
    )


def rolled_back(run):
    """Run one example in a transaction that is undone afterwards, whatever it wrote."""
    with transaction.atomic():
        run()
        transaction.set_rollback(True)


def assert_no_server_error_and_no_write_on_refusal(response, before: dict) -> None:
    event(f"HTTP {response.status_code}")  # --hypothesis-show-statistics: how many were accepted
    assert response.status_code < 500, response.content[:500]
    if response.status_code >= 400:
        assert sales_state() == before, response.content[:500]


@pytest.fixture
def scene(shop, stocked, cashier, manager):
    """A product in stock, a customer with credit, and a bill whose UPI payment awaits its UTR."""
    product = stocked("50", name="Lux soap", selling_price=D("100"))
    customer = factories.CustomerFactory(name="Meena", phone="9876543210", credit_limit=D("500"))
    awaiting = checkout(cashier=cashier, lines=[{"product": product, "quantity": D("1")}],
                        payments=[{"method": "upi", "amount": D("100")}])
    held = held_bill_hold(cashier=cashier, lines=[{"product_id": product.pk, "quantity": D("1"), "discount": D("0")}])
    return {"product": product, "customer": customer, "invoice": awaiting, "held": held}


@pytest.fixture
def at_counter(client, cashier, scene):
    client.force_login(cashier)
    return client


def good_bodies(scene) -> dict[str, tuple[dict, list[tuple]]]:
    """Return, per POST endpoint, a body it accepts and the paths of its fields."""
    bill = {"idempotency_key": "fuzz-1", "customer_id": scene["customer"].pk, "bill_discount": "0",
            "lines": [{"product_id": scene["product"].pk, "quantity": "1", "discount": "0"}],
            "payments": [{"method": "cash", "amount": "100", "reference": ""}],
            "approval": {"username": "", "password": ""}}
    bill_paths = [("idempotency_key",), ("customer_id",), ("bill_discount",), ("lines",), ("lines", 0),
                  ("lines", 0, "product_id"), ("lines", 0, "quantity"), ("lines", 0, "discount"), ("payments",),
                  ("payments", 0), ("payments", 0, "method"), ("payments", 0, "amount"),
                  ("payments", 0, "reference"), ("approval",), ("approval", "username"), ("approval", "password")]
    quote = {key: bill[key] for key in ("lines", "customer_id", "bill_discount")}
    customer = {"name": "Ravi", "phone": "9123456780", "email": "ravi@example.com", "gstin": "", "state": "27"}
    confirm = {"invoice_id": scene["invoice"].pk, "utr": "412345678901"}
    return {
        "checkout": (bill, bill_paths),
        "quote": (quote, [path for path in bill_paths if path[0] in quote]),
        "customer": (customer, [(name,) for name in customer]),
        "confirm_upi": (confirm, [("invoice_id",), ("utr",)]),
        "email": ({"to": "meena@example.com"}, [("to",)]),
        "hold": ({key: bill[key] for key in ("lines", "customer_id", "bill_discount", "payments")},
                 [path for path in bill_paths if path[0] in ("lines", "customer_id", "bill_discount", "payments")]),
        "resume": ({"id": scene["held"].pk}, [("id",)]),
        "discard": ({"id": scene["held"].pk}, [("id",)]),
    }


def post_url(endpoint: str, scene) -> str:
    if endpoint == "email":  # the success dialog's "email the bill"
        return reverse("admin:sales_invoice_email", args=[scene["invoice"].pk])
    return reverse(f"admin:sales_counter_{endpoint}")


@pytest.mark.parametrize("endpoint", ["checkout", "quote", "customer", "confirm_upi", "email", "hold", "resume",
                                      "discard"])
@FUZZ
@given(data=st.data())
def test_counter_posts_never_fail_and_refusals_write_nothing(at_counter, scene, endpoint, data):
    good, paths = good_bodies(scene)[endpoint]
    body = data.draw(body_strategy(good, paths), label="body")

    def run():
        before = sales_state()
        response = at_counter.post(post_url(endpoint, scene), body, content_type="application/json")
        assert_no_server_error_and_no_write_on_refusal(response, before)

    rolled_back(run)


query_values = st.one_of(texts, st.integers().map(str))
raw_queries = st.lists(st.sampled_from(["code=", "q=", "phone=", "page=abc", "%ff", "%00", "%", "&&", "=x", "q=%e2%80",
                                        "code=%00", "q=a%00b", "phone=%e2%80%ae"]), max_size=4).map("&".join)


@pytest.mark.parametrize(("endpoint", "parameter"), [("product", "code"), ("search", "q"), ("customer", "phone")])
@FUZZ
@given(value=query_values, others=st.dictionaries(st.sampled_from(["page", "p", "o", "code", "q"]), query_values,
                                                  max_size=2), raw=raw_queries)
def test_counter_lookups_never_fail_and_write_nothing(at_counter, endpoint, parameter, value, others, raw):
    url = reverse(f"admin:sales_counter_{endpoint}")
    before = sales_state()
    for response in (at_counter.get(url, {**others, parameter: value}), at_counter.get(f"{url}?{raw}")):
        assert response.status_code < 500, response.content[:500]
    assert sales_state() == before


@FUZZ
@given(data=st.data())
def test_signed_upi_callbacks_never_fail_and_refusals_confirm_nothing(scene, data):
    gateway = Client()
    good = {"reference": scene["invoice"].number, "amount": "100.00", "utr": "509876543210", "status": "SUCCESS"}
    body = data.draw(body_strategy(good, [(name,) for name in good]), label="body")
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")

    def run():
        before = sales_state()
        with override_settings(UPI_API_KEY=KEY):
            response = gateway.post(reverse("upi_callback"), raw, content_type="application/json",
                                    headers={"X-Signature": signature_of(raw, KEY)})
        assert_no_server_error_and_no_write_on_refusal(response, before)

    rolled_back(run)


statement_junk = st.one_of(st.text(max_size=20), st.sampled_from([*ODD_TEXT, "x" * 131_072, "y" * 131_073]))
statement_rows = st.lists(st.one_of(
    st.tuples(  # date, amount, UTR, payer: mostly plausible, so the amount and the payer get read
        st.one_of(st.sampled_from(["25-11-2026 10:00:00", "2026-11-25", "25/11/2026 10:00"]), statement_junk),
        st.one_of(st.sampled_from([*RAW_NUMBERS, "100.00", "1,25,000", "1,2,3", "₹ 100", "-100"]), statement_junk,
                  st.decimals(allow_nan=True, allow_infinity=True).map(str)),
        st.one_of(st.sampled_from(["412345678901", "4123 4567 8901"]), statement_junk),
        statement_junk,
    ).map(list),
    st.lists(statement_junk, max_size=5),
), max_size=5)
headers = st.sampled_from([["Txn Date", "Amount (INR)", "UTR No", "Payer Name"], ["date", "amount", "utr"],
                           ["Date", "Total"], []])


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [header, *rows]:
        writer.writerow(row)
    return out.getvalue().encode("utf-8", "surrogatepass")


@FUZZ
@given(content=st.one_of(st.tuples(headers, statement_rows).map(lambda parts: csv_bytes(*parts)),
                         st.binary(max_size=200)),
       forged_rows=st.one_of(st.none(), texts))
def test_statement_import_never_fails_and_confirms_nothing_it_was_not_asked_to(client, owner, scene, content,
                                                                             forged_rows):
    client.force_login(owner)
    url = reverse("admin:sales_payment_statement")

    def run():
        before = sales_state()
        preview = client.post(url, {"statement": SimpleUploadedFile("upi.csv", content)})
        assert preview.status_code < 500 and sales_state() == before  # the preview never writes
        if forged_rows is not None:  # a confirmation whose signed rows were made up
            assert client.post(url, {"rows": forged_rows}).status_code < 500 and sales_state() == before

    rolled_back(run)
