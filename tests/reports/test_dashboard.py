"""The home page's dashboard: what the owner and the manager see first, and what the cashier does not."""

from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.dashboard import comparison_period, owner_dashboard, percent_change
from reports.insights import insights_for_day
from reports.selectors import sales_summary
from shop.money import format_inr
from tests import factories
from tests.reports.shop_history import at, clock, return_at, sell_at

pytestmark = pytest.mark.django_db
D = Decimal
WEDNESDAY = date(2026, 11, 25)
LAST_WEDNESDAY = WEDNESDAY - timedelta(weeks=1)


@pytest.fixture
def two_wednesdays(shop, stocked, cashier, manager):
    """Last Wednesday: one bill of ₹100. This Wednesday: two bills of ₹100 and ₹60 (one on credit), a return
    of ₹10, and a cash bill at 11:00 and at 18:00."""
    tea = stocked(name="Tea", selling_price=D("10"), cost_price=D("7"), tax_rate=factories.tax_rate("5"))
    customer = factories.CustomerFactory(name="Asha", credit_limit=D("1000"))
    sell_at(at(LAST_WEDNESDAY, 11), cashier, (tea, "10"))
    first = sell_at(at(WEDNESDAY, 11), cashier, (tea, "10"))
    sell_at(at(WEDNESDAY, 18), cashier, (tea, "6"), customer=customer,
            payments=[{"method": "credit", "amount": D("60")}])
    return_at(at(WEDNESDAY, 19), first, manager, "1")
    return {"tea": tea, "customer": customer}


def dashboard_page(client, user, query: str = "") -> str:
    client.force_login(user)
    with clock(at(WEDNESDAY, 21)):
        response = client.get(reverse("admin:index") + query)
    assert response.status_code == 200
    return response.content.decode()


def card(html: str, key: str) -> str:
    """Return the text of one card (up to the next card)."""
    return html.split(f'data-testid="card-{key}"', 1)[1].split('data-testid="card-', 1)[0]


def test_the_owner_sees_the_day_against_the_same_weekday_last_week(client, owner, two_wednesdays):
    html = dashboard_page(client, owner)
    assert "Today" in html and "Wed 25 Nov 2026" in html and "Wed 18 Nov" in html
    sales = card(html, "sales")
    assert "₹160.00" in sales and "vs ₹100.00" in sales and "+60%" in sales
    assert "2" in card(html, "bills") and "+100%" in card(html, "bills")
    assert "₹10.00" in card(html, "returns")
    assert "₹60.00" in card(html, "credit_given")
    assert "₹60.00" in card(html, "outstanding") and "1 customers" in card(html, "outstanding")
    assert "Asha" in html.split('data-testid="largest-balances"')[1]
    assert "Tea" in html.split('data-testid="top-products"')[1]


def test_the_cards_equal_the_sales_summary(owner, two_wednesdays):
    with clock(at(WEDNESDAY, 21)):
        context = owner_dashboard(user=owner, start=WEDNESDAY, end=WEDNESDAY)
        summary = sales_summary(start=WEDNESDAY, end=WEDNESDAY)
    cards = {card.key: card.value for card in context["sales_cards"]}
    assert cards["sales"] == format_inr(summary.sales_total)
    assert cards["gst"] == format_inr(summary.gst_total)
    assert cards["average_bill"] == format_inr(summary.average_bill)
    assert cards["gross_margin"] == format_inr(summary.gross_margin)
    assert cards["credit_collected"] == format_inr(summary.credit_collected)


def test_the_drawer_card_shows_the_days_expected_cash(client, owner, two_wednesdays):
    html = dashboard_page(client, owner)
    drawer = card(html, "cash_expected")
    # Last week's ₹100 was never closed, so it carries into the opening; today ₹100 in, ₹10 refunded.
    assert "₹190.00" in drawer and "opening ₹100.00" in drawer


def test_only_the_owner_sees_the_gross_margin(client, owner, manager, two_wednesdays):
    assert 'data-testid="card-gross_margin"' in dashboard_page(client, owner)
    manager_page = dashboard_page(client, manager)
    assert 'data-testid="dashboard"' in manager_page
    assert 'data-testid="card-gross_margin"' not in manager_page


def test_the_cashier_gets_their_shift_not_the_dashboard(client, cashier, two_wednesdays):
    html = dashboard_page(client, cashier)
    assert 'data-testid="dashboard"' not in html and "Your bills today" in html
    assert "Khata outstanding" not in html and "Asha" not in html


def test_the_date_picker_moves_the_dashboard_to_a_range(client, owner, two_wednesdays):
    html = dashboard_page(client, owner, f"?start={LAST_WEDNESDAY}&end={WEDNESDAY}")
    assert "Wed 18 Nov 2026 – Wed 25 Nov 2026" in html
    assert "₹260.00" in card(html, "sales")  # both Wednesdays and the days between
    assert "Today," not in html


def test_a_start_alone_runs_to_today(client, owner, two_wednesdays):
    with mock.patch("reports.dashboard.timezone.localdate", return_value=WEDNESDAY):
        html = dashboard_page(client, owner, f"?start={LAST_WEDNESDAY}")
    assert "Wed 18 Nov 2026 – Wed 25 Nov 2026" in html


