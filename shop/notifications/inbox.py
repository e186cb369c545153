"""In-app notifications: `notify` writes them, the bell counts them, the list page shows a user their own.

A notification to a role is one row per member, so reading is personal and the only question of
access is "is this row mine?" (`notifications_visible_to`), asked by every page that shows them.
"""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from shop import roles as shop_roles
from shop.notifications.models import Notification

Level = Notification.Level
MANAGERS = (shop_roles.OWNER, shop_roles.MANAGER)


def users_in_roles(roles: Iterable[str]) -> QuerySet:
    """Return the active users holding any of `roles` (superusers count as owners), by id."""
    roles = list(roles)
    wanted = Q(groups__name__in=roles)
    if shop_roles.OWNER in roles:
        wanted |= Q(is_superuser=True)
    return get_user_model().objects.filter(wanted, is_active=True).distinct().order_by("pk")


def notify(*, text: str, level: str = Level.INFO, link: str = "", user=None, roles: Iterable[str] = (),
           key: str = "") -> int:
    """Put a notification in the inbox of `user` and of everyone in `roles`; return how many were written.

    With a `key`, a user who already has a notification of that key gets no second one (a check that
    runs every few minutes reports each cause once). Runs in the caller's transaction.
    """
    roles = tuple(roles)
    recipients = {}
    if user is not None:
        recipients[user.pk] = ""
    for member_id in users_in_roles(roles).values_list("pk", flat=True) if roles else ():
        recipients.setdefault(member_id, "/".join(roles))
    rows = [Notification(user_id=pk, role=role, level=level, text=str(text)[:500], link=str(link)[:500],
                         key=str(key)[:120])
            for pk, role in recipients.items()]
    if key:
        done = set(Notification.objects.filter(key=key, user_id__in=recipients).values_list("user_id", flat=True))
        rows = [row for row in rows if row.user_id not in done]
    # ignore_conflicts: a concurrent notify with the same key loses quietly to the unique constraint.
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    return len(rows)


def notifications_visible_to(user) -> QuerySet[Notification]:
    """Return the notifications this user may see: their own, never anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def unread_count(user) -> int:
    return notifications_visible_to(user).filter(is_read=False).count()


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when `ids` is None); return how many."""
    unread = notifications_visible_to(user).filter(is_read=False)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(is_read=True, read_at=timezone.now())


def unread_badge(request) -> str:
    """The sidebar's badge callback (UNFOLD SIDEBAR item "badge"): the unread count, or nothing."""
    count = unread_count(request.user)
    return str(count) if count else ""
