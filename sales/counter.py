"""The billing counter: one admin page and the small JSON endpoints its script calls.

The views only translate HTTP to the services and selectors and back; pricing, stock and the sale
itself live in sales.services. Errors come back keyed by what is at fault so the page can show
each one next to its field without losing the cart.
"""

from decimal import Decimal

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from catalog.models import Product, Warehouse
from catalog.selectors import stock_by_product
from ledger.models import Customer
from ledger.posting import customer_balance, store_credit_balance
from ledger.services import customer_create
from sales.approval import manager_approval
from sales.models import Coupon, Invoice, InvoiceLine, Payment
from sales.payments import upi_payment_confirm
from sales.qr import qr_svg
from sales.selectors import (
    invoices_visible_to,
    product_by_code,
    product_payload,
    search_products,
    upi_awaiting_amount,
    whatsapp_share_link,
)
from sales.services import checkout, sale_quote
from sales.upi import merchant_vpa, upi_payment_link
from shop.gst import STATE_CHOICES
from shop.jsonbody import Integer, ListOf, Number, Object, Text, parse_json, parse_query
from shop.models import ShopProfile, User
from shop.money import format_inr, format_quantity

COUNTER_PERMISSION = "sales.use_counter"
APPROVAL_CODES = {"discount_needs_approval", "credit_limit"}
API_NAMES = ("product", "search", "quote", "customer", "checkout", "confirm_upi", "ping")
HELD_BILL_API_NAMES = ("hold", "held", "resume", "discard")  # sales/held_bill_views.py
MAX_LINES = 500
MAX_PAYMENTS = 8
PASSWORD_MAX_LENGTH = 1024

# What each endpoint reads; anything else in a body or query string is refused naming the field (400).
CART = {
    "lines": ListOf(item=Object(fields={
        "product_id": Integer(),
        "quantity": Number.of(InvoiceLine, "quantity"),
        "discount": Number.of(InvoiceLine, "discount", default=Decimal("0")),
    }), max_items=MAX_LINES, default=list),
    "customer_id": Integer(default=None),
    "bill_discount": Number.of(Invoice, "bill_discount", default=Decimal("0")),
    "coupon_code": Text.of(Coupon, "code", default=""),
}
QUOTE_BODY = Object(fields=CART)
CHECKOUT_BODY = Object(fields={
    **CART,
    "payments": ListOf(item=Object(fields={
        "method": Text.of(Payment, "method", choices=tuple(Payment.Method.values)),
        "amount": Number.of(Payment, "amount"),
        "reference": Text.of(Payment, "reference", default=""),
    }), max_items=MAX_PAYMENTS, default=list),
    "idempotency_key": Text.of(Invoice, "idempotency_key", default=None),
    "approval": Object(fields={
        "username": Text.of(User, "username", default=""),
        "password": Text(max_length=PASSWORD_MAX_LENGTH, strip=False, default=""),
    }, default=None),
})
CUSTOMER_BODY = Object(fields={**{name: Text.of(Customer, name, default="")
                                  for name in ("name", "phone", "email", "gstin", "state")},
                               "credit_limit": Number.of(Customer, "credit_limit", default=None)})
CONFIRM_UPI_BODY = Object(fields={"invoice_id": Integer(), "utr": Text.of(Payment, "reference", default="")})
PRODUCT_QUERY = Object(fields={"code": Text.of(Product, "barcode", default="")})
SEARCH_QUERY = Object(fields={"q": Text.of(Product, "name", default="")})
CUSTOMER_QUERY = Object(fields={"phone": Text.of(Customer, "phone", default="")})


class CounterView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("Billing counter")
    permission_required = (COUNTER_PERMISSION,)
    template_name = "admin/sales/counter.html"

    def get_context_data(self, **kwargs):
        profile = ShopProfile.objects.get_profile()
        return super().get_context_data(
            profile=profile,
            states=STATE_CHOICES,
            discount_limit=profile.cashier_discount_limit,
            counter_urls={name: reverse(f"admin:sales_counter_{name}") for name in (*API_NAMES, *HELD_BILL_API_NAMES)},
            **kwargs,
        )


