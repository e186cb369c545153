"""Demo data: a small kirana shop, its three users and a catalogue (optionally a very large one).

It lives in reports, the app that may import every other, and writes through their services: stock
arrives as opening-stock movements from catalog.services, never as rows written here.
"""

from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.apps import apps
from django.db import connection, transaction

from catalog.models import Brand, Category, Product, TaxRate, Unit, Warehouse
from catalog.reference import ensure_reference_data
from catalog.services import StockChange, stock_add_opening
from catalog.validators import gtin_check_digit
from reports.demo_data import MORE_CATEGORIES, MORE_PRODUCTS
from shop import roles
from shop.models import ShopProfile, User
from shop.roles import sync_role_permissions
from shop.services import user_set_role

DEMO_USERS = [
    # username, password, role, first name
    ("owner", "galla-owner", roles.OWNER, "Ramesh"),
    ("manager", "galla-manager", roles.MANAGER, "Sunita"),
    ("cashier", "galla-cashier", roles.CASHIER, "Arjun"),
]

CATEGORIES = {
    "Grocery": ["Staples", "Dairy", "Oil & ghee"],
    "Snacks": [],
    "Personal care": [],
    "Household": [],
    "Beverages": [],
}

# name, sku, brand, category, unit, hsn, gst %, mrp, price, cost, opening qty
PRODUCTS = [
    ("Tata Salt 1 kg", "SALT-1KG", "Tata", "Staples", "pcs", "2501", "0", "28", "28", "22.50", 60),
    ("Aashirvaad Atta 5 kg", "ATTA-5KG", "Aashirvaad", "Staples", "pcs", "1101", "5", "295", "285", "248", 25),
    ("बासमती चावल (Basmati rice)", "RICE-BASMATI", "", "Staples", "kg", "1006", "5", "", "120", "96", 80),
    ("तूर दाल (Toor dal)", "DAL-TOOR", "", "Staples", "kg", "0713", "0", "", "160", "132", 40),
    ("Amul Butter 100 g", "BUTTER-100G", "Amul", "Dairy", "pcs", "0405", "5", "58", "58", "50", 30),
    ("Fortune Sunflower Oil 1 l", "OIL-SUN-1L", "Fortune", "Oil & ghee", "pcs", "1512", "5", "165", "155", "138", 24),
    ("Parle-G Biscuits 250 g", "PARLEG-250", "Parle", "Snacks", "pcs", "1905", "5", "30", "30", "25.40", 100),
    ("Colgate Strong Teeth 200 g", "COLGATE-200", "Colgate", "Personal care", "pcs", "3306", "5", "120", "114",
     "96", 18),
    ("Surf Excel Easy Wash 1 kg", "SURF-1KG", "Surf Excel", "Household", "pcs", "3402", "18", "140", "136", "112", 3),
    ("Coca-Cola 750 ml", "COKE-750", "Coca-Cola", "Beverages", "pcs", "2202", "40", "45", "45", "33", 48),
]


def demo_barcode(number: int) -> str:
    """Return a valid EAN-13 in India's GS1 range (890...) for a running number."""
    body = f"890{number:09d}"
    return f"{body}{gtin_check_digit(body)}"


@dataclass
class SeedResult:
    users_created: list[str]
    products_created: int


@transaction.atomic
def seed_shop_and_users() -> list[str]:
    """Fill in the shop profile and create the demo users; return the usernames created now."""
    sync_role_permissions(apps)  # the roles exist even on a database emptied since migrating
    profile = ShopProfile.objects.get_profile()
    if profile.name == "My Shop":
        profile.name = "Sharma Kirana Store"
        profile.address = "12, Station Road, Dadar West, Mumbai 400028"
        profile.state = "27"
        profile.gstin = "27AAPFU0939F1ZV"
        profile.phone = "9820012345"
        profile.email = "sharma.kirana@example.com"
        profile.upi_vpa = "sharmakirana@okaxis"
        profile.invoice_prefix = "SKS"
        profile.full_clean()
        profile.save()
    created = []
    for username, password, role, first_name in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(username=username, first_name=first_name, is_staff=True)
        user.set_password(password)
        user.save()
        user_set_role(user=user, role=role)
        created.append(username)
    return created


