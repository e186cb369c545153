"""A small month of sales worked out by hand, made through the real checkout, return and cancel services.

The shop is in Maharashtra (27). Figures (DESIGN.md: inclusive lines take each tax out of the amount
paid, CGST = SGST; exclusive lines charge the rate on the taxable value):

1. Walk-in, intra-state: 3 biscuits (₹100 incl. 18%) with ₹10 off the line, 2 kg loose rice (₹60, 0%).
   Biscuits 290.00: CGST = SGST = round(290 × 18 / 236) = 22.12, taxable 245.76. Rice 120.00 nil-rated.
2. Kumar Traders (GSTIN 27…, intra-state): 2 ghee (₹500 + 5%, exclusive) and 1 biscuit, ₹50 off the bill,
   shared 45.45 and 4.55. Ghee 954.55 taxable, CGST = SGST = round(954.55 × 2.5%) = 23.86.
   Biscuit 95.45: CGST = SGST = round(95.45 × 18 / 236) = 7.28, taxable 80.89. Total 1097.72 → ₹1,098.
3. Bengaluru Retail (GSTIN 29…, inter-state): 10 biscuits 1000.00: IGST = round(1000 × 18 / 118) = 152.54,
   taxable 847.46.
4. Ravi (unregistered, Karnataka): 1 biscuit: IGST 15.25, taxable 84.75 (B2CS inter-state).
5. Ravi: 1 television ₹1,20,000 incl. 18%: IGST = round(120000 × 18 / 118) = 18305.08, taxable 101694.92:
   inter-state, unregistered, above ₹1,00,000 (B2CL).
6. Walk-in: 1 biscuit, then cancelled (counts only as a cancelled number).
Returns: 1 of the 3 biscuits and 1 kg of rice of sale 1 (CGST = SGST = round(22.12 / 3) = 7.37,
taxable round(290 / 3) − 14.74 = 81.93; rice 60.00), 1 ghee of sale 2 (taxable round(954.55 / 2) = 477.28,
CGST = SGST = round(23.86 / 2) = 11.93), and the television (all of it).
"""

from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Unit
from sales.models import CreditNote, Invoice
from sales.services import checkout, invoice_cancel, return_create
from tests import factories
from tests.sales.selling import exact_cash

D = Decimal
KUMAR_GSTIN = "27AABCK1234L1ZM"
BENGALURU_GSTIN = "29AAACR5055K1Z3"


@dataclass
class Month:
    sale1: Invoice
    sale2: Invoice
    sale3: Invoice
    sale4: Invoice
    sale5: Invoice
    cancelled: Invoice
    return1: CreditNote
    return2: CreditNote
    return5: CreditNote


def sell(cashier, *lines, customer=None, bill_discount=0) -> Invoice:
    cart = [{"product": product, "quantity": D(quantity), "discount": D(discount)}
            for product, quantity, discount in lines]
    return checkout(cashier=cashier, lines=cart, customer=customer, bill_discount=D(bill_discount),
                    payments=[exact_cash(cart, customer=customer, bill_discount=bill_discount)])


def give_back(invoice, user, *quantities) -> CreditNote:
    lines = [{"line": line, "quantity": D(q)} for line, q in zip(invoice.lines.all(), quantities, strict=True)
             if D(q)]
    return return_create(invoice=invoice, lines=lines, refund_method="cash", user=user)


def make_month(*, stocked, cashier, manager) -> Month:
    biscuits = stocked(name="Parle-G 800 g", selling_price=D("100"), hsn_code="1905", quantity="1000")
    ghee = stocked(name="Amul Ghee 1 l", selling_price=D("500"), hsn_code="0405", tax_inclusive=False,
                   tax_rate=factories.tax_rate("5"), unit=Unit.objects.get(code="l"))
    rice = stocked(name="Loose rice", selling_price=D("60"), hsn_code="1006", tax_rate=factories.tax_rate("0"),
                   unit=Unit.objects.get(code="kg"))
    television = stocked(name="Television 43 inch", selling_price=D("120000"), hsn_code="8528")
    kumar = factories.CustomerFactory(name="Kumar Traders", gstin=KUMAR_GSTIN, state="27")
    bengaluru = factories.CustomerFactory(name="Bengaluru Retail", gstin=BENGALURU_GSTIN, state="29")
    ravi = factories.CustomerFactory(name="Ravi", state="29")

    sale1 = sell(cashier, (biscuits, "3", "10"), (rice, "2", "0"))
    sale2 = sell(cashier, (ghee, "2", "0"), (biscuits, "1", "0"), customer=kumar, bill_discount="50")
    sale3 = sell(cashier, (biscuits, "10", "0"), customer=bengaluru)
    sale4 = sell(cashier, (biscuits, "1", "0"), customer=ravi)
    sale5 = sell(cashier, (television, "1", "0"), customer=ravi)
    cancelled = sell(cashier, (biscuits, "1", "0"))
    invoice_cancel(invoice=cancelled, user=manager, reason="Typed the wrong item")
    return1 = give_back(sale1, manager, "1", "1")
    return2 = give_back(sale2, manager, "1", "0")
    return5 = give_back(sale5, manager, "1")
    return Month(sale1, sale2, sale3, sale4, sale5, Invoice.objects.get(pk=cancelled.pk), return1, return2, return5)
