from decimal import Decimal

import pytest

from sales.upi import merchant_vpa, upi_payment_link
from shop.models import ShopProfile


def test_upi_link_has_every_field_url_encoded_and_two_decimals():
    link = upi_payment_link(vpa="sharma.kirana@okaxis", payee_name="Sharma Kirana & Sons", amount=Decimal("598"),
                            note="Bill SKS/26-27/00001", reference="SKS/26-27/00001")
    assert link == ("upi://pay?pa=sharma.kirana%40okaxis&pn=Sharma%20Kirana%20%26%20Sons&am=598.00&cu=INR"
                    "&tn=Bill%20SKS%2F26-27%2F00001&tr=SKS%2F26-27%2F00001")


@pytest.mark.django_db
def test_environment_merchant_id_overrides_the_profile(settings):
    profile = ShopProfile.objects.get_profile()
    profile.upi_vpa = "shop@okhdfc"
    assert merchant_vpa(profile) == "shop@okhdfc"
    settings.UPI_MERCHANT_ID = "gateway@icici"
    assert merchant_vpa(profile) == "gateway@icici"
