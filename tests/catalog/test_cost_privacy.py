"""Cost prices stay hidden from users without `catalog.view_cost_price` (cashiers): no querystring filter on a
cost (the binary-search attack), no cost in history pages or diffs, no filtered export; junk export
parameters are a clear refusal, never a 500."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse
from unfold.decorators import display

from catalog.admin import ProductAdmin
from catalog.costs import COST_FIELDS, lookup_touches_cost
from catalog.models import Product, Warehouse
from catalog.services import StockChange, stock_add_opening
from tests import factories

pytestmark = pytest.mark.django_db
D = Decimal

# Lookups a cashier could use to binary-search a cost, by admin list.
COST_PROBES = [
    ("product", "cost_price", "22.50"),
    ("product", "cost_price__gte", "100"),
    ("product", "cost_price__lt", "5"),
    ("product", "cost_price__in", "22.50,1"),
    ("product", "cost_price__isnull", "0"),
]
RELATED_COST_PROBES = [
    ("product", "movements__unit_cost__gte", "1"),
    ("stock", "product__cost_price__lt", "5"),
    ("stock", "product__cost_price", "22.50"),
]


def url(model: str, view: str, *args) -> str:
    return reverse(f"admin:catalog_{model}_{view}", args=args)


@pytest.fixture
def shop_floor():
    return Warehouse.objects.get(is_default=True)


@pytest.fixture
def cheap_and_dear(shop_floor):
    """Two stocked products, one costing 22.50 and one 150.00."""
    cheap = factories.ProductFactory(name="Cheap soap", cost_price=D("22.50"), selling_price=D("40.00"))
    dear = factories.ProductFactory(name="Dear ghee", cost_price=D("150.00"), selling_price=D("199.00"))
    stock_add_opening(entries=[StockChange(cheap, shop_floor, D("5")), StockChange(dear, shop_floor, D("5"))],
                      user=None)
    return cheap, dear


def export_csv(client, model: str, query: str = "") -> list[list[str]]:
    response = client.post(url(model, "export") + query, {"resource": "0", "format": "0"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def assert_refused(response) -> None:
    """Refused: a 400, or a redirect that carries no filter; never a filtered page, never a 500."""
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        assert "cost" not in response["Location"]


# --- querystring filters on the lists ---


@pytest.mark.parametrize(("model", "lookup", "value"), COST_PROBES)
def test_cashier_cost_filter_on_a_list_is_refused(client, cashier, cheap_and_dear, model, lookup, value):
    client.force_login(cashier)
    assert_refused(client.get(url(model, "changelist"), {lookup: value}))


@pytest.mark.parametrize(("model", "lookup", "value"), RELATED_COST_PROBES)
def test_cashier_cost_filter_through_a_relation_is_refused(client, cashier, cheap_and_dear, model, lookup, value):
    """Guard: Django refuses these already (a relation lookup outside list_filter); the cost rule keeps it so."""
    client.force_login(cashier)
    assert_refused(client.get(url(model, "changelist"), {lookup: value}))


def test_cashier_cannot_binary_search_a_cost(client, cashier, cheap_and_dear):
    """The probe from the issue: each answer must be the same refusal, whatever the guess."""
    client.force_login(cashier)
    answers = {client.get(url("product", "changelist"), {"cost_price__gte": guess}).status_code
               for guess in ("0", "22.50", "22.51", "100", "1000")}
    assert answers == {400}


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_still_filter_products_by_cost(client, request, cheap_and_dear, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(url("product", "changelist"), {"cost_price__gte": "100"})
    assert response.status_code == 200
    assert [p.name for p in response.context["cl"].result_list] == ["Dear ghee"]


def test_every_admin_refuses_every_cost_lookup_to_a_cashier(cashier):
    """Walk each registered admin's model through its relations (two hops) to every cost field."""
    request = RequestFactory().get("/")
    request.user = cashier
    checked = 0
    for model, model_admin in admin.site._registry.items():
        for lookup in _cost_paths(model, hops=2):
            for suffix in ("", "__gte", "__lt"):
                assert not model_admin.lookup_allowed(lookup + suffix, "1", request), (model, lookup + suffix)
                checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_may_look_up_local_cost_fields(request, role):
    user = request.getfixturevalue(role)
    http_request = RequestFactory().get("/")
    http_request.user = user
    assert admin.site._registry[Product].lookup_allowed("cost_price__gte", "1", http_request)


