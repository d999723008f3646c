"""Small display helpers for page templates."""

from __future__ import annotations

from django import template

from orders.models import Order

register = template.Library()


@register.filter
def order_status_label(status: str) -> str:
    """`paid` -> "Dibayar" (translated); unknown codes pass through."""
    try:
        return str(Order.Status(status).label)
    except ValueError:
        return status
