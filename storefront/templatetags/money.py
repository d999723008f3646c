"""The one place money becomes text: `{{ 25000|rupiah }}` -> `Rp 25.000`."""

from __future__ import annotations

from django import template

register = template.Library()


def format_rupiah(amount: int | str | None) -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")


@register.filter(name="rupiah")
def rupiah(amount: int | str | None) -> str:
    return format_rupiah(amount)
