"""Account emails through the outbox: the welcome email with a set-password link when the owner adds a user,
and the password reset asked for on the login page (Django's views, our form, our throttle).

Both links are Django's password-reset-confirm link (a token bound to the user's current password, valid
for settings.PASSWORD_RESET_TIMEOUT) on settings.SITE_URL, never on the Host header of the request.
"""

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from shop.models import OutboundEmail, User
from shop.notifications.layout import absolute_url, email_base_context
from shop.notifications.services import email_queue

# Reset requests allowed per hour: from one client address, and for one email address.
RESETS_PER_ADDRESS_PER_HOUR = 10
RESETS_PER_EMAIL_PER_HOUR = 3
THROTTLE_WINDOW = 3600


def set_password_link(user: User) -> str:
    """Return the absolute link where `user` chooses a password (Django's reset-confirm view)."""
    path = reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                      "token": default_token_generator.make_token(user)})
    return absolute_url(path)


def welcome_email_queue(*, user: User, created_by: User | None = None) -> OutboundEmail | None:
    """Queue the welcome email with a set-password link to a new user; None when they have no email."""
    if not user.email:
        return None
    context = {**email_base_context(), "user": user, "username": user.get_username(),
               "link": set_password_link(user), "login_url": absolute_url(reverse("admin:login")),
               "created_by": created_by}
    shop_name = context["shop"].name
    return email_queue(to=[user.email], subject=f"Welcome to {shop_name}: choose your password for Galla",
                       template="welcome", context=context, reference=f"Welcome {user.get_username()}",
                       source=user, user=created_by, dedupe_key=f"welcome:{user.pk}")


def _hit(key: str, limit: int) -> bool:
    """Count one request under `key` for the window; return True while within `limit`."""
    cache.add(key, 0, THROTTLE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, THROTTLE_WINDOW)
        count = 1
    return count <= limit


def password_reset_allowed_from(client_address: str) -> bool:
    """Count a reset request from this client address; False once it asked too often this hour."""
    return _hit(f"galla:reset:ip:{client_address}", RESETS_PER_ADDRESS_PER_HOUR)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through the outbox (retried, visible in the admin) and at most a few
    emails an hour to one address whoever asks. Unknown addresses still get no email and no hint."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        if not _hit(f"galla:reset:email:{to_email.lower()}", RESETS_PER_EMAIL_PER_HOUR):
            return
        user = context["user"]
        email_queue(to=[to_email], subject=f"Reset your password for {email_base_context()['shop'].name}",
                    template="password_reset",
                    context={**email_base_context(), "username": user.get_username(),
                             "link": set_password_link(user)},
                    reference=f"Password reset {user.get_username()}", source=user)
