import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from shop.models import ShopProfile
from tests import factories


@pytest.mark.django_db
def test_database_refuses_a_second_profile():
    ShopProfile.objects.get_profile()
    with pytest.raises(IntegrityError), transaction.atomic():
        ShopProfile.objects.create(name="Another shop", state="27")


@pytest.mark.django_db
def test_admin_offers_no_add_and_the_list_opens_the_profile(client, owner):
    client.force_login(owner)
    profile = ShopProfile.objects.get_profile()
    assert client.get(reverse("admin:shop_shopprofile_add")).status_code == 403
    response = client.get(reverse("admin:shop_shopprofile_changelist"))
    assert response["Location"] == reverse("admin:shop_shopprofile_change", args=[profile.pk])


@pytest.mark.django_db
def test_owner_edits_the_profile_in_the_admin(client, owner):
    client.force_login(owner)
    medicines = factories.CategoryFactory(name="Medicines")
    profile = ShopProfile.objects.get_profile()
    data = {
        "name": "Gupta Medical", "address": "MG Road, Bengaluru", "state": "29", "phone": "", "email": "",
        "gstin": "29AAGCB7383J1Z4", "hsn_min_digits": 4, "invoice_prefix": "GM", "financial_year_start_month": 4,
        "round_off": "on", "upi_vpa": "gupta@okhdfc", "cashier_discount_limit": "5", "low_stock_threshold": "3",
        "default_credit_limit": "500", "return_window_days": "10", "cashier_return_limit": "750",
        "non_returnable_categories": [medicines.pk],
    }
    response = client.post(reverse("admin:shop_shopprofile_change", args=[profile.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert (profile.name, profile.gstin, profile.invoice_prefix) == ("Gupta Medical", "29AAGCB7383J1Z4", "GM")
    assert profile.default_credit_limit == 500
    assert (profile.return_window_days, profile.cashier_return_limit) == (10, 750)
    assert list(profile.non_returnable_categories.all()) == [medicines]
    last_change = profile.history.first()
    assert (last_change.history_type, last_change.history_user) == ("~", owner)


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), [
    ("gstin", "29AAGCB7383J1Z5", "check digit"),
    ("gstin", "29AAGCB7383J1Z4", "belongs to state 29"),
    ("invoice_prefix", "INVOICE", "1 to 4 capital letters"),
    ("upi_vpa", "not a vpa", "shopname@bank"),
])
def test_bad_profile_values_are_refused_with_a_clear_message(field, value, message):
    profile = ShopProfile.objects.get_profile()
    profile.state = "27"
    setattr(profile, field, value)
    with pytest.raises(ValidationError, match=message):
        profile.full_clean()
