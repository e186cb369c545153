from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from catalog.models import Product, PurchaseReceipt, Stock, StockMovement
from ledger.day_book import denominations_total
from ledger.models import BookDay, CreditEntry, Customer, CustomerBalance, DayBookEntry, DayClosing
from ledger.selectors import customer_balance
from reports.demo_clock import demo_clock
from reports.demo_history import HistoryRefused, Trading, seed_history
from sales.models import CreditNote, CreditNoteSeries, Invoice, InvoiceSeries, Payment
from shop.models import ShopProfile, User


@pytest.mark.django_db
def test_seed_demo_twice_creates_everything_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "owner / galla-owner" in out and "cashier / galla-cashier" in out
    assert User.objects.count() == 3
    assert {u.username: u.role for u in User.objects.all()} == {
        "owner": "Owner", "manager": "Manager", "cashier": "Cashier"}
    assert Product.objects.count() == 10
    assert Stock.objects.count() == 10 == StockMovement.objects.count()
    assert ShopProfile.objects.get().gstin == "27AAPFU0939F1ZV"


@pytest.mark.django_db
def test_demo_users_can_log_in(client):
    call_command("seed_demo")
    assert client.login(request=HttpRequest(), username="cashier", password="galla-cashier")  # axes needs a request


@pytest.mark.django_db
def test_seed_demo_products_builds_a_large_catalogue_with_opening_stock():
    call_command("seed_demo", products=2500)
    call_command("seed_demo", products=2600)
    assert Product.objects.filter(sku__startswith="GEN-").count() == 2600
    generated = Stock.objects.filter(product__sku__startswith="GEN-")
    assert generated.count() == 2600
    assert StockMovement.objects.filter(product__sku__startswith="GEN-", kind="opening").count() == 2600
    for product in Product.objects.filter(sku__startswith="GEN-")[:50]:
        product.full_clean()  # generated barcodes and codes are valid


@pytest.mark.django_db
def test_demo_stock_arrives_as_movements_that_add_up():
    call_command("seed_demo", products=30)
    totals = dict(StockMovement.objects.values("product").annotate(total=Sum("quantity"))
                  .values_list("product", "total"))
    assert {s.product_id: s.quantity for s in Stock.objects.all()} == totals
    assert not StockMovement.objects.filter(kind="opening", unit_cost__isnull=True).exists()


# --- The demo history (seed_demo --days N) ------------------------------------------------------------------------

NOW = timezone.make_aware(datetime(2026, 11, 25, 15, 0))  # a Wednesday afternoon
# More cancellations and returns than a real shop has, so that three short days surely hold some.
BUSY = Trading(bills_per_day=8, cancel_share=0.2, returns_per_bill=0.2)


def write_history(*, days=3, seed=7, trading=BUSY, now=NOW):
    with demo_clock(now):
        return seed_history(days=days, seed=seed, trading=trading)


def local_day(moment):
    return timezone.localdate(moment)


@pytest.mark.django_db
def test_history_bills_on_every_day_at_shop_hours_and_today_until_now():
    write_history()
    days = {local_day(i.issued_at) for i in Invoice.objects.all()}
    assert days == {date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)}
    for invoice in Invoice.objects.all():
        assert time(8) <= timezone.localtime(invoice.issued_at).time() <= time(21, 30), invoice.number
        assert invoice.issued_at <= NOW
    assert not DayBookEntry.objects.filter(date__gt=NOW.date()).exists()


@pytest.mark.django_db
def test_history_closes_every_past_day_in_order_and_leaves_today_open():
    write_history()
    closings = list(DayClosing.objects.order_by("day"))
    assert [c.day for c in closings] == [date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)]
    assert all(BookDay.objects.get(day=c.day).closing_id == c.pk for c in closings)
    assert not BookDay.objects.filter(day=NOW.date(), closing__isnull=False).exists()
    for before, closing in zip([None, *closings], closings, strict=False):
        assert closing.expected_cash == closing.opening_cash + closing.cash_in - closing.cash_out
        assert closing.difference == closing.counted_cash - closing.expected_cash
        assert closing.opening_cash == (before.counted_cash if before else 0)
        assert denominations_total(closing.denominations) == closing.counted_cash
        # Everything of the day was written before its count.
        entries = DayBookEntry.objects.filter(date=closing.day)
        assert max(entries.values_list("created_at", flat=True)) < closing.closed_at
        assert local_day(closing.closed_at) == closing.day