def test_no_admin_searches_a_cost_field(cashier, owner):
    for user in (cashier, owner):
        request = RequestFactory().get("/")
        request.user = user
        for model, model_admin in admin.site._registry.items():
            for field in model_admin.get_search_fields(request):
                assert not lookup_touches_cost(model, field.lstrip("^=@")), (model, field)


def test_cashier_product_autocomplete_shows_no_cost(client, cashier, cheap_and_dear):
    client.force_login(cashier)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "catalog", "model_name": "stockmovement", "field_name": "product", "term": "soap"})
    assert response.status_code == 200
    assert "Cheap soap" in response.content.decode()
    assert "22.5" not in response.content.decode()


def test_a_column_sorted_by_a_cost_is_hidden_from_a_cashier(rf, cashier, owner):
    """A column need not be named a cost to betray one: sorting by it orders the products by cost."""

    class MarginAdmin(ProductAdmin):
        list_display = ("name", "margin")

        @display(description="Margin", ordering="-cost_price")
        def margin(self, obj):
            return obj.selling_price - obj.cost_price

    margin_admin = MarginAdmin(Product, admin.site)
    for user, shown in ((cashier, ["name"]), (owner, ["name", "margin"])):
        request = rf.get("/")
        request.user = user
        assert list(margin_admin.get_list_display(request)) == shown
        assert list(margin_admin.get_sortable_by(request)) == shown


def test_cashier_cannot_sort_the_product_list_by_cost(client, cashier, cheap_and_dear):
    """Guard: every ?o= index a cashier may send orders by something other than a cost."""
    client.force_login(cashier)
    for index in range(12):
        response = client.get(url("product", "changelist"), {"o": str(index)})
        assert response.status_code == 200
        assert "cost_price" not in str(response.context["cl"].queryset.query.order_by)


# --- export ---


@pytest.mark.parametrize("query", ["?cost_price__gte=100", "?cost_price=22.50", "?cost_price__lt=5"])
def test_cashier_export_refuses_a_cost_filter(client, cashier, cheap_and_dear, query):
    client.force_login(cashier)
    assert_refused(client.get(url("product", "export") + query))
    response = client.post(url("product", "export") + query, {"resource": "0", "format": "0"})
    assert_refused(response)
    assert "Dear ghee" not in response.content.decode()


def test_cashier_stock_export_refuses_a_product_cost_filter(client, cashier, cheap_and_dear):
    """Guard, as on the list: the relation lookup is refused by Django and by the cost rule."""
    client.force_login(cashier)
    assert_refused(client.post(url("stock", "export") + "?product__cost_price__lt=50",
                               {"resource": "0", "format": "0"}))


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_export_filtered_by_cost(client, request, cheap_and_dear, role):
    client.force_login(request.getfixturevalue(role))
    header, *rows = export_csv(client, "product", "?cost_price__gte=100")
    assert [row[header.index("name")] for row in rows] == ["Dear ghee"]


