"""The counter's held-bill endpoints: hold the bill on screen, list the cashier's held bills, resume, discard.

Each cashier reaches only their own held bills, whatever their role: another cashier's answers 404.
"""

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from catalog.models import Warehouse
from catalog.selectors import stock_by_product
from sales.counter import CART, CHECKOUT_BODY, CounterApi, customer_payload
from sales.held_bills import held_bill_discard, held_bill_hold, held_bill_resume, held_bills_of
from sales.models import HeldBill
from sales.selectors import product_payload
from shop.jsonbody import Integer, Object
from shop.money import format_quantity

HOLD_BODY = Object(fields={**CART, "payments": CHECKOUT_BODY.fields["payments"]})
HELD_BILL_BODY = Object(fields={"id": Integer(label="held bill")})
NOT_HELD = "You hold no such bill: it was resumed, discarded or has expired."


def held_payload(held: HeldBill) -> dict:
    held_at = timezone.localtime(held.created_at)
    return {"id": held.pk, "label": held.label, "items": len(held.cart.get("lines", [])),
            "held_at": held_at.isoformat(), "time": f"{held_at:%H:%M}"}


def held_list(request) -> list[dict]:
    return [held_payload(held) for held in held_bills_of(cashier=request.user)]


def _not_held() -> JsonResponse:
    return JsonResponse({"ok": False, "errors": {"held": [NOT_HELD]}}, status=404)


class HoldBill(CounterApi):
    """POST the bill on screen (cart and payments typed so far): park it and answer the cashier's held bills."""

    body_shape = HOLD_BODY

    def post(self, request):
        data = self.body(request)
        held_bill_hold(cashier=request.user, lines=data["lines"], customer_id=data["customer_id"],
                       bill_discount=data["bill_discount"], payments=data["payments"],
                       coupon_code=data["coupon_code"])
        return JsonResponse({"ok": True, "held": held_list(request)}, status=201)


class HeldBills(CounterApi):
    """GET: the cashier's own held bills of today, oldest first."""

    def get(self, request):
        return JsonResponse({"ok": True, "held": held_list(request)})


class ResumeBill(CounterApi):
    """POST {id}: take back one of the cashier's held bills, with today's product facts (prices are re-quoted)."""

    body_shape = HELD_BILL_BODY

    def post(self, request):
        bill = held_bill_resume(cashier=request.user, held_bill_id=self.body(request)["id"])
        if bill is None:
            return _not_held()
        products = [line.product for line in bill.lines]
        on_hand = stock_by_product(products, Warehouse.objects.get(is_default=True)) if products else {}
        return JsonResponse({"ok": True, "held": held_list(request), "bill": {
            "lines": [{"product": product_payload(line.product, on_hand.get(line.product.pk)),
                       "quantity": format_quantity(line.quantity), "discount": format_quantity(line.discount)}
                      for line in bill.lines],
            "customer": customer_payload(bill.customer) if bill.customer else None,
            "bill_discount": format_quantity(bill.bill_discount),
            "payments": [{"method": p["method"], "amount": format_quantity(p["amount"]),
                          "reference": p.get("reference", "")} for p in bill.payments],
            "coupon_code": bill.coupon_code,
            "dropped": bill.dropped,
        }})


class DiscardBill(CounterApi):
    """POST {id}: throw away one of the cashier's held bills."""

    body_shape = HELD_BILL_BODY

    def post(self, request):
        if not held_bill_discard(cashier=request.user, held_bill_id=self.body(request)["id"]):
            return _not_held()
        return JsonResponse({"ok": True, "held": held_list(request)})


def held_bill_urls(model_admin) -> list:
    """URL patterns of the held-bill endpoints, beside the counter's, wrapped in the admin's checks."""
    wrap = model_admin.admin_site.admin_view
    api = [("hold/", HoldBill, "hold"), ("held/", HeldBills, "held"), ("resume/", ResumeBill, "resume"),
           ("discard/", DiscardBill, "discard")]
    return [path(f"counter/{route}", wrap(view.as_view()), name=f"sales_counter_{name}") for route, view, name in api]
