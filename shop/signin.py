"""Sign-in throttling: the glue between django-axes and the shop.

Axes counts failed passwords per username and per client address (each on its own) wherever
`authenticate()` gets the request: the admin login and the counter's manager-approval box. These
functions tell axes where a request comes from, what a locked-out person sees, and which users
are locked right now (for the owner's user list).
"""

import ipaddress
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LOCKED_OUT_STATUS = 429


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip_address(request: HttpRequest) -> str | None:
    """Return the address a sign-in comes from.

    Directly served, the socket's peer. Behind our own TLS proxy (BEHIND_TLS_PROXY), the right-most
    X-Forwarded-For entry: the one the proxy appended; anything left of it the client could have typed.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        address = _valid_address(forwarded[-1])
        if address:
            return address
    return _valid_address(request.META.get("REMOTE_ADDR", ""))


def cool_off_minutes() -> int:
    cool_off = get_cool_off() or timedelta()
    return max(1, round(cool_off.total_seconds() / 60))


def lockout_message() -> str:
    minutes = cool_off_minutes()
    return ngettext(
        "Too many failed sign-ins for this account or address; try again in %(minutes)d minute "
        "or ask the owner to unlock it.",
        "Too many failed sign-ins for this account or address; try again in %(minutes)d minutes "
        "or ask the owner to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """Return what a locked-out person sees (axes' AXES_LOCKOUT_CALLABLE).

    A JSON endpoint (the counter's approval box) already said so next to its field: keep its answer.
    Anywhere else, the admin login page again, with the lockout message instead of a password error.
    """
    if original_response is not None and original_response.get("Content-Type", "").startswith("application/json"):
        return original_response
    username = get_client_username(request, credentials) or ""
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "app_path": request.get_full_path(),
        "form": (admin.site.login_form or AuthenticationForm)(request, initial={"username": username}),
        "lockout_message": lockout_message(),
    }
    return render(request, "admin/login_locked_out.html", context, status=LOCKED_OUT_STATUS)


def recent_failures_for_username() -> Coalesce:
    """Return an expression for User querysets: failed sign-ins under the user's name within the cool-off.

    One correlated subquery, so a page of users costs one query however many are on it.
    """
    since = timezone.now() - (get_cool_off() or timedelta(days=36500))
    failures = (AccessAttempt.objects.filter(username=OuterRef("username"), attempt_time__gte=since)
                .order_by().values("username").annotate(total=Sum("failures_since_start")).values("total"))
    return Coalesce(Subquery(failures, output_field=IntegerField()), 0)


def is_locked_out(failures: int) -> bool:
    return failures >= settings.AXES_FAILURE_LIMIT