@pytest.mark.parametrize(("query", "message"), [
    ("?start=2026-11-25&end=2026-11-01", "The end date is before the start date."),
    ("?start=2024-01-01&end=2026-11-25", "Pick at most a year."),
    ("?start=yesterday", "Enter a valid date."),
])
def test_a_bad_date_says_why_and_shows_today(client, owner, two_wednesdays, query, message):
    html = dashboard_page(client, owner, query)
    errors = html.split('data-testid="period-errors"')[1]
    assert message in errors and "Showing today instead." in errors
    assert "₹160.00" in card(html, "sales")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.text(max_size=30), end=st.one_of(st.text(max_size=30), st.dates().map(str)))
def test_any_date_input_answers_200(client, owner, start, end):
    client.force_login(owner)
    response = client.get(reverse("admin:index"), {"start": start, "end": end})
    assert response.status_code == 200


def test_the_dashboard_queries_do_not_grow_with_the_bills(owner, shop, stocked, cashier):
    tea = stocked(name="Tea", selling_price=D("10"))

    def queries_for_the_day() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # the insights are computed each time, as after a new bill
        with clock(at(WEDNESDAY, 21)), CaptureQueriesContext(connection) as captured:
            owner_dashboard(user=owner, start=WEDNESDAY, end=WEDNESDAY)
        return len(captured)

    sell_at(at(WEDNESDAY, 10), cashier, (tea, "1"))
    queries_for_the_day()  # the shop profile and content types are cached after the first page
    one_bill = queries_for_the_day()
    for hour in range(11, 20):
        sell_at(at(WEDNESDAY, hour), cashier, (tea, "1"))
    assert queries_for_the_day() == one_bill


@pytest.mark.parametrize(("start", "end", "expected"), [
    (WEDNESDAY, WEDNESDAY, (LAST_WEDNESDAY, LAST_WEDNESDAY)),  # a day: the same weekday last week
    (date(2026, 11, 19), WEDNESDAY, (date(2026, 11, 12), LAST_WEDNESDAY)),  # a week: the week before
    (date(2026, 11, 1), date(2026, 11, 30), (date(2026, 9, 27), date(2026, 10, 26))),  # 30 days: 5 weeks back
])
def test_the_comparison_is_whole_weeks_earlier_and_never_overlaps(start, end, expected):
    assert comparison_period(start, end) == expected
    assert expected[1] < start and expected[0].weekday() == start.weekday()


@pytest.mark.parametrize(("now", "before", "expected"), [
    (D("160"), D("100"), ("+60%", "up")),
    (D("50"), D("100"), ("-50%", "down")),
    (D("100"), D("100"), ("+0%", "")),
    (D("5"), D("0"), ("", "")),  # nothing to compare with
    (D("0.01"), D("0.03"), ("-67%", "down")),
])
def test_percent_change(now, before, expected):
    assert percent_change(now, before) == expected


def test_the_app_list_moved_to_the_settings_page(client, owner):
    client.force_login(owner)
    home = client.get(reverse("admin:index")).content.decode()
    settings_page = client.get(reverse("admin:galla_settings")).content.decode()
    assert reverse("admin:auth_group_changelist") in settings_page
    assert reverse("admin:galla_settings") in home
    assert 'href="/admin/django_q/' not in home.split('data-testid="dashboard"')[1]


def test_the_settings_page_lists_only_what_the_role_may_open(client, cashier):
    client.force_login(cashier)
    page = client.get(reverse("admin:galla_settings")).content.decode()
    assert reverse("admin:catalog_product_changelist") in page
    assert reverse("admin:shop_user_changelist") not in page


def test_a_quiet_day_shows_no_change_and_empty_lists(client, owner, shop):
    with mock.patch("reports.dashboard.timezone.localdate", return_value=WEDNESDAY):
        html = dashboard_page(client, owner)
    assert "₹0.00" in card(html, "sales") and "%" not in card(html, "sales")
    assert "No sales in these days." in html and "No bills yet." in html


def test_the_insights_of_the_day_are_on_the_dashboard_cost_based_ones_for_the_owner(client, owner, manager, shop,
                                                                                  stocked, cashier):
    loss = stocked(name="Ghee 1 l", selling_price=D("500"), cost_price=D("560"))
    sell_at(at(WEDNESDAY, 10), cashier, (loss, "1"))
    with clock(at(WEDNESDAY, 21)):
        owner_insights = insights_for_day(day=WEDNESDAY, user=owner)
    below_cost = [insight for insight in owner_insights if insight.kind == "below_cost"]
    assert below_cost, owner_insights
    owner_page = dashboard_page(client, owner).split('data-testid="insights"')[1]
    assert below_cost[0].reason in owner_page.replace("&#x27;", "'")
    manager_page = dashboard_page(client, manager)
    assert below_cost[0].reason not in manager_page.replace("&#x27;", "'")


def test_the_insights_are_computed_once_until_a_new_bill(owner, shop, stocked, cashier):
    from reports import dashboard

    tea = stocked(name="Tea", selling_price=D("10"))
    sell_at(at(WEDNESDAY, 10), cashier, (tea, "1"))
    with mock.patch.object(dashboard, "insights_for_day", return_value=[]) as compute:
        dashboard.cached_insights(day=WEDNESDAY, user=owner)
        dashboard.cached_insights(day=WEDNESDAY, user=owner)
        assert compute.call_count == 1
        sell_at(at(WEDNESDAY, 11), cashier, (tea, "1"))
        dashboard.cached_insights(day=WEDNESDAY, user=owner)
        assert compute.call_count == 2
