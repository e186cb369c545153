"""Import and export of customers with their opening balances (django-import-export), on the catalogue's
machinery (catalog.resources.ShopResource): all rows or none, errors named by row and column, numbers read
as shops write them, upload limits.

Customers are matched by phone (rows without a phone are new customers) and saved row by row through
save(), so simple-history records who imported them. An `opening_balance` column records what a customer
already owed, through `ledger.services.credit_opening_balance`, once every row has passed; its
`opening_balance_date` (optional) is the day it was owed from, for ageing. A customer has one opening
balance: a file may repeat the one they have (an export imported again changes nothing), never change it.
"""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from import_export import fields, widgets

from catalog.import_widgets import NumberWidget, StateWidget, TextWidget, YesNoWidget, chunks, clean_text
from catalog.resources import ShopResource, column
from ledger.models import CreditEntry, Customer
from ledger.services import credit_opening_balance, customer_new
from shop.money import format_inr

DAY_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")


class DayWidget(widgets.Widget):
    """A date as Indian shops write it (25-11-2026, 25/11/2026) or ISO (2026-11-25), or an Excel date."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = clean_text(value)
        if not text:
            return None
        for pattern in DAY_FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(f'"{text}" is not a date; write it like 25-11-2026.')

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d-%m-%Y") if value else ""


def _phone_key(phone: str) -> str:
    """Return the last ten digits of a phone number: +91 98765 43210 and 9876543210 are one number."""
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-10:] if len(digits) >= 10 else phone


class CustomerResource(ShopResource):
    """Columns: name, phone, email, gstin, state, address, credit_limit, is_active, notes, opening_balance,
    opening_balance_date. Only name is required; an empty credit_limit gives a new customer the shop's
    default limit and leaves an existing one's as it is."""

    name = column("name", TextWidget(blank=False), keep_when_empty=True)
    phone = column("phone", TextWidget())
    email = column("email", TextWidget())
    gstin = column("gstin", TextWidget(upper=True))
    state = column("state", StateWidget())
    address = column("address", TextWidget())
    credit_limit = column("credit_limit", NumberWidget(label="Credit limit"), keep_when_empty=True)
    is_active = column("is_active", YesNoWidget(), keep_when_empty=True)
    notes = column("notes", TextWidget())
    opening_balance = fields.Field(attribute="opening_balance", column_name="opening_balance",
                                   widget=NumberWidget(label="Opening balance"), saves_null_values=True)
    opening_balance_date = fields.Field(attribute="opening_balance_date", column_name="opening_balance_date",
                                        widget=DayWidget(), saves_null_values=True)

    required_columns = ("name",)
    column_aliases = {"mobile": "phone", "phone_number": "phone", "limit": "credit_limit", "active": "is_active",
                      "opening": "opening_balance", "balance": "opening_balance", "udhar": "opening_balance",
                      "opening_date": "opening_balance_date", "owed_since": "opening_balance_date"}

    class Meta(ShopResource.Meta):
        model = Customer
        name = "Customers"
        fields = ("name", "phone", "email", "gstin", "state", "address", "credit_limit", "is_active", "notes",
                  "opening_balance", "opening_balance_date")
        import_id_fields = ("phone",)
        # Row by row through save(), so the customer history names who imported them.
        use_bulk = False

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        phones = sorted({clean_text(v) for v in dataset["phone"]} - {""}) if "phone" in dataset.headers else []
        self._phones = phones
        # A stored number written another way (+91 98765 43210 for 9876543210) belongs to someone already.
        self._phone_owners = {_phone_key(phone): (phone, name) for phone, name
                              in Customer.objects.exclude(phone="").values_list("phone", "name")}
        self._openings: list[tuple[Customer, Decimal, date | None]] = []

    def existing_instances(self, dataset):
        return {c.phone: c for chunk in chunks(self._phones) for c in Customer.objects.filter(phone__in=chunk)}

    def row_key(self, row):
        return clean_text(row.get("phone")) or None

    def init_instance(self, row=None):
        return customer_new()  # the shop's default credit limit

    def file_key(self, instance):
        return _phone_key(instance.phone) if instance.phone else None

    def duplicate_message(self, instance, first_row):
        return "phone", f"Phone {instance.phone} is already on row {first_row} of this file."

    def row_problems(self, instance, row, row_number):
        problems = super().row_problems(instance, row, row_number)
        owner = self._phone_owners.get(_phone_key(instance.phone)) if instance.phone else None
        if owner and owner[0] != instance.phone and "phone" not in problems:
            problems["phone"] = f"{owner[1]} already has this number, written {owner[0]}; write it that way."
        amount, day = getattr(instance, "opening_balance", None), getattr(instance, "opening_balance_date", None)
        if amount is not None and amount > 0:
            problem = self._opening_problem(instance, amount, day)
            if problem:
                problems["opening_balance"] = problem
        elif day is not None:
            problems["opening_balance_date"] = "There is no opening balance on this row to date."
        if day is not None and day > timezone.localdate():
            problems["opening_balance_date"] = f"{day:%d-%m-%Y} is in the future."
        return problems

    def _opening_problem(self, instance, amount: Decimal, day: date | None) -> str:
        if amount != amount.quantize(Decimal("0.01")) or amount > Decimal("999999999999.99"):
            return "An opening balance has at most 12 digits and two decimals (paise)."
        existing = self._existing_opening(instance)
        if existing is not None and existing.amount != amount:
            return (f"{instance.name} already has an opening balance of {format_inr(existing.amount)}; "
                    f"correct it with an adjustment on the customer's page.")
        return ""

    def _existing_opening(self, instance) -> CreditEntry | None:
        if not instance.pk:
            return None
        return instance.credit_entries.filter(kind=CreditEntry.Kind.OPENING, reversed_by__isnull=True).first()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        amount = getattr(instance, "opening_balance", None)
        repeats_opening = amount and (existing := self._existing_opening(instance)) is not None \
            and existing.amount == amount
        if amount and not repeats_opening:
            return False  # a new opening balance is a change even when the customer's fields are not
        return super().skip_row(instance, original, row, import_validation_errors)

    def _values(self, instance) -> tuple:
        # The opening balance is not a column of the customer: only their own fields decide "unchanged".
        return tuple(getattr(instance, attname, None) for attname in self._attnames
                     if attname not in ("opening_balance", "opening_balance_date"))

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self._user

    def after_save_instance(self, instance, row, **kwargs):
        amount = getattr(instance, "opening_balance", None)
        if amount and self._existing_opening(instance) is None:
            self._openings.append((instance, amount, getattr(instance, "opening_balance_date", None)))

    def after_import(self, dataset, result, **kwargs):
        """Record the opening balances once every row has passed (the whole import is one transaction)."""
        if not self._nothing_to_keep(result):
            for customer, amount, day in self._openings:
                credit_opening_balance(customer=customer, amount=amount, day=day, user=self._user,
                                       note="Imported")
        self._openings = []

    def filter_export(self, queryset, **kwargs):
        openings = CreditEntry.objects.filter(kind=CreditEntry.Kind.OPENING, reversed_by__isnull=True,
                                              customer__in=queryset.values("pk"))
        self._export_openings = {entry.customer_id: entry for entry in openings}
        return queryset

    def dehydrate_opening_balance(self, customer):
        entry = getattr(self, "_export_openings", {}).get(customer.pk)
        return f"{entry.amount:f}" if entry else ""

    def dehydrate_opening_balance_date(self, customer):
        entry = getattr(self, "_export_openings", {}).get(customer.pk)
        return timezone.localtime(entry.created_at).strftime("%d-%m-%Y") if entry else ""
