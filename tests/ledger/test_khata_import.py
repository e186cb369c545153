"""Importing customers and their opening balances: all rows or none, errors named by row and column,
owners and managers only; an export imported again changes nothing."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ledger.models import CreditEntry, Customer
from ledger.selectors import customer_ageing, customer_balance
from ledger.services import credit_opening_balance

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data"
D = Decimal


def url(view: str) -> str:
    return reverse(f"admin:ledger_customer_{view}")


def preview(client, name: str = "", content: bytes = b""):
    upload = io.BytesIO(content or (DATA / name).read_bytes())
    upload.name = name or "customers.csv"
    return client.post(url("import"), {"resource": "0", "format": "0", "import_file": upload})


def confirm(client, preview_response):
    return client.post(url("process_import"), preview_response.context["confirm_form"].initial)


def test_an_owner_imports_customers_with_their_opening_balances(client, owner, shop):
    client.force_login(owner)
    response = preview(client, "customers.csv")
    assert response.context["confirm_form"] is not None
    assert not Customer.objects.exists()  # the preview is a dry run
    response = confirm(client, response)
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Imported 3 rows of customers: 3 new, 0 updated, 0 unchanged."]
    ramesh = Customer.objects.get(phone="9876511001")
    assert ramesh.name == "रमेश कुमार" and ramesh.credit_limit == D("5000")
    assert customer_balance(ramesh) == D("1800.50")
    opening = CreditEntry.objects.get(customer=ramesh)
    assert (opening.kind, opening.created_by, timezone.localdate(opening.created_at)) == (
        "opening", owner, date(2026, 8, 1))
    assert customer_ageing(ramesh).balance == D("1800.50")
    assert ramesh.history.get().history_user == owner  # saved one by one, with history
    traders = Customer.objects.get(phone="9876511002")
    assert traders.state == "29"  # from the GSTIN
    assert customer_balance(traders) == D("12000")
    anil = Customer.objects.get(phone="9876511003")
    assert anil.credit_limit == shop.default_credit_limit and anil.state == "27"
    assert not anil.credit_entries.exists()


def test_a_file_with_bad_rows_imports_nothing_and_names_each_one(client, owner, shop):
    client.force_login(owner)
    response = preview(client, "customers_bad.csv")
    assert "confirm_form" not in response.context
    errors = {(row.number, column): " ".join(messages)
              for row in response.context["result"].invalid_rows
              for column, messages in row.field_specific_errors.items()}
    assert set(errors) == {(3, "name"), (4, "phone"), (5, "gstin"), (6, "credit_limit"), (7, "opening_balance"),
                           (8, "opening_balance_date"), (9, "phone"), (10, "opening_balance_date")}
    assert "already on row 2" in errors[(9, "phone")]
    assert "in the future" in errors[(8, "opening_balance_date")]
    assert "not a date" in errors[(10, "opening_balance_date")]
    assert not Customer.objects.exists() and not CreditEntry.objects.exists()


def test_an_existing_customers_opening_balance_is_not_changed_by_an_import(client, owner, shop):
    customer = Customer.objects.create(name="Ramesh", phone="9876511001")
    credit_opening_balance(customer=customer, amount="100", user=owner)
    client.force_login(owner)
    content = b"name,phone,opening_balance\nRamesh,9876511001,200\n"
    response = preview(client, content=content)
    errors = [m for row in response.context["result"].invalid_rows
              for m in row.field_specific_errors.get("opening_balance", [])]
    assert errors and "already has an opening balance of ₹100.00" in errors[0]


def test_an_exported_file_imported_again_changes_nothing(client, owner, shop):
    client.force_login(owner)
    confirm(client, preview(client, "customers.csv"))
    exported = client.post(url("export"), {"resource": "0", "format": "0"}).content
    header, *rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert "opening_balance" in header and len(rows) == 3
    response = confirm(client, preview(client, content=exported))
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "Imported 3 rows of customers: 0 new, 0 updated, 3 unchanged.")
    assert CreditEntry.objects.count() == 2


def test_a_phone_written_another_way_is_refused_as_someone_elses(client, owner, shop):
    Customer.objects.create(name="Ramesh", phone="+919876511001")
    client.force_login(owner)
    response = preview(client, content=b"name,phone\nRamesh K,9876511001\n")
    errors = response.context["result"].invalid_rows[0].field_specific_errors
    assert "+919876511001" in errors["phone"][0]


def test_a_cashier_can_neither_import_nor_export_customers(client, cashier, shop):
    client.force_login(cashier)
    assert client.get(url("import")).status_code == 403
    assert client.post(url("process_import"), {}).status_code == 403
    assert client.post(url("export"), {"resource": "0", "format": "0"}).status_code == 403
    page = client.get(url("changelist")).content.decode()
    assert url("import") not in page and url("export") not in page


def test_a_manager_imports_customers(client, manager, shop):
    client.force_login(manager)
    assert confirm(client, preview(client, "customers.csv")).status_code == 302
    assert Customer.objects.count() == 3


def test_a_file_past_the_row_limit_is_refused_in_plain_words(client, owner, shop, settings):
    settings.IMPORT_MAX_ROWS = 2
    client.force_login(owner)
    response = preview(client, "customers.csv")
    problems = " ".join(response.context["form"].errors["import_file"])
    assert "rows" in problems and "import_catalog" not in problems
    assert not Customer.objects.exists()


def test_an_unreadable_file_is_explained(client, owner, shop):
    client.force_login(owner)
    response = preview(client, content="name,phone\nRāmesh,9876511001\n".encode("latin-1", "replace")
                       .replace(b"?", b"\xe2"))
    assert "CSV UTF-8" in " ".join(response.context["form"].errors["import_file"])
