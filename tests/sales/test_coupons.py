"""Coupons: redeemed at checkout, refused saying why with nothing changed, generated in bulk, emailed."""

import csv
import io
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import Stock
from sales.coupons import coupon_email_queue, coupons_csv, coupons_generate
from sales.models import Coupon, CouponRedemption, DiscountRule, Invoice, InvoiceLineDiscount
from sales.services import checkout, invoice_cancel, sale_quote
from shop.models import OutboundEmail
from tests import factories
from tests.sales.counter_client import post

D = Decimal
TODAY = timezone.localdate


@pytest.fixture
def atta(stocked):
    return stocked(name="Atta 5 kg", selling_price=D("300"), tax_rate=factories.tax_rate("5"))


@pytest.fixture
def welcome(db):
    """₹50 off bills of ₹200 or more, only with a coupon."""
    return DiscountRule.objects.create(name="Welcome ₹50", kind="flat", value=D("50"), min_bill_value=D("200"),
                                       coupon_only=True)


def coupon(rule, code="WELCOME50", **fields) -> Coupon:
    return Coupon.objects.create(code=code, rule=rule, **fields)


def sell(cashier, product, *, code="", customer=None, quantity="1", cash="300", **options):
    return checkout(cashier=cashier, lines=[{"product": product, "quantity": D(quantity)}],
                    payments=[{"method": "cash", "amount": D(cash)}], customer=customer, coupon_code=code, **options)


def refusal(error: ValidationError) -> tuple[str, str]:
    (problem,) = error.value.error_dict["coupon_code"]
    return problem.code, problem.messages[0]


def test_a_coupon_gives_its_rules_discount_and_its_use_is_recorded(cashier, atta, welcome):
    given = coupon(welcome)
    invoice = sell(cashier, atta, code="WELCOME50")
    assert invoice.grand_total == D("250.00")
    redemption = CouponRedemption.objects.get()
    assert (redemption.coupon, redemption.invoice, redemption.amount) == (given, invoice, D("50.00"))
    offer = InvoiceLineDiscount.objects.get()
    assert (offer.description, offer.amount, offer.coupon) == ("Welcome ₹50", D("50.00"), given)
    # GST after the discount: 250 × 5 / 210 = 5.9523 each half
    line = invoice.lines.get()
    assert (line.discount, line.cgst, line.sgst, line.taxable_value) == (D("50.00"), D("5.95"), D("5.95"),
                                                                          D("238.10"))


def test_a_code_is_read_in_any_case(cashier, atta, welcome):
    coupon(welcome)
    sell(cashier, atta, code="  welcome50 ")
    assert CouponRedemption.objects.count() == 1


def test_codes_are_unique_whatever_their_case(welcome):
    coupon(welcome, code="DIWALI")
    with pytest.raises(ValidationError, match="already exists"):
        Coupon(code="diwali", rule=welcome).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.bulk_create([Coupon(code="Diwali", rule=welcome)])


def _stock(product) -> Decimal:
    return Stock.objects.get(product=product).quantity


# Each row: how the coupon (and its rule) is made, the customer, the cart quantity, what is refused.
REFUSALS = {
    "unknown code": (lambda rule: None, None, "1", "coupon_invalid", "No coupon has the code “WELCOME50”"),
    "withdrawn": (lambda rule: coupon(rule, is_active=False), None, "1", "coupon_invalid", "withdrawn"),
    "rule switched off": (lambda rule: coupon(rule) and DiscountRule.objects.update(is_active=False), None, "1",
                          "coupon_invalid", "withdrawn"),
    "expired": (lambda rule: coupon(rule, valid_until=TODAY() - timedelta(days=1)), None, "1", "coupon_expired",
                "expired on"),
    "rule ended": (lambda rule: coupon(rule) and DiscountRule.objects.update(ends_on=TODAY() - timedelta(days=3)),
                   None, "1", "coupon_expired", "expired on"),
    "not valid yet": (lambda rule: coupon(rule, valid_from=TODAY() + timedelta(days=1)), None, "1",
                      "coupon_not_applicable", "is valid from"),
    "used up": (lambda rule: coupon(rule, max_uses=1) and _use_once(), None, "1", "coupon_used_up",
                "its one use is taken"),
    "per customer without a customer": (lambda rule: coupon(rule, uses_per_customer=1), None, "1",
                                        "coupon_not_applicable", "find the customer by phone"),
    "used up by this customer": (lambda rule: coupon(rule, uses_per_customer=1) and _use_once(customer=True),
                                 "asha", "1", "coupon_used_up", "they have used it once"),
    "first purchase only, bought before": (lambda rule: coupon(rule, first_purchase_only=True)
                                           and _use_once(customer=True, code=""),
                                           "asha", "1", "coupon_not_applicable", "has bought here before"),
    "minimum bill not reached": (lambda rule: coupon(rule) and DiscountRule.objects.update(min_bill_value=D("1000")),
                                 None, "1", "coupon_not_applicable", "needs a bill of at least ₹1,000.00"),
    "outside its hours": (lambda rule: coupon(rule) and DiscountRule.objects.update(
        starts_at=_hour(2), ends_at=_hour(3)), None, "1", "coupon_not_applicable", "does not apply now"),
    "nothing on the bill it covers": (lambda rule: coupon(rule) and _only_for_another_product(rule), None, "1",
                                      "coupon_not_applicable", "nothing on this bill is covered"),
    "a better offer that does not add up": (lambda rule: coupon(rule) and DiscountRule.objects.create(
        name="Big sale 40%", kind="percent", value=D("40")), None, "1", "coupon_not_applicable",
        "“Big sale 40%” already gives more"),
}
_context: dict = {}


