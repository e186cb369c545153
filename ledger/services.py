"""Writes to the customer register.

The admin and the counter both go through these functions, so the rule on who may set a customer's
credit limit, state, GSTIN and active flag holds whichever screen (or crafted request) asks.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ledger.models import Customer
from shop.models import ShopProfile, User

CREDIT_PERMISSION = "ledger.manage_customer_credit"
# Anyone who may change a customer may fix these.
EDITABLE_FIELDS = ("name", "phone", "email", "address", "notes")
# How much credit a customer gets and how their bills are taxed: an owner's or manager's decision.
PROTECTED_FIELDS = ("credit_limit", "state", "gstin", "is_active")
CUSTOMER_FIELDS = EDITABLE_FIELDS + PROTECTED_FIELDS
REFUSALS = {
    "credit_limit": _("Only an owner or manager can set the credit limit."),
    "state": _("Only an owner or manager can set the state."),
    "gstin": _("Only an owner or manager can set the GSTIN."),
    "is_active": _("Only an owner or manager can deactivate or reactivate a customer."),
}


def customer_may_manage_credit(*, user: User) -> bool:
    """Return whether this user may set credit limits, tax details and the active flag."""
    return user.has_perm(CREDIT_PERMISSION)


def customer_new() -> Customer:
    """Return an unsaved customer with the shop's defaults (the default credit limit)."""
    return Customer(credit_limit=ShopProfile.objects.get_profile().default_credit_limit)


@transaction.atomic
def customer_create(
    *,
    user: User,
    name: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    notes: str = "",
    gstin: str = "",
    state: str = "",
    credit_limit: Decimal | str | None = None,
    is_active: bool = True,
) -> Customer:
    """Register a customer after validating every field (phone unique, GSTIN checksum...).

    Without a credit limit the customer gets the shop's default one. A user without the credit
    permission may leave the protected fields at their defaults only.
    """
    fields: dict[str, Any] = {"name": name, "phone": phone, "email": email, "address": address, "notes": notes,
                              "gstin": gstin, "state": state, "is_active": is_active}
    if credit_limit is not None:
        fields["credit_limit"] = credit_limit
    customer = customer_new()
    customer_apply(customer=customer, user=user, fields=fields)
    return _save(customer, user)


@transaction.atomic
def customer_update(*, customer: Customer, user: User, **fields: Any) -> Customer:
    """Change a customer's fields and return the saved row.

    The stored row (locked), not the instance passed in, is what a change is judged against: a user
    without the credit permission may send protected fields only with their stored values. A change
    that changes nothing saves nothing.
    """
    stored = Customer.objects.select_for_update().get(pk=customer.pk)
    before = _values(stored)
    customer_apply(customer=stored, user=user, fields=fields)
    if _values(stored) == before:
        return stored  # nothing changed: no history row saying so
    return _save(stored, user)


def customer_apply(*, customer: Customer, user: User, fields: dict[str, Any]) -> None:
    """Set `fields` on the unsaved `customer`; raise a ValidationError naming every field refused or invalid.

    Text is trimmed and the GSTIN upper-cased; values are parsed as the model's fields parse them.
    """
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise TypeError(f"Customers have no editable field {', '.join(sorted(unknown))}.")
    may_manage = customer_may_manage_credit(user=user)
    errors: dict[str, list[ValidationError]] = {}
    for name, raw in fields.items():
        try:
            value = _parsed(name, raw)
        except ValidationError as invalid:
            value, parse_error = None, invalid
        else:
            parse_error = None
        if name in PROTECTED_FIELDS and not may_manage and (parse_error or value != getattr(customer, name)):
            errors[name] = [ValidationError(REFUSALS[name], code="permission_denied")]
        elif parse_error:
            errors[name] = parse_error.error_list
        else:
            setattr(customer, name, value)
    try:
        customer.full_clean(exclude=list(errors))
    except ValidationError as invalid:
        for name, problems in invalid.error_dict.items():
            errors.setdefault(name, []).extend(problems)
    if errors:
        raise ValidationError(errors)


def _values(customer: Customer) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CUSTOMER_FIELDS}


def _parsed(name: str, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if name == "gstin":
            value = value.upper()
    return Customer._meta.get_field(name).to_python(value)


def _save(customer: Customer, user: User) -> Customer:
    customer._history_user = user  # the history names who changed it, with or without a request
    customer.save()
    return customer
