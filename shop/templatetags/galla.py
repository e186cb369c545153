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