def _hour(offset: int) -> time:
    return (timezone.localtime() + timedelta(hours=offset)).time().replace(minute=0, second=0, microsecond=0)


def _use_once(*, customer: bool = False, code: str = "WELCOME50"):
    """Make one earlier sale of the atta (with the coupon, unless code is empty)."""
    sell(_context["cashier"], _context["atta"], code=code, customer=_context["asha"] if customer else None)
    return True


def _only_for_another_product(rule):
    rule.scope = "products"
    rule.save()
    rule.products.set([factories.ProductFactory()])
    return True


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_checkout_refuses_a_coupon_saying_why_and_changes_nothing(case, cashier, atta, welcome):
    make, customer_name, quantity, code, message = case
    asha = factories.CustomerFactory(name="Asha")
    _context.update(cashier=cashier, atta=atta, asha=asha)
    make(welcome)
    invoices, uses, stock = Invoice.objects.count(), CouponRedemption.objects.count(), _stock(atta)
    with pytest.raises(ValidationError) as error:
        sell(cashier, atta, code="WELCOME50", customer=asha if customer_name else None, quantity=quantity)
    assert refusal(error)[0] == code
    assert message in refusal(error)[1]
    assert (Invoice.objects.count(), CouponRedemption.objects.count(), _stock(atta)) == (invoices, uses, stock)


def test_a_first_purchase_coupon_is_taken_on_a_new_customers_first_bill(cashier, atta, welcome):
    coupon(welcome, first_purchase_only=True)
    newcomer = factories.CustomerFactory()
    assert sell(cashier, atta, code="WELCOME50", customer=newcomer).grand_total == D("250.00")


def test_uses_per_customer_count_each_customer_apart(cashier, atta, welcome):
    coupon(welcome, uses_per_customer=1)
    asha, ravi = factories.CustomerFactory(), factories.CustomerFactory()
    sell(cashier, atta, code="WELCOME50", customer=asha)
    sell(cashier, atta, code="WELCOME50", customer=ravi)
    assert CouponRedemption.objects.count() == 2


def test_a_cancelled_bill_gives_its_coupon_use_back(cashier, manager, atta, welcome):
    coupon(welcome, max_uses=1)
    first = sell(cashier, atta, code="WELCOME50")
    invoice_cancel(invoice=first, user=manager, reason="Rang up the wrong customer")
    assert sell(cashier, atta, code="WELCOME50").grand_total == D("250.00")


def test_the_same_key_again_makes_one_invoice_and_one_use(cashier, atta, welcome):
    coupon(welcome, max_uses=1)
    first = sell(cashier, atta, code="WELCOME50", idempotency_key="bill-1")
    again = sell(cashier, atta, code="WELCOME50", idempotency_key="bill-1")
    assert first == again
    assert CouponRedemption.objects.count() == 1


def test_a_quote_leaves_a_refused_coupon_out_and_says_why(atta, welcome):
    coupon(welcome, max_uses=1, valid_until=TODAY() - timedelta(days=1))
    quote = sale_quote(lines=[{"product": atta, "quantity": D("1")}], coupon_code="WELCOME50")
    assert quote.bill.grand_total == D("300.00")
    assert quote.coupon is None
    assert "expired on" in quote.coupon_error.messages[0]


def test_the_counter_quote_shows_the_coupon_and_checkout_refuses_a_bad_one_keyed_coupon_code(at_counter, atta,
                                                                                             welcome):
    coupon(welcome)
    body = {"lines": [{"product_id": atta.pk, "quantity": "1"}], "coupon_code": "welcome50"}
    answer = post(at_counter, "quote", body).json()
    assert answer["coupon"] == {"code": "WELCOME50"}
    assert answer["lines"][0]["offers"][0]["coupon"] is True
    assert D(answer["totals"]["grand_total"]) == D("250")
    refused = post(at_counter, "quote", {**body, "coupon_code": "NOPE"}).json()
    assert refused["ok"] and refused["coupon"] is None
    assert "No coupon has the code" in refused["warnings"]["coupon_code"][0]
    response = post(at_counter, "checkout", {**body, "coupon_code": "NOPE", "idempotency_key": "k1",
                                             "payments": [{"method": "cash", "amount": "300"}]})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["coupon_code"]
    assert not Invoice.objects.exists()


def test_a_coupon_code_that_is_not_text_is_a_400_naming_the_field(at_counter, atta):
    response = post(at_counter, "quote", {"lines": [{"product_id": atta.pk, "quantity": "1"}], "coupon_code": [1]})
    assert response.status_code == 400
    assert "coupon_code" in response.json()["errors"]


