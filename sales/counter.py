"""The billing counter: one admin page and the small JSON endpoints its script calls.

The views only translate HTTP to the services and selectors and back; pricing, stock and the sale
itself live in sales.services. Errors come back keyed by what is at fault so the page can show
each one next to its field without losing the cart.
"""

import json
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
from ledger.posting import customer_balance
from ledger.services import customer_create
from sales.approval import manager_approval
from sales.models import Invoice, Payment
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
from shop.models import ShopProfile
from shop.money import format_inr, format_quantity

COUNTER_PERMISSION = "sales.use_counter"
APPROVAL_CODES = {"discount_needs_approval", "credit_limit"}
API_NAMES = ("product", "search", "quote", "customer", "checkout", "confirm_upi", "ping")


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
            counter_urls={name: reverse(f"admin:sales_counter_{name}") for name in API_NAMES},
            **kwargs,
        )


class CounterApi(PermissionRequiredMixin, View):
    """Base of the counter's JSON endpoints: JSON in, JSON out, 403 without the counter permission."""

    permission_required = (COUNTER_PERMISSION,)
    raise_exception = True

    @staticmethod
    def body(request: HttpRequest) -> dict:
        try:
            data = json.loads(request.body or b"{}")
        except json.JSONDecodeError:
            raise ValidationError({"__all__": ["The counter sent something that is not JSON."]}) from None
        if not isinstance(data, dict):
            raise ValidationError({"__all__": ["The counter sent something unexpected."]})
        return data

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

    def get(self, request):
        code = request.GET.get("code", "")
        product = product_by_code(code)
        if product is None:
            return JsonResponse({"ok": False, "errors": {"scan": [f"No product has the code {code.strip()!r}."]}},
                                status=404)
        on_hand = stock_by_product([product], _default_warehouse()).get(product.pk)
        return JsonResponse({"ok": True, "product": product_payload(product, on_hand)})


class ProductSearch(CounterApi):
    """GET ?q=: up to ten products by name or SKU."""

    def get(self, request):
        products = search_products(request.GET.get("q", ""))
        on_hand = stock_by_product(products, _default_warehouse()) if products else {}
        return JsonResponse({"ok": True, "results": [product_payload(p, on_hand.get(p.pk)) for p in products]})


def _cart_from(data: dict) -> list[dict]:
    """Turn the page's lines ({product_id, quantity, discount}) into checkout lines with products."""
    rows = data.get("lines") or []
    ids = {row.get("product_id") for row in rows}
    products = Product.objects.select_related("unit", "tax_rate").in_bulk([i for i in ids if isinstance(i, int)])
    lines = []
    for index, row in enumerate(rows):
        product = products.get(row.get("product_id"))
        if product is None:
            raise ValidationError({f"line-{index}": ["This product no longer exists; remove the line."]})
        lines.append({"product": product, "quantity": row.get("quantity"), "discount": row.get("discount") or 0})
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

    def post(self, request):
        data = self.body(request)
        profile = ShopProfile.objects.get_profile()
        customer = _customer_from(data)
        lines = _cart_from(data)
        if not lines:
            return JsonResponse({"ok": True, "lines": [], "totals": None})
        quote = sale_quote(lines=lines, customer=customer, bill_discount=data.get("bill_discount"), profile=profile)
        cart, inter_state, bill = quote.cart, quote.inter_state, quote.bill
        return JsonResponse({
            "ok": True,
            "inter_state": inter_state,
            "warnings": {} if profile.allow_negative_stock else _stock_warnings(cart),
            "lines": [{"taxable": str(li.taxable), "tax": str(li.tax), "total": str(li.total)}
                      for li in bill.lines],
            "totals": {name: str(getattr(bill, name)) for name in (
                "gross", "discount", "taxable", "cgst", "sgst", "igst", "cess", "exact_total", "round_off",
                "grand_total")},
            "tax_summary": [{"rate": str(row.tax_rate), "taxable": str(row.taxable), "cgst": str(row.cgst),
                             "sgst": str(row.sgst), "igst": str(row.igst)} for row in bill.tax_summary],
        })


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
    return {"id": customer.pk, "name": customer.name, "phone": customer.phone, "email": customer.email,
            "gstin": customer.gstin, "state": customer.state, "credit_limit": str(customer.credit_limit),
            "balance": str(balance), "balance_text": format_inr(balance)}


class CustomerApi(CounterApi):
    """GET ?phone=: find a customer; POST: register one (name and phone at least)."""

    def get(self, request):
        phone = request.GET.get("phone", "").strip()
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
        limit = data.get("credit_limit")
        customer = customer_create(user=request.user, name=str(data.get("name", "")),
                                   phone=str(data.get("phone", "")), email=str(data.get("email", "")),
                                   gstin=str(data.get("gstin", "")), state=str(data.get("state", "")),
                                   credit_limit=None if limit in (None, "") else str(limit))
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
