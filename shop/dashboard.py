"""Context for the admin's home page."""

from shop.models import ShopProfile


def dashboard_callback(request, context: dict) -> dict:
    """Return the dashboard context: the shop's name for now; reports add their cards here."""
    context["shop_profile"] = ShopProfile.objects.get_profile()
    return context