class CounterApi(PermissionRequiredMixin, View):
    """Base of the counter's JSON endpoints: JSON in, JSON out, 403 without the counter permission."""

    permission_required = (COUNTER_PERMISSION,)
    raise_exception = True
    body_shape = Object()
    query_shape = Object()

    def body(self, request: HttpRequest) -> dict:
        """Return the JSON body read as this endpoint's shape; a malformed one is a 400 naming the field."""
        return parse_json(request.body, self.body_shape)

    def query(self, request: HttpRequest) -> dict:
        """Return the query string read as this endpoint's shape; a malformed one is a 400 naming the field."""
        return parse_query(request.GET, self.query_shape)

    @staticmethod
    def refusal(error: ValidationError) -> JsonResponse:
        if hasattr(error, "error_dict"):
            errors = {key: [str(message) for e in items for message in e.messages]
                      for key, items in error.error_dict.items()}
            codes = {e.code for items in error.error_dict.values() for e in items}
        else:
            errors, codes = {"__all__": error.messages}, {error.code}
        return JsonResponse({"ok": False, "errors": errors, "needs_approval": bool(codes & APPROVAL_CODES)},
                            status=400)

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ValidationError as error:
            return self.refusal(error)


def _default_warehouse() -> Warehouse:
    return Warehouse.objects.get(is_default=True)


class ProductLookup(CounterApi):
    """GET ?code=: the product with this barcode or SKU (what a scanner sends)."""

    query_shape = PRODUCT_QUERY

    def get(self, request):
        code = self.query(request)["code"]
        product = product_by_code(code)
        if product is None:
            return JsonResponse({"ok": False, "errors": {"scan": [f"No product has the code {code.strip()!r}."]}},
                                status=404)
        on_hand = stock_by_product([product], _default_warehouse()).get(product.pk)
        return JsonResponse({"ok": True, "product": product_payload(product, on_hand)})


class ProductSearch(CounterApi):
    """GET ?q=: up to ten products by name or SKU."""

    query_shape = SEARCH_QUERY

    def get(self, request):
        products = search_products(self.query(request)["q"])
        on_hand = stock_by_product(products, _default_warehouse()) if products else {}
        return JsonResponse({"ok": True, "results": [product_payload(p, on_hand.get(p.pk)) for p in products]})


def _cart_from(data: dict) -> list[dict]:
    """Turn the page's lines ({product_id, quantity, discount}, read by CART) into checkout lines with products."""
    rows = data["lines"]
    products = Product.objects.select_related("unit", "tax_rate").in_bulk({row["product_id"] for row in rows})
    lines = []
    for index, row in enumerate(rows):
        product = products.get(row["product_id"])
        if product is None:
            raise ValidationError({f"line-{index}": ["This product no longer exists; remove the line."]})
        lines.append({"product": product, "quantity": row["quantity"], "discount": row["discount"]})
    return lines


def _customer_from(data: dict) -> Customer | None:
    customer_id = data.get("customer_id")
    if not customer_id:
        return None
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    if customer is None:
        raise ValidationError({"customer": ["This customer is not on record any more."]})
    return customer


class Quote(CounterApi):
    """POST the cart: every amount of the bill as checkout would compute it now."""

    body_shape = QUOTE_BODY

    def post(self, request):
        data = self.body(request)
        profile = ShopProfile.objects.get_profile()
        customer = _customer_from(data)
        lines = _cart_from(data)
        if not lines:
            return JsonResponse({"ok": True, "lines": [], "totals": None})
        quote = sale_quote(lines=lines, customer=customer, bill_discount=data.get("bill_discount"), profile=profile,
                           coupon_code=data["coupon_code"])
        cart, inter_state, bill = quote.cart, quote.inter_state, quote.bill
        warnings = {} if profile.allow_negative_stock else _stock_warnings(cart)
        if quote.coupon_error is not None:  # the totals leave the coupon out; checkout would refuse it
            warnings["coupon_code"] = quote.coupon_error.messages
        return JsonResponse({
            "ok": True,
            "inter_state": inter_state,
            "warnings": warnings,
            "lines": [{"taxable": str(li.taxable), "tax": str(li.tax), "total": str(li.total),
                       "offers": [_offer_payload(offer, amount) for offer, amount in quote.offers.line_offers(index)]}
                      for index, li in enumerate(bill.lines)],
            "offers": [{**_offer_payload(applied.offer, applied.total), "bill_level": applied.offer.bill_level}
                       for applied in quote.offers.applied],
            "coupon": {"code": quote.coupon.code} if quote.coupon else None,
            "totals": {name: str(getattr(bill, name)) for name in (
                "gross", "discount", "rule_discount", "taxable", "cgst", "sgst", "igst", "cess", "exact_total",
                "round_off", "grand_total")},
            "tax_summary": [{"rate": str(row.tax_rate), "taxable": str(row.taxable), "cgst": str(row.cgst),
                             "sgst": str(row.sgst), "igst": str(row.igst)} for row in bill.tax_summary],
        })