@pytest.mark.django_db
def test_history_holds_cancellations_returns_repayments_upi_confirmations_purchases_and_expenses():
    counts = write_history()
    assert counts.cancelled == Invoice.objects.filter(status=Invoice.Status.CANCELLED).count() > 0
    assert counts.returns == CreditNote.objects.count() > 0
    assert counts.repayments == CreditEntry.objects.filter(kind=CreditEntry.Kind.PAYMENT).count() > 0
    confirmed_later = Payment.objects.filter(confirmed_via=Payment.ConfirmedVia.REFERENCE)
    assert counts.upi_confirmed_later == confirmed_later.count() > 0
    assert all(p.confirmed_at > p.created_at for p in confirmed_later)
    assert counts.purchases == PurchaseReceipt.objects.filter(status=PurchaseReceipt.Status.DONE).count() > 0
    assert counts.expenses == DayBookEntry.objects.filter(kind=DayBookEntry.Kind.EXPENSE).count() > 0
    methods = set(Payment.objects.values_list("method", flat=True))
    assert {"cash", "upi", "credit"} <= methods
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.CREDIT_SALE).exists()
    assert Customer.objects.filter(name__contains="देवी").exists()  # Hindi names, in Devanagari too
    # Past days' UPI payments are all confirmed by their day's close.
    assert not Payment.objects.filter(status=Payment.Status.AWAITING, created_at__lt=NOW.replace(hour=0)).exists()


def assert_invariants():
    # Stock is the sum of its movements.
    totals = dict(StockMovement.objects.values("product", "warehouse").annotate(total=Sum("quantity"))
                  .values_list("product", "total"))
    assert {s.product_id: s.quantity for s in Stock.objects.all()} == totals
    assert not Stock.objects.filter(quantity__lt=0).exists()
    # Invoice and credit note numbers run without gaps in each financial year.
    for model, series_model in ((Invoice, InvoiceSeries), (CreditNote, CreditNoteSeries)):
        for series in series_model.objects.all():
            numbers = sorted(int(n.rsplit("/", 1)[1]) for n in model.objects.filter(
                financial_year=series.financial_year).values_list("number", flat=True))
            assert numbers == list(range(1, series.last_number + 1))
    # Numbers follow time: a later number is never an earlier bill.
    by_number = list(Invoice.objects.order_by("financial_year", "number").values_list("issued_at", flat=True))
    assert by_number == sorted(by_number)
    # Each bill is paid in full; khata balances are their entries.
    for invoice in Invoice.objects.prefetch_related("payments"):
        assert sum(p.amount for p in invoice.payments.all()) == invoice.grand_total
    for customer in Customer.objects.all():
        entries = sum(customer.credit_entries.values_list("amount", flat=True), Decimal(0))
        assert customer_balance(customer) == entries
        maintained = CustomerBalance.objects.filter(customer=customer).first()
        assert (maintained.balance if maintained else 0) == entries
        # Credit stays within the limit (what was owed from the paper khata may already be above it).
        opening = customer.credit_entries.filter(kind=CreditEntry.Kind.OPENING).values_list("amount", flat=True)
        assert entries <= max([customer.credit_limit, *opening])


@pytest.mark.django_db
def test_history_keeps_every_invariant():
    write_history()
    assert_invariants()


@pytest.mark.django_db
def test_history_across_the_financial_year_end_starts_the_new_series():
    write_history(now=timezone.make_aware(datetime(2027, 4, 2, 13, 0)))
    assert set(InvoiceSeries.objects.values_list("financial_year", flat=True)) == {"26-27", "27-28"}
    assert Invoice.objects.get(number="SKS/27-28/00001").issued_at.date() >= date(2027, 4, 1)
    assert_invariants()


