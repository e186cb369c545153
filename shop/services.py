from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from shop import roles
from shop.models import User


@transaction.atomic
def user_set_role(*, user: User, role: str) -> None:
    """Make user hold exactly one role: its group, and staff access to the admin."""
    if role not in roles.ROLES:
        raise ValidationError(f"Unknown role {role!r}; choose one of {', '.join(roles.ROLES)}.")
    role_groups = Group.objects.filter(name__in=roles.ROLES)
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_create(*, username: str, password: str, role: str, first_name: str = "", email: str = "") -> User:
    """Create a staff user with a role."""
    user = User(username=username, first_name=first_name, email=email, is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    user_set_role(user=user, role=role)
    return user


def user_unlock_sign_in(*, user: User) -> int:
    """Forget the failed sign-ins under user's name so they can sign in now; return how many records went."""
    from axes.utils import reset  # axes' own reset keeps its cache handlers (if ever used) in step

    return reset(username=user.get_username())
