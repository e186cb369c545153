"""Reports own no business records; this module holds who may open them, and (later) rollup tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """The holder of the report permissions: a model without a table, so the admin can show the report pages.

    `view_reports` opens the sales, GST, stock and khata reports (owner, manager); `view_profit` adds the
    figures built on cost prices: margin and profit (owner only).
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_reports", "Can open the sales, GST, stock and khata reports"),
            ("view_profit", "Can see margin and profit"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self):
        return str(self._meta.verbose_name)


# --- Daily rollups -------------------------------------------------------------------------------------------
# Sums kept per day (the shop's calendar day of the document) so reports over months and years read a few
# thousand rows instead of every line. Written only by reports.rollups, in the same transaction as the sale,
# the cancellation, the return or the UPI confirmation that changes them; rebuilt from the raw tables by
# `manage.py rebuild_rollups`. Money is kept in whole paise and quantities in thousandths (integers), so the
# database adds them exactly on SQLite as on PostgreSQL. A cancelled invoice is taken out of the day it was
# issued on; a credit note counts on the day it was issued. The foreign keys have no database constraint:
# the rows are derived, and the check would take a share lock on each product row at every upsert.


class DailyProductSales(models.Model):
    """One product's sales and returns in one warehouse on one day."""

    day = models.DateField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False)
    lines = models.IntegerField(default=0, help_text=_("Invoice lines of completed invoices."))
    quantity_milli = models.BigIntegerField(default=0, help_text=_("Quantity sold, in thousandths."))
    amount_paise = models.BigIntegerField(default=0, help_text=_("Line totals (tax included)."))
    taxable_paise = models.BigIntegerField(default=0)
    tax_paise = models.BigIntegerField(default=0, help_text=_("CGST + SGST + IGST + cess."))
    discount_paise = models.BigIntegerField(default=0)
    cost_paise = models.BigIntegerField(default=0, help_text=_("Quantity x the line's unit cost, per line rounded."))
    returned_quantity_milli = models.BigIntegerField(default=0)
    returned_amount_paise = models.BigIntegerField(default=0)
    returned_taxable_paise = models.BigIntegerField(default=0)
    returned_cost_paise = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("daily product sales")
        verbose_name_plural = _("daily product sales")
        constraints = [models.UniqueConstraint(fields=["day", "product", "warehouse"],
                                               name="daily_product_sales_key")]

    def __str__(self) -> str:
        return f"{self.day} product {self.product_id}"


class DailyPaymentSales(models.Model):
    """Payments of one method on the completed invoices of one day."""

    day = models.DateField()
    method = models.CharField(max_length=8)
    confirmed_paise = models.BigIntegerField(default=0, help_text=_("Confirmed payments (credit included)."))
    awaiting_paise = models.BigIntegerField(default=0, help_text=_("UPI waiting for its transaction number."))

    class Meta:
        verbose_name = _("daily payment sales")
        verbose_name_plural = _("daily payment sales")
        constraints = [models.UniqueConstraint(fields=["day", "method"], name="daily_payment_sales_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.method}"


class HourlySales(models.Model):
    """The invoice and credit note totals of one hour of one day, in one warehouse."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    warehouse = models.ForeignKey("catalog.Warehouse", on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False)
    bills = models.IntegerField(default=0, help_text=_("Completed invoices."))
    sales_paise = models.BigIntegerField(default=0, help_text=_("Grand totals of completed invoices."))
    taxable_paise = models.BigIntegerField(default=0)
    cgst_paise = models.BigIntegerField(default=0)
    sgst_paise = models.BigIntegerField(default=0)
    igst_paise = models.BigIntegerField(default=0)
    cess_paise = models.BigIntegerField(default=0)
    discount_paise = models.BigIntegerField(default=0)
    cancelled = models.IntegerField(default=0, help_text=_("Invoices of this hour since cancelled."))
    returns = models.IntegerField(default=0, help_text=_("Credit notes issued in this hour."))
    returns_paise = models.BigIntegerField(default=0, help_text=_("Their grand totals."))
    returns_taxable_paise = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("hourly sales")
        verbose_name_plural = _("hourly sales")
        constraints = [models.UniqueConstraint(fields=["day", "hour", "warehouse"], name="hourly_sales_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.hour:02d}:00"