@transaction.atomic
def seed_catalog(*, fuller: bool = False) -> int:
    """Create the demo categories, brands and products with opening stock; return products created.

    fuller: add the rest of the shelf a shop with a history stocks (reports.demo_data.MORE_PRODUCTS).
    """
    ensure_reference_data(TaxRate, Unit, Warehouse)
    for categories in (CATEGORIES, MORE_CATEGORIES) if fuller else (CATEGORIES,):
        for parent_name, children in categories.items():
            parent, _ = Category.objects.get_or_create(name=parent_name, parent=None)
            for child in children:
                Category.objects.get_or_create(name=child, parent=parent)
    categories = {c.name: c for c in Category.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    rates = {r.rate.normalize(): r for r in TaxRate.objects.filter(cess_rate=0)}
    products = PRODUCTS + MORE_PRODUCTS if fuller else PRODUCTS
    existing = set(Product.objects.filter(sku__in=[p[1] for p in products]).values_list("sku", flat=True))
    new_products = []
    # Barcodes number the products in list order, so the base catalogue's stay what they always were.
    for number, (name, sku, brand, category, unit, hsn, gst, mrp, price, cost, qty) in enumerate(products, 1):
        if sku in existing:
            continue
        product = Product(
            name=name, sku=sku, hsn_code=hsn, category=categories[category], unit=units[unit],
            brand=Brand.objects.get_or_create(name=brand)[0] if brand else None,
            barcode=demo_barcode(number) if unit == "pcs" else "",
            mrp=Decimal(mrp) if mrp else None, selling_price=Decimal(price), cost_price=Decimal(cost),
            tax_rate=rates[Decimal(gst).normalize()], reorder_level=Decimal("5"), reorder_quantity=Decimal("20"),
        )
        product.full_clean()
        product.save()
        new_products.append((product, Decimal(qty)))
    _add_opening_stock(new_products)
    return len(new_products)


def _add_opening_stock(products_with_quantity) -> None:
    """Record opening stock for new products in the default warehouse, through the stock service."""
    warehouse = Warehouse.objects.get(is_default=True)
    stock_add_opening(entries=[StockChange(p, warehouse, q, p.cost_price) for p, q in products_with_quantity],
                      user=None)


def seed_bulk_products(count: int, *, batch_size: int = 2000) -> int:
    """Make sure at least `count` generated products (SKU GEN-nnnnnn) exist, with opening stock."""
    already = Product.objects.filter(sku__startswith="GEN-").count()
    units = {u.code: u for u in Unit.objects.all()}
    rates = list(TaxRate.objects.filter(cess_rate=0))
    categories = list(Category.objects.all())
    brands = list(Brand.objects.all()) or [Brand.objects.create(name="Generic")]
    numbers = iter(range(already + 1, count + 1))
    created = 0
    while batch := list(islice(numbers, batch_size)):
        with transaction.atomic():
            products = Product.objects.bulk_create([
                Product(
                    name=f"Item {n:06d} {categories[n % len(categories)].name}", sku=f"GEN-{n:06d}",
                    barcode=demo_barcode(100000 + n), hsn_code="2106", category=categories[n % len(categories)],
                    brand=brands[n % len(brands)], unit=units["pcs"], selling_price=Decimal(10 + n % 490),
                    cost_price=Decimal(8 + n % 400), tax_rate=rates[n % len(rates)], reorder_level=Decimal("5"),
                    reorder_quantity=Decimal("24"),
                )
                for n in batch
            ])
            _add_opening_stock([(p, Decimal(50 + int(p.sku[4:]) % 150)) for p in products])
        created += len(products)
    if created and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, or the planner guesses from an empty table
            cursor.execute("ANALYZE catalog_product, catalog_stock, catalog_stockmovement")
    return created


def seed_demo(*, products: int = 0) -> SeedResult:
    """Seed everything a demo needs; running it again adds nothing twice."""
    users = seed_shop_and_users()
    created = seed_catalog()
    if products:
        created += seed_bulk_products(products)
    return SeedResult(users_created=users, products_created=created)
