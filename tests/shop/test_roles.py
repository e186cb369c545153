"""What each role may open, for every admin URL of every registered model.

The table is written out by hand on purpose: it is the contract, not a copy of roles.py.
Letters: L list, A add form, V view an object, E edit it (save button), D delete, H history.
"""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_q.models import Failure, OrmQ, Schedule, Success

from catalog.models import ImportJob, PurchaseReceipt, Stock, StockCount, StockMovement, StockTransfer, Warehouse
from ledger.day_book import day_close
from ledger.posting import post_day_book
from reports.models import Report
from sales.models import Coupon, CreditNote, CreditNoteLine, DiscountRule, Invoice, Payment
from shop.models import Notification, OutboundEmail, ShopProfile
from tests import factories

EXPECTED = {
    # model                     owner     manager   cashier
    "shop.user":               ("LAVEDH", "", ""),
    "auth.group":              ("LAVEDH", "", ""),
    "shop.shopprofile":        ("LVEH", "LVEH", ""),
    "shop.outboundemail":      ("LVH", "LVH", ""),  # a record; owner and manager resend by an action
    "shop.notification":       ("LVH", "LVH", "LVH"),  # everyone has an inbox; another's row is "not found" (302)
    "catalog.taxrate":         ("LAVEDH", "LAVEDH", "LVH"),
    "catalog.unit":            ("LAVEDH", "LAVEDH", "LVH"),
    "catalog.category":        ("LAVEDH", "LAVEDH", "LVH"),
    "catalog.brand":           ("LAVEDH", "LAVEDH", "LVH"),
    "catalog.supplier":        ("LAVEDH", "LAVEDH", ""),
    "catalog.warehouse":       ("LAVEDH", "LAVEDH", "LVH"),
    "catalog.product":         ("LAVEDH", "LAVEDH", "LVH"),
    "catalog.stock":           ("LVEH", "LVEH", "LVH"),
    "catalog.stockmovement":   ("LVH", "LVH", ""),
    "catalog.purchasereceipt": ("LAVEDH", "LAVEDH", ""),
    "catalog.stocktransfer":   ("LAVEDH", "LAVEDH", ""),
    "catalog.stockcount":      ("LAVEDH", "LAVEDH", ""),
    "catalog.importjob":       ("LVH", "L", ""),  # a record; this one another manager's: the owner sees every job
    "ledger.customer":         ("LAVEDH", "LAVEDH", "LAVEH"),
    "ledger.daybookentry":     ("LVH", "LVH", "LVH"),  # the list is the day book; a cashier's own of today
    "ledger.dayclosing":       ("LVH", "LVH", ""),  # written by closing a day, never edited
    "ledger.creditentry":      ("LVH", "LVH", ""),  # khata lines, written by services; a cashier sees balances only
    "sales.invoice":           ("LVH", "LVH", "LVH"),  # made at the counter, never edited; a cashier's own
    "sales.payment":           ("LVH", "LVH", "LVH"),  # recorded by checkout; UPI ones confirmed by UTR
    "sales.creditnote":        ("LVH", "LVH", "LVH"),  # made by the Returns screen, never edited; a cashier's own
    "sales.discountrule":      ("LAVEDH", "LAVEDH", ""),  # offers: the counter applies them, cashiers never edit
    "sales.coupon":            ("LAVEDH", "LAVEDH", ""),  # codes; a cashier only types one at the counter
    "django_q.schedule":       ("LVEH", "LVH", ""),  # defined in code; the owner edits only when it runs
    "django_q.success":        ("LVH", "", ""),  # task records: the owner looks
    "django_q.failure":        ("LVH", "", ""),
    "django_q.ormq":           ("LVH", "", ""),
    "reports.report":          ("L", "L", ""),  # no table: its list is the Reports index, it has no object pages
}
ROLES = ("owner", "manager", "cashier")


def registered_models() -> set[str]:
    return {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}


def test_table_covers_every_model_admin():
    assert registered_models() == set(EXPECTED)


