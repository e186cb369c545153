"""The admin sidebar, grouped by the shop's work.

Each entry names the permission its page checks on the server; the sidebar only hides what
the server would refuse anyway.
"""

from django.conf import settings
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _


def can(*permissions: str):
    """Return a sidebar permission callback: true when the user holds every one of permissions."""

    def check(request) -> bool:
        return request.user.has_perms(permissions)

    return check


def _item(title, icon, url_name: str, permission: str) -> dict:
    return {"title": title, "icon": icon, "link": reverse_lazy(url_name), "permission": can(permission)}


def navigation(request) -> list[dict]:
    """Return the sidebar groups; unfold hides a group whose entries are all forbidden."""
    return [
        {
            "items": [
                {"title": _("Dashboard"), "icon": "dashboard", "link": reverse_lazy("admin:index")},
                {"title": _("Notifications"), "icon": "notifications", "permission": can("shop.view_notification"),
                 "link": reverse_lazy("admin:shop_notification_changelist"),
                 "badge": "shop.notifications.inbox.unread_badge"},
            ],
        },
        {
            "title": _("Billing"),
            "items": [
                _item(_("Counter"), "point_of_sale", "admin:sales_counter", "sales.use_counter"),
                _item(_("Invoices"), "receipt_long", "admin:sales_invoice_changelist", "sales.view_invoice"),
                _item(_("Returns"), "assignment_return", "admin:sales_returns", "sales.add_creditnote"),
                _item(_("Credit notes"), "request_quote", "admin:sales_creditnote_changelist", "sales.view_creditnote"),
                {"title": _("Awaiting UPI"), "icon": "qr_code_2", "permission": can("sales.view_payment"),
                 "link": lambda request: reverse("admin:sales_payment_changelist")
                 + "?method__exact=upi&status__exact=awaiting"},
                _item(_("Discount rules"), "sell", "admin:sales_discountrule_changelist", "sales.view_discountrule"),
                _item(_("Coupons"), "confirmation_number", "admin:sales_coupon_changelist", "sales.view_coupon"),
            ],
        },
        {
            "title": _("Catalog & stock"),
            "items": [
                _item(_("Products"), "inventory_2", "admin:catalog_product_changelist", "catalog.view_product"),
                _item(_("Stock"), "warehouse", "admin:catalog_stock_changelist", "catalog.view_stock"),
                _item(_("Low stock"), "production_quantity_limits", "admin:catalog_product_low_stock",
                      "catalog.view_stock"),
                _item(_("Purchases"), "input", "admin:catalog_purchasereceipt_changelist",
                      "catalog.view_purchasereceipt"),
                _item(_("Transfers"), "move_up", "admin:catalog_stocktransfer_changelist",
                      "catalog.view_stocktransfer"),
                _item(_("Stock counts"), "checklist", "admin:catalog_stockcount_changelist", "catalog.view_stockcount"),
                _item(_("Stock movements"), "swap_vert", "admin:catalog_stockmovement_changelist",
                      "catalog.view_stockmovement"),
                _item(_("Categories"), "category", "admin:catalog_category_changelist", "catalog.view_category"),
                _item(_("Brands"), "sell", "admin:catalog_brand_changelist", "catalog.view_brand"),
                _item(_("Suppliers"), "local_shipping", "admin:catalog_supplier_changelist", "catalog.view_supplier"),
                _item(_("Warehouses"), "store", "admin:catalog_warehouse_changelist", "catalog.view_warehouse"),
                _item(_("Import jobs"), "upload_file", "admin:catalog_importjob_changelist", "catalog.view_importjob"),
            ],
        },
        {
            "title": _("Customers & khata"),
            "items": [
                _item(_("Customers"), "groups", "admin:ledger_customer_changelist", "ledger.view_customer"),
                _item(_("Receive khata payment"), "payments", "admin:ledger_customer_receive_payment",
                      "ledger.receive_credit_payment"),
                _item(_("Khata entries"), "menu_book", "admin:ledger_creditentry_changelist",
                      "ledger.view_creditentry"),
                {"title": _("Khata ageing"), "icon": "hourglass_bottom",
                 "link": reverse_lazy("admin:ledger_customer_ageing"),
                 "permission": can("reports.view_reports", "ledger.view_customer")},
            ],
        },
        {
            "title": _("Day book"),
            "items": [
                _item(_("Day book"), "menu_book", "admin:ledger_daybookentry_changelist", "ledger.view_daybookentry"),
                _item(_("Record expense"), "payments", "admin:ledger_daybookentry_expense", "ledger.record_expense"),
                _item(_("Cash in / out"), "currency_rupee", "admin:ledger_daybookentry_cash", "ledger.record_expense"),
                _item(_("Close the day"), "lock_clock", "admin:ledger_dayclosing_close", "ledger.close_day"),
                _item(_("Closing history"), "history", "admin:ledger_dayclosing_changelist", "ledger.view_dayclosing"),
            ],
        },
        {
            "title": _("Reports"),
            "items": [
                _item(_("All reports"), "analytics", "admin:reports_report_changelist", "reports.view_reports"),
                _item(_("Sales by day"), "calendar_month", "admin:reports_report_sales_by_period",
                      "reports.view_reports"),
                _item(_("Sales by product"), "inventory_2", "admin:reports_report_sales_by_product",
                      "reports.view_reports"),
                _item(_("Profit by product"), "trending_up", "admin:reports_report_profit_by_product",
                      "reports.view_profit"),
                _item(_("Stock on hand"), "warehouse", "admin:reports_report_stock_on_hand", "reports.view_reports"),
                _item(_("Slow and dead stock"), "hourglass_bottom", "admin:reports_report_slow_stock",
                      "reports.view_reports"),
                _item(_("GSTR-1"), "receipt", "admin:reports_gstr1", "reports.view_reports"),
                _item(_("GSTR-3B"), "account_balance", "admin:reports_gstr3b", "reports.view_reports"),
            ],
        },
        {
            "title": _("Settings"),
            "collapsible": True,
            "items": [
                _item(_("Shop profile"), "storefront", "admin:shop_shopprofile_changelist", "shop.change_shopprofile"),
                _item(_("Tax rates"), "percent", "admin:catalog_taxrate_changelist", "catalog.change_taxrate"),
                _item(_("Units"), "straighten", "admin:catalog_unit_changelist", "catalog.change_unit"),
                _item(_("Scheduled tasks"), "schedule", "admin:django_q_schedule_changelist",
                      "django_q.view_schedule"),
                _item(_("Failed tasks"), "error", "admin:django_q_failure_changelist", "django_q.view_failure"),
                _item(_("Email outbox"), "outgoing_mail", "admin:shop_outboundemail_changelist",
                      "shop.view_outboundemail"),
                {"title": _("All admin pages"), "icon": "apps", "link": reverse_lazy("admin:galla_settings"),
                 "permission": can("shop.view_shopprofile")},
            ],
        },
        {
            "title": _("Users"),
            "collapsible": True,
            "items": [
                _item(_("Users"), "person", "admin:shop_user_changelist", "shop.view_user"),
                _item(_("Roles"), "badge", "admin:auth_group_changelist", "auth.view_group"),
            ],
        },
    ]


def environment_badge(request):
    """Return unfold's environment label: warn when running with DEBUG on."""
    return [_("Development"), "warning"] if settings.DEBUG else None
