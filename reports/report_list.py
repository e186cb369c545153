"""Every report the Reports page offers: its address, title, filters, who may open it, and its selector.

Each `build` only maps the form's clean values onto the selector's keyword arguments; what the figures
mean lives in the selectors (reports.sales_reports, reports.stock_reports).
"""

from dataclasses import dataclass

from reports import sales_reports, stock_reports
from reports.pages import PERIOD, ReportSpec

SALES = "Sales"
STOCK = "Stock"
PROFIT = "Profit"
PROFIT_PERMISSIONS = ("reports.view_reports", "reports.view_profit")


def _pick(values: dict, *names: str) -> dict:
    return {name: values.get(name) for name in names}


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        slug="sales-by-period", title="Sales by day, week or month", icon="calendar_month", section=SALES,
        description="Bills, discounts, returns and net sales for each day, week or month.",
        filters=(*PERIOD, "group", "warehouse", "cashier"),
        build=lambda v, viewer: sales_reports.sales_by_period(**_pick(v, "start", "end", "group", "warehouse",
                                                                      "cashier"))),
    ReportSpec(
        slug="sales-by-product", title="Sales by product", icon="inventory_2", section=SALES, landscape=True,
        description="Quantity and amount sold, returned and net for each product.",
        filters=(*PERIOD, "warehouse", "category", "brand", "cashier"),
        build=lambda v, viewer: sales_reports.sales_by_product(**_pick(v, "start", "end", "warehouse", "cashier",
                                                                       "category", "brand"))),
    ReportSpec(
        slug="sales-by-category", title="Sales by category", icon="category", section=SALES,
        description="Net sales of each category and its share of the total.",
        filters=(*PERIOD, "warehouse", "brand", "cashier"),
        build=lambda v, viewer: sales_reports.sales_by_category(**_pick(v, "start", "end", "warehouse", "cashier",
                                                                        "brand"))),
    ReportSpec(
        slug="sales-by-brand", title="Sales by brand", icon="sell", section=SALES,
        description="Net sales of each brand and its share of the total.",
        filters=(*PERIOD, "warehouse", "category", "cashier"),
        build=lambda v, viewer: sales_reports.sales_by_brand(**_pick(v, "start", "end", "warehouse", "cashier",
                                                                     "category"))),
    ReportSpec(
        slug="sales-by-cashier", title="Sales by cashier", icon="badge", section=SALES,
        description="Each cashier's bills, average bill, discounts and the returns of their bills.",
        filters=(*PERIOD, "warehouse"),
        build=lambda v, viewer: sales_reports.sales_by_cashier(**_pick(v, "start", "end", "warehouse"))),
    ReportSpec(
        slug="sales-by-payment-mode", title="Sales by payment mode", icon="payments", section=SALES,
        description="Money taken by cash, UPI, card and credit, and what the returns paid back.",
        filters=(*PERIOD, "warehouse", "cashier"),
        build=lambda v, viewer: sales_reports.sales_by_payment_mode(**_pick(v, "start", "end", "warehouse",
                                                                            "cashier"))),
    ReportSpec(
        slug="sales-by-hour", title="Busy hours", icon="grid_on", section=SALES, landscape=True,
        description="Sales by hour of the day and weekday, as a heatmap.",
        filters=(*PERIOD, "warehouse", "cashier"),
        build=lambda v, viewer: sales_reports.sales_heatmap(**_pick(v, "start", "end", "warehouse", "cashier"))),
    ReportSpec(
        slug="discounts-and-returns", title="Discounts and returns", icon="percent", section=SALES, landscape=True,
        description="Discounts given and goods taken back, with how the money went back.",
        filters=(*PERIOD, "group", "warehouse", "cashier"),
        build=lambda v, viewer: sales_reports.discounts_and_returns(**_pick(v, "start", "end", "group", "warehouse",
                                                                            "cashier"))),
    ReportSpec(
        slug="profit-by-product", title="Profit by product", icon="trending_up", section=PROFIT,
        permissions=PROFIT_PERMISSIONS,
        description="Revenue net of returns, cost, margin and margin % for each product.",
        filters=(*PERIOD, "warehouse", "category", "brand"),
        build=lambda v, viewer: sales_reports.profit_by_product(**_pick(v, "start", "end", "warehouse", "category",
                                                                        "brand"))),
    ReportSpec(
        slug="profit-by-category", title="Profit by category", icon="donut_small", section=PROFIT,
        permissions=PROFIT_PERMISSIONS,
        description="Revenue net of returns, cost, margin and margin % for each category.",
        filters=(*PERIOD, "warehouse", "brand"),
        build=lambda v, viewer: sales_reports.profit_by_category(**_pick(v, "start", "end", "warehouse", "brand"))),
    ReportSpec(
        slug="stock-on-hand", title="Stock on hand", icon="warehouse", section=STOCK,
        description="What each warehouse holds now, valued at cost for the owner.",
        filters=("stock_group", "warehouse", "category", "brand"),
        build=lambda v, viewer: stock_reports.stock_on_hand(group=v["stock_group"], with_cost=viewer.sees_costs,
                                                            **_pick(v, "warehouse", "category", "brand"))),
    ReportSpec(
        slug="stock-movements", title="Stock movements", icon="swap_vert", section=STOCK, landscape=True,
        description="Stock at the start, in and out by kind, and at the end, for each product.",
        filters=(*PERIOD, "warehouse", "category", "brand"),
        build=lambda v, viewer: stock_reports.stock_movements(**_pick(v, "start", "end", "warehouse", "category",
                                                                      "brand"))),
    ReportSpec(
        slug="slow-stock", title="Slow and dead stock", icon="hourglass_bottom", section=STOCK, landscape=True,
        description="Products in stock that have not sold for a while, and the money tied up in them.",
        filters=("days", "warehouse", "category", "brand"),
        build=lambda v, viewer: stock_reports.slow_stock(days=v["days"], with_cost=viewer.sees_costs,
                                                         **_pick(v, "warehouse", "category", "brand"))),
)

BY_SLUG = {report.slug: report for report in REPORTS}


@dataclass(frozen=True)
class ReportPage:
    """A report with a page of its own (the GST returns), listed on the Reports page beside the tables."""

    slug: str
    title: str
    description: str
    url_name: str
    icon: str
    section: str = "GST"
    permissions: tuple[str, ...] = ("reports.view_reports",)


# Reports with pages of their own, beside the tables: the GST returns, and the khata and closing books.
OWN_PAGE_REPORTS: tuple[ReportPage, ...] = (
    ReportPage("gstr-1", "GSTR-1 summary", "Outward supplies of a month: B2B, B2C, HSN, credit notes and "
               "documents; the portal's JSON.", "reports_gstr1", "receipt"),
    ReportPage("gstr-3b", "GSTR-3B liability", "Tax payable on a month's outward supplies, net of credit notes.",
               "reports_gstr3b", "account_balance"),
    ReportPage("khata-ageing", "Khata ageing", "What each customer owes, by how old the debt is (0-30, 31-60, "
               "61-90, over 90 days).", "ledger_customer_ageing", "hourglass_top", section="Khata and cash",
               permissions=("reports.view_reports", "ledger.view_customer")),
    ReportPage("closing-history", "Cash closing history", "Each day's expected and counted cash and the "
               "difference.", "ledger_dayclosing_changelist", "history", section="Khata and cash",
               permissions=("reports.view_reports", "ledger.view_dayclosing")),
)

