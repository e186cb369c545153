"""Factories for the models tests need; one place, as the project grows."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from catalog.models import Brand, Category, Product, Supplier, TaxRate, Unit, Warehouse
from ledger.models import Customer
from shop import roles
from shop.models import User
from shop.services import user_set_role

PASSWORD = "test-pass-123"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        self.save()
        if extracted:
            user_set_role(user=self, role=extracted)


def owner(**kwargs) -> User:
    return UserFactory(username="owner", role=roles.OWNER, **kwargs)


def manager(**kwargs) -> User:
    return UserFactory(username="manager", role=roles.MANAGER, **kwargs)


def cashier(**kwargs) -> User:
    return UserFactory(username="cashier", role=roles.CASHIER, **kwargs)


def tax_rate(percent: str) -> TaxRate:
    """Return a seeded GST slab by its percentage."""
    return TaxRate.objects.get(rate=Decimal(percent), cess_rate=0)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")


class BrandFactory(DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")


class SupplierFactory(DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Warehouse

    name = factory.Sequence(lambda n: f"Store room {n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    hsn_code = "1905"
    unit = factory.LazyFunction(lambda: unit("pcs"))
    selling_price = Decimal("100.00")
    cost_price = Decimal("80.00")
    tax_rate = factory.LazyFunction(lambda: tax_rate("18"))


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="en_IN")
    phone = factory.Sequence(lambda n: f"98{n:08d}")
