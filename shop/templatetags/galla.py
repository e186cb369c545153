"""Template filters for money and quantities, so templates show them as the rest of Galla does."""

from django import template

from shop.money import format_inr, format_quantity

register = template.Library()


@register.filter
def inr(amount):
    """{{ amount|inr }} -> ₹1,23,456.50"""
    return format_inr(amount)


@register.filter
def qty(quantity):
    """{{ quantity|qty }} -> 12.5"""
    return format_quantity(quantity)


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """{% unread_notifications as count %}: the signed-in user's unread in-app notifications."""
    from shop.notifications.inbox import unread_count

    request = context.get("request")
    return unread_count(request.user) if request is not None else 0