def make_instance(label: str, users: dict):
    """Return one saved object of the model, for the object URLs."""
    makers = {
        "shop.user": lambda: users["cashier"],
        "auth.group": lambda: Group.objects.get(name="Cashier"),
        "shop.shopprofile": ShopProfile.objects.get_profile,
        "shop.outboundemail": lambda: OutboundEmail.objects.create(
            to="asha@example.com", from_email="shop@example.com", subject="Invoice", text_body="Hi",
            html_body="<p>Hi</p>", status="failed", attempts=8, last_error="SMTPConnectError"),
        "shop.notification": lambda: Notification.objects.create(user=users["owner"], text="Cash short by ₹150"),
        "catalog.taxrate": lambda: factories.tax_rate("5"),
        "catalog.unit": lambda: factories.unit("kg"),
        "catalog.category": factories.CategoryFactory,
        "catalog.brand": factories.BrandFactory,
        "catalog.supplier": factories.SupplierFactory,
        "catalog.warehouse": factories.WarehouseFactory,
        "catalog.product": factories.ProductFactory,
        "catalog.stock": lambda: Stock.objects.create(
            product=factories.ProductFactory(), warehouse=factories.WarehouseFactory()),
        "catalog.stockmovement": lambda: StockMovement.objects.create(
            product=factories.ProductFactory(), warehouse=factories.WarehouseFactory(), kind="opening",
            quantity=5, balance_after=5),
        "catalog.purchasereceipt": lambda: PurchaseReceipt.objects.create(
            supplier=factories.SupplierFactory(), bill_number="B1", warehouse=factories.WarehouseFactory()),
        "catalog.stocktransfer": lambda: StockTransfer.objects.create(
            from_warehouse=factories.WarehouseFactory(), to_warehouse=factories.WarehouseFactory()),
        "catalog.stockcount": lambda: StockCount.objects.create(warehouse=factories.WarehouseFactory()),
        "catalog.importjob": lambda: ImportJob.objects.create(
            created_by=factories.UserFactory(username="manager2", role="Manager"), kind="products",
            file_name="products.csv", file_format="csv", upload_token="f" * 64, status="done"),
        "ledger.customer": factories.CustomerFactory,
        "ledger.daybookentry": lambda: post_day_book(entries=[("sale", "cash", Decimal("10"))],
                                                     day=timezone.localdate(), user=users["cashier"])[0],
        "ledger.dayclosing": lambda: day_close(day=timezone.localdate() - timedelta(days=1), counted_cash="0",
                                               user=users["owner"]),
        "ledger.creditentry": lambda: khata_payment(users),
        "sales.payment": lambda: Payment.objects.create(
            invoice=make_instance("sales.invoice", users), method="upi", amount=10, status="awaiting",
            received_by=users["cashier"]),
        "sales.invoice": lambda: Invoice.objects.create(
            number=f"T/26-27/{Invoice.objects.count() + 1:05d}", financial_year="26-27", cashier=users["cashier"],
            place_of_supply="27", warehouse=Warehouse.objects.get(is_default=True)),
        "sales.creditnote": lambda: credit_note_for(make_instance("sales.invoice", users), users["cashier"]),
        "sales.discountrule": lambda: DiscountRule.objects.create(name="Weekend 10%", kind="percent", value=10,
                                                                 coupon_only=True),  # not on the audit's sale
        "sales.coupon": lambda: Coupon.objects.create(
            code=f"WELCOME{Coupon.objects.count()}", rule=DiscountRule.objects.create(name="Welcome ₹50", kind="flat",
                                                                                     value=50, coupon_only=True)),
        "django_q.schedule": lambda: Schedule.objects.create(func="math.floor", name="test"),
        "django_q.success": lambda: Success.objects.create(
            id="s1", name="done", func="math.floor", started="2026-01-01T00:00Z", stopped="2026-01-01T00:00Z",
            success=True),
        "django_q.failure": lambda: Failure.objects.create(
            id="f1", name="failed", func="math.floor", started="2026-01-01T00:00Z", stopped="2026-01-01T00:00Z",
            success=False),
        "django_q.ormq": lambda: OrmQ.objects.create(key="galla", payload="x", lock="2026-01-01T00:00Z"),
        "reports.report": lambda: Report(pk=1),  # never saved: the model has no table
    }
    return makers[label]()