# --- generating, exporting, emailing ---------------------------------------------------------------


def test_generated_codes_are_unique_single_use_and_carry_the_prefix(welcome, manager):
    made = coupons_generate(rule=welcome, count=200, prefix="diwali-", valid_until=date(2026, 12, 31), user=manager)
    codes = [c.code for c in made]
    assert len(set(codes)) == 200 == Coupon.objects.count()
    assert all(code.startswith("DIWALI-") and len(code) == 15 for code in codes)
    assert {(c.max_uses, c.valid_until, c.created_by) for c in Coupon.objects.all()} == {
        (1, date(2026, 12, 31), manager)}


@pytest.mark.parametrize(("count", "prefix"), [(0, ""), (1001, ""), (5, "=CMD|"), (5, "TOO-LONG-PREFIX-X")])
def test_generation_refuses_bad_counts_and_prefixes(welcome, count, prefix):
    with pytest.raises(ValidationError):
        coupons_generate(rule=welcome, count=count, prefix=prefix)
    assert not Coupon.objects.exists()


def test_the_csv_for_printing_is_formula_safe(db):
    rule = DiscountRule.objects.create(name="=HYPERLINK(\"http://evil\")", kind="percent", value=D("10"))
    coupon(rule, code="SAFE1")
    rows = list(csv.reader(io.StringIO(coupons_csv(Coupon.objects.select_related("rule")))))
    assert rows[0] == ["code", "offer", "terms", "valid until"]
    assert rows[1][:2] == ["SAFE1", "'=HYPERLINK(\"http://evil\")"]
    assert "10% off the whole bill" in rows[1][2]


def test_the_generate_page_saves_the_codes_and_downloads_them(client, manager, welcome):
    client.force_login(manager)
    response = client.post(reverse("admin:sales_coupon_generate"), {"rule": welcome.pk, "count": 3, "prefix": "NEW"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert sorted(row[0] for row in rows[1:]) == sorted(Coupon.objects.values_list("code", flat=True))
    assert len(rows) == 4


def test_the_generate_page_shows_a_bad_prefix_next_to_its_field(client, manager, welcome):
    client.force_login(manager)
    response = client.post(reverse("admin:sales_coupon_generate"), {"rule": welcome.pk, "count": 3, "prefix": "+="})
    assert response.status_code == 200
    assert "letters, digits and dashes" in response.content.decode()
    assert not Coupon.objects.exists()


def test_the_export_action_downloads_the_chosen_codes(client, manager, welcome):
    chosen, other = coupon(welcome, code="A1"), coupon(welcome, code="B2")
    client.force_login(manager)
    response = client.post(reverse("admin:sales_coupon_changelist"),
                           {"action": "export_csv", "_selected_action": [chosen.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [row[0] for row in rows[1:]] == ["A1"]
    assert other.code not in response.content.decode()


def test_a_coupon_email_goes_to_each_chosen_customer_with_an_address_with_code_and_terms(welcome, manager, shop):
    given = coupon(welcome, uses_per_customer=1, valid_until=date(2026, 12, 31))
    asha = factories.CustomerFactory(name="Asha", email="asha@example.com")
    ravi = factories.CustomerFactory(name="Ravi", email="ravi@example.com")
    no_email = factories.CustomerFactory(name="Mohan", email="")
    queued = coupon_email_queue(coupon=given, customers=[asha, ravi, no_email], user=manager)
    assert sorted(email.to for email in queued) == ["asha@example.com", "ravi@example.com"]
    email = OutboundEmail.objects.get(to="asha@example.com")
    assert "WELCOME50" in email.subject
    for text in ("WELCOME50", "Dear Asha", "₹50.00 off the whole bill", "On bills of ₹200.00 or more",
                 "Valid until 31 Dec 2026", "Once per customer"):
        assert text in email.text_body
        assert text in email.html_body


def test_a_coupon_with_fewer_uses_than_customers_is_not_emailed(welcome, manager):
    given = coupon(welcome, max_uses=1)
    customers = [factories.CustomerFactory(email=f"c{i}@example.com") for i in range(2)]
    with pytest.raises(ValidationError, match="generate single-use codes"):
        coupon_email_queue(coupon=given, customers=customers, user=manager)
    assert not OutboundEmail.objects.exists()


def test_the_email_page_queues_the_emails(client, manager, welcome):
    given = coupon(welcome)
    asha = factories.CustomerFactory(email="asha@example.com")
    client.force_login(manager)
    response = client.post(reverse("admin:sales_coupon_email", args=[given.pk]), {"customers": [asha.pk]})
    assert response.status_code == 302
    assert OutboundEmail.objects.get().to == "asha@example.com"


@pytest.mark.parametrize(("role", "sees"), [("owner", True), ("manager", True), ("cashier", False)])
def test_the_sidebar_shows_discount_rules_and_coupons_to_owners_and_managers_only(db, client, request, role, sees):
    from tests.shop.test_users_and_sidebar import sidebar_titles

    client.force_login(request.getfixturevalue(role))
    assert ({"Discount rules", "Coupons"} <= sidebar_titles(client)) is sees
