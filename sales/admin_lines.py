"""Columns shared by the read-only line tables of invoices and credit notes."""

from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from shop.money import format_inr, format_quantity


class TaxLineColumns:
    """Quantity, rate, discount, taxable value, tax and amount of a line as the shop reads them."""

    @display(description=_("quantity"))
    def qty(self, line):
        return f"{format_quantity(line.quantity)} {line.unit}"

    @display(description=_("rate"))
    def rate(self, line):
        return format_inr(line.unit_price)

    @display(description=_("discount"))
    def discount_text(self, line):
        return format_inr(line.discount)

    @display(description=_("taxable value"))
    def taxable_text(self, line):
        return format_inr(line.taxable_value)

    @display(description=_("tax"))
    def tax_text(self, line):
        if line.igst:
            return f"IGST {format_inr(line.igst)}"
        return f"CGST {format_inr(line.cgst)} + SGST {format_inr(line.sgst)}"

    @display(description=_("amount"))
    def total_text(self, line):
        return format_inr(line.line_total)