def _offer_payload(offer, amount: Decimal) -> dict:
    return {"rule_id": offer.rule_id, "name": offer.name, "amount": str(amount), "amount_text": format_inr(amount),
            "coupon": offer.coupon_id is not None}


def _stock_warnings(cart) -> dict[str, list[str]]:
    """Say, per line, when the cart wants more than the shop floor holds (checkout will refuse it)."""
    on_hand = stock_by_product([line.product for line in cart], _default_warehouse())
    wanted: dict[int, Decimal] = {}
    for line in cart:
        wanted[line.product.pk] = wanted.get(line.product.pk, Decimal("0")) + line.quantity
    return {
        f"line-{index}": [f"Only {format_quantity(on_hand.get(line.product.pk, 0))} {line.product.unit.code} "
                          "in stock."]
        for index, line in enumerate(cart) if wanted[line.product.pk] > on_hand.get(line.product.pk, 0)
    }


def customer_payload(customer: Customer) -> dict:
    balance = customer_balance(customer)
    store_credit = store_credit_balance(customer)
    return {"id": customer.pk, "name": customer.name, "phone": customer.phone, "email": customer.email,
            "gstin": customer.gstin, "state": customer.state, "credit_limit": str(customer.credit_limit),
            "balance": str(balance), "balance_text": format_inr(balance),
            "store_credit": str(store_credit), "store_credit_text": format_inr(store_credit)}


class CustomerApi(CounterApi):
    """GET ?phone=: find a customer; POST: register one (name and phone at least)."""

    query_shape = CUSTOMER_QUERY
    body_shape = CUSTOMER_BODY

    def get(self, request):
        phone = self.query(request)["phone"]
        customer = Customer.objects.filter(phone=phone, is_active=True).first() if phone else None
        if customer is None:
            return JsonResponse({"ok": False, "errors": {"customer": [f"No customer with phone {phone}."]}},
                                status=404)
        return JsonResponse({"ok": True, "customer": customer_payload(customer)})

    def post(self, request):
        if not request.user.has_perm("ledger.add_customer"):
            return JsonResponse({"ok": False, "errors": {"customer": ["You may not add customers."]}}, status=403)
        data = self.body(request)
        # No limit: the shop's default. Only an owner or manager may send one (the service refuses a cashier).
        customer = customer_create(user=request.user, name=data["name"], phone=data["phone"], email=data["email"],
                                   gstin=data["gstin"], state=data["state"], credit_limit=data["credit_limit"])
        return JsonResponse({"ok": True, "customer": customer_payload(customer)}, status=201)


def _approver(request: HttpRequest, data: dict):
    """Return the manager who typed their password to approve, or None; a wrong password is an error."""
    approval = data.get("approval") or {}
    if not isinstance(approval, dict):
        return None
    return manager_approval(request, username=approval.get("username"), password=approval.get("password", ""))