@pytest.mark.parametrize("query", ["?foo=1", "?page=abc", "?name__nosuchlookup=1", "?is_active=maybe",
                                   "?selling_price__gte=abc"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", ["owner", "cashier"])
def test_export_with_an_unknown_parameter_goes_back_to_the_list(client, request, cheap_and_dear, query, method, role):
    client.force_login(request.getfixturevalue(role))
    form = {"resource": "0", "format": "0"} if method == "post" else {}
    response = getattr(client, method)(url("product", "export") + query, form)
    assert response.status_code == 302
    assert response["Location"] == url("product", "changelist") + "?e=1"
    assert any("filter" in str(m) for m in get_messages(response.wsgi_request))


def test_cashier_export_with_a_cost_named_parameter_is_refused(client, cashier, cheap_and_dear):
    """`cost` is the list's cost column, not a field: for an owner a bad filter, for a cashier a refused one."""
    client.force_login(cashier)
    assert client.post(url("product", "export") + "?cost__gte=1", {"resource": "0", "format": "0"}).status_code == 400


@pytest.mark.parametrize("query", ["?p=abc", "?o=abc", "?p=999"])
def test_export_ignores_the_lists_page_and_sort_parameters(client, owner, cheap_and_dear, query):
    """Guard: the list's own page and sort parameters do not stop an export."""
    client.force_login(owner)
    header, *rows = export_csv(client, "product", query)
    assert {row[header.index("name")] for row in rows} == {"Cheap soap", "Dear ghee"}


def test_export_keeps_a_valid_filter(client, owner, cheap_and_dear):
    client.force_login(owner)
    header, *rows = export_csv(client, "product", "?q=soap")
    assert [row[header.index("name")] for row in rows] == ["Cheap soap"]


# --- history ---


@pytest.fixture
def repriced(owner):
    """A product whose cost the owner changed from 22.50 to 23.10 (and its name, so a diff remains)."""
    product = factories.ProductFactory(name="Toor dal 1 kg", cost_price=D("22.50"), selling_price=D("40.00"))
    product.cost_price = D("23.10")
    product.name = "Toor dal (1 kg)"
    product._history_user = owner
    product.save()
    return product


def history_pages(client, product) -> list[str]:
    versions = product.history.order_by("history_id")
    pages = [client.get(url("product", "history", product.pk))]
    pages += [client.get(url("product", "simple_history", product.pk, v.history_id)) for v in versions]
    assert all(page.status_code == 200 for page in pages)
    return [page.content.decode() for page in pages]


def test_cashier_product_history_shows_no_cost(client, cashier, repriced):
    client.force_login(cashier)
    for page in history_pages(client, repriced):
        assert "22.50" not in page and "23.10" not in page and "22.5" not in page
        assert "Cost price" not in page and "cost_price" not in page


def test_cashier_product_history_still_shows_other_changes(client, cashier, repriced):
    client.force_login(cashier)
    listing = history_pages(client, repriced)[0]
    assert "Toor dal (1 kg)" in listing and "Name" in listing


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_see_the_cost_change_in_history(client, request, repriced, role):
    client.force_login(request.getfixturevalue(role))
    listing, *versions = history_pages(client, repriced)
    assert "Cost price" in listing and "22.50" in listing and "23.10" in listing
    assert "23.10" in versions[-1]


def test_cashier_cannot_save_a_product_through_its_history_page(client, cashier, repriced):
    version = repriced.history.earliest("history_id")
    client.force_login(cashier)
    response = client.post(url("product", "simple_history", repriced.pk, version.history_id), {
        "name": "Changed by cashier", "sku": repriced.sku, "unit": repriced.unit_id, "selling_price": "1.00",
        "tax_rate": repriced.tax_rate_id, "tax_inclusive": "on", "is_active": "on", "reorder_quantity": "0",
        "stocks-TOTAL_FORMS": "0", "stocks-INITIAL_FORMS": "0"})
    assert response.status_code == 403
    repriced.refresh_from_db()
    assert repriced.name == "Toor dal (1 kg)" and repriced.selling_price == D("40.00")


def _cost_paths(model, *, hops: int, prefix: str = "", seen=()) -> list[str]:
    """Return every lookup path from `model` to a cost field, following relations up to `hops` times."""
    paths = [prefix + name for name in COST_FIELDS.get(model._meta.label_lower, ())]
    if hops == 0:
        return paths
    for field in model._meta.get_fields():
        if not field.is_relation or field.related_model is None or field.related_model in seen:
            continue
        # A reverse relation's `name` is its query name (products, movements...).
        paths += _cost_paths(field.related_model, hops=hops - 1, prefix=f"{prefix}{field.name}__",
                             seen=(*seen, model))
    return paths
