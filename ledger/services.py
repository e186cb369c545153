from django.db import transaction

from ledger.models import Customer


@transaction.atomic
def customer_create(*, name: str, phone: str = "", email: str = "", gstin: str = "", state: str = "") -> Customer:
    """Register a customer after validating every field (phone unique, GSTIN checksum...)."""
    customer = Customer(name=name.strip(), phone=phone.strip(), email=email.strip(), gstin=gstin.strip().upper(),
                        state=state.strip())
    customer.full_clean()
    customer.save()
    return customer
