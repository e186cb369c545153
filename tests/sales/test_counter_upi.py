import xml.etree.ElementTree as ET
from decimal import Decimal
from urllib.parse import unquote

import pytest

from sales.qr import qr_runs, qr_svg
from sales.selectors import whatsapp_share_link
from sales.services import checkout
from tests import factories
from tests.sales.counter_client import post

pytestmark = pytest.mark.django_db
D = Decimal
LINK = "upi://pay?pa=sharmakirana%40okaxis&pn=Sharma%20Kirana%20Store&am=747.00&cu=INR&tn=Bill&tr=SKS%2F26-27%2F00001"


def test_qr_svg_draws_exactly_the_dark_modules_of_the_code():
    svg = qr_svg(LINK, size=300)
    root = ET.fromstring(svg)
    count, runs = qr_runs(LINK)
    assert root.get("viewBox") == f"0 0 {count + 8} {count + 8}" and root.get("width") == "300"
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    assert path.count("M") == len(runs)
    assert count >= 33  # a link this long needs at least version 4 at level M


@pytest.fixture
def upi_bill(shop, stocked, cashier):
    shop.upi_vpa = "sharmakirana@okaxis"
    shop.save()
    customer = factories.CustomerFactory(phone="9820098200")
    return checkout(cashier=cashier, customer=customer, lines=[{"product": stocked(selling_price=D("300")),
                                                                "quantity": D("1")}],
                    payments=[{"method": "cash", "amount": D("100")}, {"method": "upi", "amount": D("200")}])


def test_success_screen_gets_a_qr_for_the_upi_amount_awaiting(client, upi_bill, cashier):
    from sales.counter import invoice_payload

    payload = invoice_payload(upi_bill)
    assert payload["upi_due"] == "200.00"
    assert payload["upi_link"].startswith("upi://pay?pa=sharmakirana%40okaxis&pn=Sharma%20Kirana%20Store&am=200.00")
    assert f"tr={upi_bill.number.replace('/', '%2F')}" in payload["upi_link"]
    assert payload["upi_qr"].startswith("<svg")


def test_cashier_confirms_the_upi_payment_from_the_success_screen(client, upi_bill, cashier):
    client.force_login(cashier)
    wrong = post(client, "confirm_upi", {"invoice_id": upi_bill.pk, "utr": "1234"})
    assert wrong.status_code == 400 and "12 digits" in wrong.json()["errors"]["utr"][0]
    done = post(client, "confirm_upi", {"invoice_id": upi_bill.pk, "utr": "412345678901"}).json()
    assert done["ok"] and done["invoice"]["upi_due"] == "0" and done["invoice"]["upi_qr"] == ""
    assert upi_bill.payments.get(method="upi").status == "confirmed"


def test_a_cashier_cannot_confirm_another_cashiers_bill(client, upi_bill):
    client.force_login(factories.UserFactory(username="other", role="Cashier"))
    assert post(client, "confirm_upi", {"invoice_id": upi_bill.pk, "utr": "412345678901"}).status_code == 404


def test_whatsapp_link_goes_to_the_customer_with_the_bill_summary(upi_bill):
    link = whatsapp_share_link(upi_bill, shop_name="Sharma Kirana Store")
    assert link.startswith("https://wa.me/919820098200?text=")
    text = unquote(link.split("text=", 1)[1])
    assert f"bill {upi_bill.number}" in text and "total ₹300.00" in text and "Due: ₹200.00" in text


def test_invoice_page_offers_the_whatsapp_share(client, upi_bill, owner):
    client.force_login(owner)
    response = client.get(f"/admin/sales/invoice/{upi_bill.pk}/share_whatsapp/")
    assert response["Location"].startswith("https://wa.me/919820098200?text=")