@pytest.mark.django_db
def test_every_record_of_the_history_is_stamped_within_it():
    """The clock reaches every time the services write, model defaults included (day book, closings, users)."""
    write_history()
    start = timezone.make_aware(datetime(2026, 11, 22))
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in {"shop", "catalog", "sales", "ledger", "reports"}:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                for value in model.objects.exclude(**{field.name: None}).values_list(field.name, flat=True):
                    assert start <= value <= NOW, f"{model.__name__}.{field.name} = {value}"
                    checked += 1
    assert checked > 300
    for entry in DayBookEntry.objects.all():
        assert local_day(entry.created_at) == entry.date


@pytest.mark.django_db
def test_history_is_written_once_and_a_second_run_adds_nothing():
    write_history()
    before = (Invoice.objects.count(), StockMovement.objects.count(), DayClosing.objects.count())
    with pytest.raises(HistoryRefused, match=r"already holds \d+ invoices"):
        write_history()
    assert (Invoice.objects.count(), StockMovement.objects.count(), DayClosing.objects.count()) == before


@pytest.mark.django_db
def test_seed_demo_days_says_why_it_adds_no_second_history(capsys):
    with demo_clock(NOW):
        call_command("seed_demo", days=1, bills_per_day=3)
        invoices = Invoice.objects.count()
        call_command("seed_demo", days=1, bills_per_day=3)
    out = capsys.readouterr().out
    assert "Demo history written" in out and "1 closed day from 24-11-2026" in out
    assert "No demo history written: the database already holds" in out
    assert Invoice.objects.count() == invoices > 0


@pytest.mark.django_db
def test_history_is_refused_after_a_catalogue_loaded_later_than_its_first_day():
    with demo_clock(NOW):
        call_command("seed_demo")
    with pytest.raises(HistoryRefused, match="stock movements dated on or after 22-11-2026"):
        write_history()
    assert not Invoice.objects.exists()


def history_fingerprint():
    return {
        "invoices": [(i.number, i.issued_at, i.status, i.customer.name if i.customer else "", i.cashier.username,
                      i.grand_total, [(line.product.sku, line.quantity, line.line_total) for line in i.lines.all()],
                      sorted((p.method, p.amount, p.status) for p in i.payments.all()))
                     for i in Invoice.objects.order_by("number").select_related("customer", "cashier")
                     .prefetch_related("lines__product", "payments")],
        "credit_notes": list(CreditNote.objects.order_by("number").values_list("number", "grand_total", "issued_at")),
        "stock": sorted(Stock.objects.values_list("product__sku", "quantity")),
        "khata": sorted(CustomerBalance.objects.values_list("customer__name", "balance")),
        "closings": list(DayClosing.objects.order_by("day").values_list("day", "counted_cash", "difference")),
    }


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_history_and_another_seed_another():
    start = transaction.savepoint_create()
    write_history(seed=11)
    first = history_fingerprint()
    transaction.savepoint_rollback(start)
    assert not Invoice.objects.exists()
    write_history(seed=11)
    assert history_fingerprint() == first
    transaction.savepoint_rollback(start)
    write_history(seed=12)
    assert history_fingerprint()["invoices"] != first["invoices"]


@pytest.mark.django_db
def test_demo_clock_moves_now_today_and_time_defaults_then_gives_them_back():
    moment = timezone.make_aware(datetime(2026, 1, 5, 9, 30))
    with demo_clock(moment) as clock:
        assert timezone.now() == moment and timezone.localdate() == date(2026, 1, 5)
        assert DayBookEntry().created_at == moment  # a default that holds timezone.now itself
        later = moment + timedelta(hours=2)
        with demo_clock(later):
            assert timezone.now() == later == DayBookEntry().created_at
        assert timezone.now() == moment
        clock.set(later)
        assert DayBookEntry().created_at == later
    assert timezone.now() > datetime(2026, 11, 1, tzinfo=UTC)
    assert DayBookEntry().created_at > datetime(2026, 11, 1, tzinfo=UTC)


@pytest.mark.django_db
def test_history_takes_a_customer_already_registered_under_a_demo_phone_as_they_are():
    Customer.objects.create(name="Prakash P.", phone="9820011001", credit_limit=Decimal("500"))
    write_history(days=1)
    assert Customer.objects.get(phone="9820011001").name == "Prakash P."
    assert Customer.objects.filter(phone="9820011001").count() == 1
    assert Invoice.objects.exists()