def credit_note_for(invoice: Invoice, user) -> CreditNote:
    """Return a credit note taking back all of the invoice, written directly (the pages only read it)."""
    credit_note = CreditNote.objects.create(
        number=f"TC/26-27/{CreditNote.objects.count() + 1:05d}", financial_year="26-27", invoice=invoice,
        customer=invoice.customer, created_by=user, refund_method="cash", refund_amount=invoice.grand_total,
        grand_total=invoice.grand_total, taxable_total=invoice.taxable_total)
    CreditNoteLine.objects.bulk_create([CreditNoteLine(
        credit_note=credit_note, invoice_line=line, product=line.product, description=line.description,
        quantity=line.quantity, unit=line.unit, unit_price=line.unit_price, taxable_value=line.taxable_value,
        tax_rate=line.tax_rate, cgst=line.cgst, sgst=line.sgst, line_total=line.line_total)
        for line in invoice.lines.all()])
    return credit_note


def khata_payment(users: dict):
    """A repayment taken by users["cashier"] from a customer with an opening balance."""
    from ledger.services import credit_opening_balance, credit_payment_receive

    customer = factories.CustomerFactory()
    credit_opening_balance(customer=customer, amount="500", user=users["owner"])
    return credit_payment_receive(customer=customer, amount="200", method="cash", user=users["cashier"])


def allowed(response) -> bool:
    """True when the page opened (or the admin sent the user on to another page of the model)."""
    if response.status_code == 200:
        return True
    if response.status_code == 302:
        return "/login/" not in urlparse(response["Location"]).path
    assert response.status_code in (403, 404), response.status_code
    return False


def url(label: str, view: str, *args) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def opened_pages(client, label: str, obj) -> str:
    """Return the letters of the pages this client could open for the model.

    A page the admin does not route (no add form; no object pages for the tableless Report) opens for nobody.
    """
    letters = ""
    if allowed(client.get(url(label, "changelist"))):
        letters += "L"
    try:
        if allowed(client.get(url(label, "add"))):
            letters += "A"
    except NoReverseMatch:
        pass
    try:
        change = client.get(url(label, "change", obj.pk))
    except NoReverseMatch:
        return letters
    if allowed(change):
        letters += "V"
        if b'name="_save"' in change.content:
            letters += "E"
    if allowed(client.get(url(label, "delete", obj.pk))):
        letters += "D"
    if allowed(client.get(url(label, "history", obj.pk))):
        letters += "H"
    return letters


@pytest.mark.django_db
@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_each_role_opens_exactly_its_pages(client, label):
    users = {"owner": factories.owner(), "manager": factories.manager(), "cashier": factories.cashier()}
    obj = make_instance(label, users)
    got = {}
    for role in ROLES:
        client.force_login(users[role])
        got[role] = opened_pages(client, label, obj)
    assert got == dict(zip(ROLES, EXPECTED[label], strict=True))


@pytest.mark.django_db
def test_admin_refuses_non_staff(client):
    user = factories.UserFactory(is_staff=False)
    client.force_login(user)
    response = client.get(reverse("admin:catalog_product_changelist"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_syncing_roles_leaves_the_installed_apps_intact():
    """Regression: the sync once cleared app configs' models_module, which silenced post_migrate."""
    from django.apps import apps

    from shop.roles import sync_role_permissions

    before = {config.label: config.models_module for config in apps.get_app_configs()}
    sync_role_permissions(apps)
    assert {config.label: config.models_module for config in apps.get_app_configs()} == before


@pytest.mark.django_db
def test_cashier_never_sees_cost_prices(client, cashier, owner):
    product = factories.ProductFactory(cost_price="71.25")
    for user, shows_cost in ((cashier, False), (owner, True)):
        client.force_login(user)
        listing = client.get(reverse("admin:catalog_product_changelist")).content.decode()
        page = client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()
        assert ("₹71.25" in listing) is shows_cost
        assert ("71.25" in page) is shows_cost
