"""What every email's base layout (templates/emails/base.html and base.txt) needs: the shop and its logo."""

from django.conf import settings

from shop.models import ShopProfile


def absolute_url(path: str) -> str:
    """Return `path` on the site's public address (settings.SITE_URL), for links in emails."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def email_base_context(profile: ShopProfile | None = None) -> dict:
    """Return the context the base layout reads: `shop` and `logo_url` (empty without a logo)."""
    profile = profile or ShopProfile.objects.get_profile()
    logo_url = ""
    if profile.logo:
        try:
            logo_url = absolute_url(profile.logo.url)
        except ValueError:  # a logo field naming no file
            logo_url = ""
    return {"shop": profile, "logo_url": logo_url}
