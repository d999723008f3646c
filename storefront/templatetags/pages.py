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


@register.filter
def without_ref(text: str, ref: str | None) -> str:
    """`text` with the provider's internal reference `ref` (a courier pickup number such as
    "XID-3F2A…") taken out, parenthesised or bare: buyers never see our internal ids."""
    if not ref or not text:
        return text
    return text.replace(f" ({ref})", "").replace(f"({ref})", "").replace(ref, "").strip()
