"""A manager's approval typed on a cashier's screen: username and password, throttled like the login page."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from shop.models import User
from shop.signin import lockout_message

APPROVER_NAME_MAX_LENGTH = 150  # the longest username there can be


def manager_approval(request: HttpRequest, *, username: str, password: str) -> User | None:
    """Return the user who typed their password to approve, None when no name was typed; raise a
    ValidationError keyed "approval" for a wrong password or a locked-out name or address.

    The request goes to authenticate() so that axes counts wrong passwords here as at the login page.
    Whether that user may approve what is asked is the service's decision, not this function's.
    """
    username = str(username or "")
    if not username:
        return None
    mismatch = ValidationError({"approval": ["That manager name and password do not match."]})
    if len(username) > APPROVER_NAME_MAX_LENGTH:  # no such user; and axes could not record the attempt
        raise mismatch
    user = authenticate(request, username=username, password=str(password or ""))
    if user is None and getattr(request, "axes_locked_out", False):
        raise ValidationError({"approval": [lockout_message()]})
    if user is None:
        raise mismatch
    return user