def _url_or_empty(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:  # a document view that is not installed
        return ""


def invoice_payload(invoice: Invoice) -> dict:
    prefetch_related_objects([invoice], "payments")  # the due amounts below all read them
    profile = ShopProfile.objects.get_profile()
    upi_due = upi_awaiting_amount(invoice)
    vpa = merchant_vpa(profile)
    upi_link = upi_payment_link(vpa=vpa, payee_name=profile.name, amount=upi_due, note=f"Bill {invoice.number}",
                                reference=invoice.number) if upi_due and vpa else ""
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "grand_total": str(invoice.grand_total),
        "grand_total_text": format_inr(invoice.grand_total),
        "change_text": format_inr(invoice.change_given),
        "change": str(invoice.change_given),
        "balance_due_text": format_inr(invoice.balance_due),
        "admin_url": reverse("admin:sales_invoice_change", args=[invoice.pk]),
        "pdf_url": _url_or_empty("admin:sales_invoice_pdf", invoice.pk),
        "receipt_url": _url_or_empty("admin:sales_invoice_receipt", invoice.pk),
        "email_url": _url_or_empty("admin:sales_invoice_email", invoice.pk),
        "balance_due": str(invoice.balance_due),
        "customer_phone": invoice.customer.phone if invoice.customer else "",
        "customer_email": invoice.customer.email if invoice.customer else "",
        "whatsapp_url": whatsapp_share_link(invoice, shop_name=profile.name),
        "upi_due": str(upi_due),
        "upi_due_text": format_inr(upi_due),
        "upi_link": upi_link,
        "upi_qr": qr_svg(upi_link, size=300) if upi_link else "",
    }


class ConfirmUpi(CounterApi):
    """POST {invoice_id, utr}: confirm the bill's UPI payment that waits for its transaction number."""

    body_shape = CONFIRM_UPI_BODY

    def post(self, request):
        data = self.body(request)
        invoice = invoices_visible_to(request.user).filter(pk=data.get("invoice_id")).first()
        payment = invoice and invoice.payments.filter(method=Payment.Method.UPI,
                                                      status=Payment.Status.AWAITING).first()
        if payment is None:
            return JsonResponse({"ok": False, "errors": {"utr": ["No UPI payment of yours waits on this bill."]}},
                                status=404)
        if not request.user.has_perm("sales.confirm_upi_payment"):
            return JsonResponse({"ok": False, "errors": {"utr": ["You may not confirm UPI payments."]}}, status=403)
        try:
            upi_payment_confirm(payment=payment, utr=str(data.get("utr", "")), via=Payment.ConfirmedVia.REFERENCE,
                                user=request.user)
        except ValidationError as refusal:
            raise ValidationError({"utr": refusal.messages}) from None
        return JsonResponse({"ok": True, "invoice": invoice_payload(invoice)})


class KeepAlive(CounterApi):
    """GET: nothing to say; the request itself restarts the idle-session clock while the counter is open."""

    def get(self, request):
        return HttpResponse(status=204)


class Checkout(CounterApi):
    """POST the bill: complete the sale once per idempotency key."""

    body_shape = CHECKOUT_BODY

    def post(self, request):
        data = self.body(request)
        invoice = checkout(
            cashier=request.user,
            lines=_cart_from(data),
            payments=data.get("payments") or [],
            customer=_customer_from(data),
            idempotency_key=str(data.get("idempotency_key") or "")[:64] or None,
            bill_discount=data.get("bill_discount") or 0,
            approved_by=_approver(request, data),
            coupon_code=data["coupon_code"],
        )
        return JsonResponse({"ok": True, "invoice": invoice_payload(invoice)})


def counter_urls(model_admin) -> list:
    """URL patterns of the counter, each wrapped in the admin's login, staff and CSRF checks."""
    wrap = model_admin.admin_site.admin_view
    api = [
        ("product/", ProductLookup, "product"),
        ("search/", ProductSearch, "search"),
        ("quote/", Quote, "quote"),
        ("customer/", CustomerApi, "customer"),
        ("checkout/", Checkout, "checkout"),
        ("confirm-upi/", ConfirmUpi, "confirm_upi"),
        ("ping/", KeepAlive, "ping"),
    ]
    return [
        path("counter/", wrap(CounterView.as_view(model_admin=model_admin)), name="sales_counter"),
        *[path(f"counter/{route}", wrap(view.as_view()), name=f"sales_counter_{name}") for route, view, name in api],
    ]
