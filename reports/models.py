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
