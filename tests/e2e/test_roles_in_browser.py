import pytest
from django.core.management import call_command

from tests.conftest import transactional_db
from tests.e2e.conftest import save_screenshot

pytestmark = [pytest.mark.browser, transactional_db]


def sidebar_entries(page) -> set[str]:
    return {text.strip() for text in page.locator("#nav-sidebar-apps li a span:not(.material-symbols-outlined)")
            .all_inner_texts()}


@pytest.mark.parametrize(("username", "password", "must_see", "must_not_see"), [
    ("owner", "galla-owner", {"Products", "Customers", "Shop profile", "Users"}, set()),
    ("manager", "galla-manager", {"Products", "Stock movements", "Shop profile"}, {"Users", "Roles"}),
    ("cashier", "galla-cashier", {"Products", "Customers"},
     {"Users", "Roles", "Shop profile", "Stock movements", "Suppliers"}),
])
def test_each_demo_login_sees_its_sidebar(login, username, password, must_see, must_not_see):
    call_command("seed_demo")
    page = login(username, password)
    entries = sidebar_entries(page)
    assert must_see <= entries, entries
    assert not must_not_see & entries
    save_screenshot(page, f"sidebar-{username}.png")


def test_owner_dashboard_and_product_list_screenshot(login, live_server):
    call_command("seed_demo")
    page = login("owner", "galla-owner")
    save_screenshot(page, "admin-dashboard.png")
    page.goto(f"{live_server.url}/admin/catalog/product/")
    assert page.get_by_text("Aashirvaad Atta 5 kg").is_visible()
    assert page.get_by_text("₹285.00").first.is_visible()
    save_screenshot(page, "admin-products.png")
